"""The routing problem as plain frozen dataclasses: technicians, visits and travel matrices.

Units: every time is an integer number of seconds from the plan's epoch (for example midnight of
the planned day), every duration is integer seconds, every distance integer metres. Locations are
row/column indices into the problem's matrices.

Parts: a visit may need parts (`Visit.needs_parts`). A technician whose van holds every one of them
(`Technician.van_parts`) goes straight there; anyone else first collects them at a `PartDepot`
holding all of them (a `Pickup` stop earlier on the same route, not before the parts are there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np

# Service time multiplier by the technician's level in the visit's required skill:
# 1 = trainee (slower), 2 = qualified (the nominal `Visit.service`), 3 = expert (faster).
SKILL_LEVEL_FACTOR: Mapping[int, float] = MappingProxyType({1: 1.25, 2: 1.0, 3: 0.8})
DEFAULT_SKILL_LEVEL = 2


class InvalidProblem(ValueError):
    """The problem is inconsistent (unknown ids, bad matrix shape, empty window, ...)."""


@dataclass(frozen=True, slots=True)
class TimeWindow:
    start: int
    end: int

    def __post_init__(self) -> None:
        if int(self.start) != self.start or int(self.end) != self.end:
            raise InvalidProblem(f"time window bounds must be integers: {self}")
        if self.end < self.start:
            raise InvalidProblem(f"time window ends before it starts: {self}")

    def contains(self, t: int) -> bool:
        return self.start <= t <= self.end


@dataclass(frozen=True, slots=True)
class Break:
    """A break of `duration` seconds taken entirely inside `window` (start >= window.start,
    end <= window.end). Breaks need no location: the technician pauses wherever they are."""

    window: TimeWindow
    duration: int

    def __post_init__(self) -> None:
        if self.duration < 0 or self.window.end - self.window.start < self.duration:
            raise InvalidProblem(f"break of {self.duration}s does not fit its window {self.window}")

    @property
    def latest_start(self) -> int:
        return self.window.end - self.duration


@dataclass(frozen=True, slots=True)
class Technician:
    id: str
    start_location: int
    end_location: int | None  # None: the route ends at the last visit (open route)
    shift: TimeWindow  # leaves start_location at or after shift.start, done by shift.end
    breaks: tuple[Break, ...] = ()
    skills: Mapping[str, int] = field(default_factory=dict)  # skill -> level 1..3
    max_visits: int | None = None
    capacity: int | None = None  # only for problems with demands (e.g. Solomon); None = unlimited
    van_parts: frozenset[str] = frozenset()  # part keys (e.g. SKUs) the van already holds

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))
        if isinstance(self.van_parts, str):  # frozenset("P1") would be {"P", "1"}
            raise InvalidProblem(f"technician {self.id}: van_parts must be a set of part keys, not a string")
        object.__setattr__(self, "van_parts", frozenset(self.van_parts))
        object.__setattr__(self, "breaks", _clip_breaks(self.id, self.breaks, self.shift))
        for skill, level in self.skills.items():
            if level not in SKILL_LEVEL_FACTOR:
                raise InvalidProblem(f"technician {self.id}: skill {skill!r} has level {level}, not 1..3")

    def level(self, skill: str | None) -> int | None:
        """Level in `skill`, DEFAULT_SKILL_LEVEL when no skill is needed, None when unqualified."""
        if skill is None:
            return DEFAULT_SKILL_LEVEL
        return self.skills.get(skill)

    def can_do(self, visit: "Visit") -> bool:
        if visit.required_skill is not None and self.skills.get(visit.required_skill, 0) < visit.min_skill_level:
            return False
        return all(s in self.skills for s in visit.extra_skills)

    def holds_parts(self, visit: "Visit") -> bool:
        """The van holds every part the visit needs (always true for a visit needing none)."""
        return self.van_parts.issuperset(visit.needs_parts)

    def service_seconds(self, visit: "Visit") -> int:
        level = self.level(visit.required_skill) or DEFAULT_SKILL_LEVEL
        return scaled_service(visit.service, level)


def _clip_breaks(tech_id: str, breaks, shift: TimeWindow) -> tuple[Break, ...]:
    """Breaks sorted by window, each window clipped to the shift (a lunch window reaching past
    the end of a short shift is not an error)."""
    out = []
    for brk in sorted(breaks, key=lambda b: (b.window.start, b.window.end)):
        start, end = max(brk.window.start, shift.start), min(brk.window.end, shift.end)
        if end - start < brk.duration:
            raise InvalidProblem(f"technician {tech_id}: break {brk} does not fit the shift {shift}")
        out.append(brk if (start, end) == (brk.window.start, brk.window.end)
                   else Break(TimeWindow(start, end), brk.duration))
    return tuple(out)


def scaled_service(service: int, level: int) -> int:
    factor = SKILL_LEVEL_FACTOR[level]
    if factor == 1.0:
        return int(service)
    # Round up so a slower technician is never planned optimistically.
    return int(-(-service * round(factor * 100) // 100))


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    location: int
    service: int  # seconds on site at skill level 2
    time_windows: tuple[TimeWindow, ...] = ()  # service must START inside one; () = any time
    required_skill: str | None = None
    # The lowest level of `required_skill` that may be sent (a trainee is not sent to every model).
    min_skill_level: int = 1
    priority: int = 0  # 0..100, higher = more important; the least important is dropped first
    earliest_start: int | None = None  # e.g. when the part arrives
    deadline: int | None = None  # SLA repair deadline: SOFT upper bound on the service start
    pinned_technician: str | None = None
    pinned_sequence: int | None = None  # locked prefix order on the pinned technician's route
    demand: int = 0  # capacity units (Solomon); 0 for field service
    extra_skills: tuple[str, ...] = ()  # further skills needed at any level (VROOM multi-skill jobs)
    needs_parts: tuple[str, ...] = ()  # part keys (e.g. SKUs), each needed once: from the van or a depot

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_windows", tuple(sorted(self.time_windows, key=lambda w: w.start)))
        if isinstance(self.needs_parts, str):  # tuple("P1") would be ("P", "1")
            raise InvalidProblem(f"visit {self.id}: needs_parts must be a tuple of part keys, not a string")
        object.__setattr__(self, "needs_parts", tuple(dict.fromkeys(self.needs_parts)))
        if self.min_skill_level not in SKILL_LEVEL_FACTOR:
            raise InvalidProblem(f"visit {self.id}: minimum skill level {self.min_skill_level} is not 1..3")
        if not 0 <= self.priority <= 100:
            raise InvalidProblem(f"visit {self.id}: priority {self.priority} is not in 0..100")
        if self.service < 0:
            raise InvalidProblem(f"visit {self.id}: negative service time")
        if self.pinned_sequence is not None and self.pinned_technician is None:
            raise InvalidProblem(f"visit {self.id}: pinned_sequence needs pinned_technician")

    def start_bounds(self) -> list[tuple[int, int]]:
        """Allowed service-start intervals after applying `earliest_start` (may be empty)."""
        lo = self.earliest_start
        windows = self.time_windows or (TimeWindow(-(2**40), 2**40),)
        out = []
        for w in windows:
            a = w.start if lo is None else max(w.start, lo)
            if a <= w.end:
                out.append((a, w.end))
        return out


@dataclass(frozen=True, slots=True)
class PartDepot:
    """Where parts can be collected (a warehouse, a supplier's counter). `parts` maps a part key to
    the time (plan seconds) from which it is there to collect, 0 (or anything before the day) = now.
    Collecting takes `pickup_service` seconds."""

    id: str
    location: int
    parts: Mapping[str, int] = field(default_factory=dict)
    pickup_service: int = 600

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        if self.pickup_service < 0:
            raise InvalidProblem(f"depot {self.id}: negative pickup_service")
        for part, available in self.parts.items():
            if int(available) != available:
                raise InvalidProblem(f"depot {self.id}: availability of {part!r} must be integer seconds")

    def holds(self, parts: Iterable[str]) -> bool:
        return all(p in self.parts for p in parts)

    def available_from(self, parts: Iterable[str]) -> int:
        """When every one of `parts` is there (they must all be held)."""
        return max((int(self.parts[p]) for p in parts), default=0)


@dataclass(frozen=True, slots=True)
class Pickup:
    """A route stop collecting the parts of visit `visit_id` at depot `depot_id`; it comes before
    that visit on the same technician's route. Route sequences mix visit ids and Pickups."""

    depot_id: str
    visit_id: str


@dataclass(frozen=True)
class RoutingProblem:
    technicians: tuple[Technician, ...]
    visits: tuple[Visit, ...]
    durations: np.ndarray  # seconds, [from_location, to_location]
    distances: np.ndarray | None = None  # metres, same shape; None = not known
    depots: tuple[PartDepot, ...] = ()  # where parts can be collected; () = parts only come from vans

    def __post_init__(self) -> None:
        object.__setattr__(self, "technicians", tuple(self.technicians))
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "depots", tuple(self.depots))
        durations = np.asarray(self.durations)
        if durations.ndim != 2 or durations.shape[0] != durations.shape[1]:
            raise InvalidProblem(f"durations must be a square matrix, got shape {durations.shape}")
        if not np.issubdtype(durations.dtype, np.integer):
            if not np.all(np.equal(np.mod(durations, 1), 0)):
                raise InvalidProblem("durations must be integer seconds (round travel times up)")
        durations = durations.astype(np.int64, copy=False)  # a problem derived from another shares its matrix
        if (durations < 0).any():
            raise InvalidProblem("durations must not be negative")
        object.__setattr__(self, "durations", durations)
        if self.distances is not None:
            distances = np.asarray(self.distances)
            if distances.shape != durations.shape:
                raise InvalidProblem("distances and durations must have the same shape")
            object.__setattr__(self, "distances", distances.astype(np.int64, copy=False)
                               if np.issubdtype(distances.dtype, np.integer) else np.rint(distances).astype(np.int64))
        size = durations.shape[0]
        tech_ids = [t.id for t in self.technicians]
        if len(set(tech_ids)) != len(tech_ids):
            raise InvalidProblem("technician ids must be unique")
        visit_ids = [v.id for v in self.visits]
        if len(set(visit_ids)) != len(visit_ids):
            raise InvalidProblem("visit ids must be unique")
        for t in self.technicians:
            for loc in (t.start_location, t.end_location):
                if loc is not None and not 0 <= loc < size:
                    raise InvalidProblem(f"technician {t.id}: location {loc} outside the matrix")
        for v in self.visits:
            if not 0 <= v.location < size:
                raise InvalidProblem(f"visit {v.id}: location {v.location} outside the matrix")
        depot_ids = [d.id for d in self.depots]
        if len(set(depot_ids)) != len(depot_ids):
            raise InvalidProblem("depot ids must be unique")
        for d in self.depots:
            if not 0 <= d.location < size:
                raise InvalidProblem(f"depot {d.id}: location {d.location} outside the matrix")

    # Built once per problem (it is immutable): live insertion reads them for every technician tried.
    @cached_property
    def technician_by_id(self) -> dict[str, Technician]:
        return {t.id: t for t in self.technicians}

    @cached_property
    def visit_by_id(self) -> dict[str, Visit]:
        return {v.id: v for v in self.visits}

    @cached_property
    def depot_by_id(self) -> dict[str, PartDepot]:
        return {d.id: d for d in self.depots}

    @property
    def needs_parts(self) -> bool:
        """Some visit needs parts: only then does the solver model vans and pickups at all."""
        return any(v.needs_parts for v in self.visits)

    def depots_for(self, visit: Visit) -> list[PartDepot]:
        """Depots holding every part `visit` needs (none when it needs none)."""
        if not visit.needs_parts:
            return []
        return [d for d in self.depots if d.holds(visit.needs_parts)]
