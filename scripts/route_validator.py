"""An answer checker for routing benchmarks, written apart from every solver and from
`dispatch.routing.schedule`: it reads the problem's plain data (`dispatch.routing.model`) and
recomputes each route from the travel matrix, so no solver marks its own homework.

Input: a `RoutingProblem` and `{technician id: [visit id, ...]}` (the order is the route). For each
route it recomputes when the technician arrives and starts each visit: leaving home at the shift
start, travel from the duration matrix, waiting for a visit's window to open, service time scaled by
the technician's level in the visit's skill (the model's factor table, rounded up), and back home by
the shift end. Breaks need no place: one may be taken between two stops, split travel or fill a wait,
never during a service; it lies wholly inside its window. Whether some placement of every break
works is decided exactly (earliest-time dynamic programme over the gaps).

Violations, by kind:
  unknown_technician, unknown_visit, duplicate_visit (a visit on two routes or twice on one),
  skill (not qualified, or below the minimum level), cap (more visits than the daily cap, once per
  route), capacity (demand over the van's capacity), pinned (on someone else's route),
  window (a visit that cannot start inside any of its windows, once per visit),
  shift (home after the shift end, once per route),
  break (the route is on time without breaks but no placement of them fits, once per route).
Timing is judged first without breaks, so a late route counts as window/shift, not also as break.

`served` and `priority_served` count the visits on routes without any violation (a plan with a
broken route cannot be carried out as given); `travel` is the whole driven time of every route.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from dispatch.routing.model import SKILL_LEVEL_FACTOR, RoutingProblem, Technician, Visit

NOMINAL_LEVEL = 2
NEVER = None


@dataclass
class Validation:
    served: int = 0
    priority_served: int = 0
    travel: int = 0  # seconds, every route
    assigned: int = 0  # visits on routes, broken or not
    routes: int = 0  # non-empty routes
    violations: Counter = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    @property
    def violation_count(self) -> int:
        return sum(self.violations.values())

    def summary(self) -> str:
        return ", ".join(f"{k} {n}" for k, n in sorted(self.violations.items())) or "none"


def service_time(tech: Technician, visit: Visit) -> int:
    level = tech.skills.get(visit.required_skill, NOMINAL_LEVEL) if visit.required_skill else NOMINAL_LEVEL
    percent = round(SKILL_LEVEL_FACTOR[level] * 100)
    return -(-visit.service * percent // 100)  # rounded up: a slow technician is never planned early


def qualified(tech: Technician, visit: Visit) -> bool:
    if visit.required_skill is not None and tech.skills.get(visit.required_skill, 0) < visit.min_skill_level:
        return False
    return all(s in tech.skills for s in visit.extra_skills)


def start_in_window(visit: Visit, ready: int):
    """Earliest service start at or after `ready` inside one of the visit's windows, else None."""
    if not visit.time_windows:
        return ready if visit.earliest_start is None else max(ready, visit.earliest_start)
    for w in visit.time_windows:
        lo = w.start if visit.earliest_start is None else max(w.start, visit.earliest_start)
        start = max(ready, lo)
        if start <= w.end:
            return start
    return NEVER


def after_gap(depart: int, travel: int, breaks) -> int | None:
    """Earliest time the next stop can be reached leaving at `depart` with `travel` seconds to drive
    and `breaks` (in order) to take on the way, or None when a break cannot fit its window."""
    clock, left = depart, travel
    for brk in breaks:
        begin = max(clock, brk.window.start)
        left -= min(left, begin - clock)  # drive while waiting for the break window
        if begin + brk.duration > brk.window.end:
            return NEVER
        clock = begin + brk.duration
    return clock + left


def _stops(problem: RoutingProblem, tech: Technician, visits: list[Visit]) -> list[int]:
    locs = [tech.start_location] + [v.location for v in visits]
    if tech.end_location is not None:
        locs.append(tech.end_location)
    return locs


