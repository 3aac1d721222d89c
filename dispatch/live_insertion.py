"""Live insertion: the cheapest feasible place for ONE new visit in the current routes.

Pure (no database). For each qualified technician, every position after the work already under way
is a candidate; candidates are tried in order of a lower bound on the travel they add (the detour
d(prev, new) + d(new, next) - d(prev, next)), and a technician's search stops once that bound cannot
beat the best place found. Each candidate is checked by the full schedule (shift, lunch break, time
windows, earliest start), so an accepted place is always feasible and its ETAs are exact.
"""
from __future__ import annotations

from dataclasses import dataclass

from dispatch.routing.model import RoutingProblem, Technician, Visit
from dispatch.routing.result import Route
from dispatch.routing.schedule import schedule


@dataclass(frozen=True)
class Insertion:
    technician_id: str | None
    position: int | None
    route: Route | None  # the technician's whole new route, with the ETAs of every stop
    added_travel: int = 0
    reason: str = ""


def _detour(problem: RoutingProblem, tech: Technician, sequence: list[Visit], position: int, visit: Visit) -> int:
    d = problem.durations
    before = tech.start_location if position == 0 else sequence[position - 1].location
    after = sequence[position].location if position < len(sequence) else tech.end_location
    if after is None:
        return int(d[before][visit.location])
    return int(d[before][visit.location] + d[visit.location][after] - d[before][after])


def _started_prefix(sequence: list[Visit]) -> int:
    """Visits pinned in sequence are under way: nothing may be put before them."""
    count = 0
    for visit in sequence:
        if visit.pinned_sequence is None:
            break
        count += 1
    return count


def best_insertion(problem: RoutingProblem, routes: dict[str, list[str]], visit_id: str) -> Insertion:
    visits = problem.visit_by_id
    visit = visits[visit_id]
    qualified = [t for t in problem.technicians if t.can_do(visit)
                 and (visit.pinned_technician is None or visit.pinned_technician == t.id)]
    if not qualified:
        return Insertion(None, None, None, reason="no working technician has the skill")

    best: Insertion | None = None
    best_key: tuple | None = None
    full, unschedulable = 0, 0
    for tech in qualified:
        sequence = [visits[v] for v in routes.get(tech.id, []) if v in visits and v != visit_id]
        if tech.max_visits is not None and len(sequence) >= tech.max_visits:
            full += 1
            continue
        current = schedule(problem, tech, sequence)
        if current is None:
            unschedulable += 1  # the day as it stands no longer fits (e.g. the shift is nearly over)
            continue
        candidates = sorted((_detour(problem, tech, sequence, p, visit), p)
                            for p in range(_started_prefix(sequence), len(sequence) + 1))
        for bound, position in candidates:
            if best_key is not None and (0, bound) >= best_key[:2]:
                break  # no later place of this technician can add less travel
            route = schedule(problem, tech, sequence[:position] + [visit] + sequence[position:])
            if route is None:
                continue
            new_stop = next(s for s in route.stops if s.visit_id == visit_id)
            added = route.travel_seconds - current.travel_seconds
            # Meeting the new job's deadline first, then not making others later, then least travel.
            key = (int(new_stop.late > 0), added + (route.late_seconds - current.late_seconds - new_stop.late),
                   new_stop.start)
            if best_key is None or key < best_key:
                best, best_key = Insertion(tech.id, position, route, added), key
    if best is not None:
        return best
    if full == len(qualified):
        return Insertion(None, None, None, reason="every qualified technician has reached the daily job cap")
    return Insertion(None, None, None,
                     reason=f"no room in the shifts of {len(qualified)} qualified technician(s)")
