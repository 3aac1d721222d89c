"""The typed result of a routing solve, shaped like PyVRP's `Result`: routes with integer ETAs,
unassigned visits with the reason, the objective and how long the solve took."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .model import Pickup

StopKind = Literal["start", "visit", "pickup", "break", "end"]

# Reason codes for unassigned visits; `Unassigned.reason` carries the readable sentence.
NO_SKILL = "no_skill"
UNREACHABLE = "unreachable"
PINNED_INVALID = "pinned_invalid"
NO_CAPACITY = "no_capacity"
NO_TECHNICIAN = "no_technician"
NO_PART = "no_part"  # no van and no depot holds the parts the visit needs

NO_CAPACITY_REASON = "not enough capacity in the time available"


@dataclass(frozen=True, slots=True)
class Stop:
    """One step of a route. For a visit, `arrival` is when the technician is at the door and free
    (after travel and any break taken on the way), `start` when service starts (arrival + waiting),
    `departure` when it ends. For a break, arrival = start and departure = start + duration.
    A pickup (collecting parts at a depot) carries `depot_id` and, as `visit_id`, the visit the parts
    are for; its `start` is never before the parts are there. Read `kind` before `visit_id`."""

    kind: StopKind
    visit_id: str | None
    arrival: int
    start: int
    departure: int
    waiting: int = 0
    location: int | None = None
    late: int = 0  # seconds the service starts after the visit's SLA deadline
    depot_id: str | None = None  # pickup stops only


@dataclass(frozen=True, slots=True)
class Route:
    technician_id: str
    stops: list[Stop]
    travel_seconds: int
    distance: int | None  # metres, None when the problem has no distance matrix

    @property
    def visit_ids(self) -> list[str]:
        return [s.visit_id for s in self.stops if s.kind == "visit" and s.visit_id is not None]

    @property
    def pickups(self) -> list[Pickup]:
        return [Pickup(s.depot_id, s.visit_id) for s in self.stops
                if s.kind == "pickup" and s.depot_id is not None and s.visit_id is not None]

    @property
    def sequence(self) -> list[str | Pickup]:
        """Visit ids and pickups in route order (what `PlannedRoute.visit_ids` takes)."""
        return [s.visit_id if s.kind == "visit" else Pickup(s.depot_id, s.visit_id) for s in self.stops
                if s.kind in ("visit", "pickup") and s.visit_id is not None]

    @property
    def service_seconds(self) -> int:
        return sum(s.departure - s.start for s in self.stops if s.kind == "visit")

    @property
    def waiting_seconds(self) -> int:
        return sum(s.waiting for s in self.stops)

    @property
    def late_seconds(self) -> int:
        return sum(s.late for s in self.stops)

    @property
    def duration(self) -> int:
        end = next((s for s in self.stops if s.kind == "end"), None)
        return end.arrival - self.stops[0].departure if end is not None else 0

    @property
    def end_time(self) -> int:
        end = next((s for s in self.stops if s.kind == "end"), None)
        return end.arrival if end is not None else 0


@dataclass(frozen=True, slots=True)
class Unassigned:
    visit_id: str
    reason: str
    code: str = NO_CAPACITY


@dataclass(frozen=True)
class RoutingResult:
    status: str  # "optimal" | "feasible" | "no_solution" | "empty" | "invalid"
    objective: int
    routes: list[Route]
    unassigned: list[Unassigned]
    solve_seconds: float
    feasible: bool
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def used_routes(self) -> list[Route]:
        return [r for r in self.routes if r.visit_ids]

    @property
    def num_served(self) -> int:
        return sum(len(r.visit_ids) for r in self.routes)

    @property
    def travel_seconds(self) -> int:
        return sum(r.travel_seconds for r in self.routes)

    @property
    def distance(self) -> int | None:
        if any(r.distance is None for r in self.routes):
            return None
        return sum(r.distance or 0 for r in self.routes)

    def route_of(self, technician_id: str) -> Route | None:
        return next((r for r in self.routes if r.technician_id == technician_id), None)

    def assignment(self) -> dict[str, str]:
        """visit id -> technician id for every served visit."""
        return {v: r.technician_id for r in self.routes for v in r.visit_ids}