def feasible_with_breaks(problem: RoutingProblem, tech: Technician, visits: list[Visit]) -> bool:
    breaks = sorted(tech.breaks, key=lambda b: (b.window.start, b.window.end))
    d = problem.durations
    # best[k]: earliest departure from the current stop with the first k breaks taken.
    best: dict[int, int] = {0: tech.shift.start}
    prev = tech.start_location
    for visit in visits:
        travel = int(d[prev, visit.location])
        nxt: dict[int, int] = {}
        for k, depart in best.items():
            for j in range(k, len(breaks) + 1):
                ready = after_gap(depart, travel, breaks[k:j])
                if ready is NEVER:
                    break
                start = start_in_window(visit, ready)
                if start is NEVER:
                    continue
                done = start + service_time(tech, visit)
                if done < nxt.get(j, done + 1):
                    nxt[j] = done
        if not nxt:
            return False
        best, prev = nxt, visit.location
    travel = int(d[prev, tech.end_location]) if tech.end_location is not None else 0
    k_all = len(breaks)
    for k, depart in best.items():
        home = after_gap(depart, travel, breaks[k:k_all])
        if home is not NEVER and home <= tech.shift.end:
            return True
    return False


def timing_without_breaks(problem: RoutingProblem, tech: Technician, visits: list[Visit]):
    """(late visits, home after the shift end?) ignoring breaks, carrying on after a late visit."""
    d = problem.durations
    clock, prev, late = tech.shift.start, tech.start_location, []
    for visit in visits:
        ready = clock + int(d[prev, visit.location])
        start = start_in_window(visit, ready)
        if start is NEVER:
            late.append(visit.id)
            start = ready
        clock, prev = start + service_time(tech, visit), visit.location
    if tech.end_location is not None:
        clock += int(d[prev, tech.end_location])
    return late, clock > tech.shift.end


def validate(problem: RoutingProblem, routes: dict[str, list[str]]) -> Validation:
    if problem.depots or any(v.needs_parts for v in problem.visits):
        raise ValueError("the validator does not check parts pickups")
    techs = {t.id: t for t in problem.technicians}
    visits = {v.id: v for v in problem.visits}
    out = Validation()
    seen: Counter = Counter(v for ids in routes.values() for v in ids)

    def flag(kind: str, text: str) -> None:
        out.violations[kind] += 1
        out.details.append(f"{kind}: {text}")

    for tech_id, ids in routes.items():
        if not ids:
            continue
        tech = techs.get(tech_id)
        if tech is None:
            flag("unknown_technician", tech_id)
            continue
        before = out.violation_count
        known = []
        for vid in ids:
            if vid not in visits:
                flag("unknown_visit", f"{vid} on {tech_id}")
            else:
                known.append(visits[vid])
        for vid in dict.fromkeys(ids):
            if seen[vid] > 1 and vid in visits:
                flag("duplicate_visit", f"{vid} on {tech_id}")
        for v in known:
            if not qualified(tech, v):
                flag("skill", f"{v.id} needs {v.required_skill}>={v.min_skill_level}, {tech_id} has "
                              f"{dict(tech.skills)}")
            if v.pinned_technician is not None and v.pinned_technician != tech_id:
                flag("pinned", f"{v.id} pinned to {v.pinned_technician}, on {tech_id}")
        if tech.max_visits is not None and len(known) > tech.max_visits:
            flag("cap", f"{tech_id} has {len(known)} visits, cap {tech.max_visits}")
        demand = sum(v.demand for v in known)
        if tech.capacity is not None and demand > tech.capacity:
            flag("capacity", f"{tech_id} carries {demand}, capacity {tech.capacity}")
        if not feasible_with_breaks(problem, tech, known):
            late, overtime = timing_without_breaks(problem, tech, known)
            for vid in late:
                flag("window", f"{vid} on {tech_id}")
            if overtime:
                flag("shift", f"{tech_id} home after {tech.shift.end}")
            if not late and not overtime:
                flag("break", f"{tech_id}: no placement of its breaks fits")
        locs = _stops(problem, tech, known)
        out.travel += int(sum(int(problem.durations[a, b]) for a, b in pairwise(locs)))
        out.routes += 1
        out.assigned += len(known)
        if out.violation_count == before:
            out.served += len(known)
            out.priority_served += sum(v.priority for v in known)
    return out
