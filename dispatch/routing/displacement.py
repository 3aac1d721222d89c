"""Making room for urgent work: when an important visit finds no on-time place, move one not-yet-started
visit of lower priority from a nearby qualified technician's route to another place, then put the
important visit in the room made.

Both placements are live insertions (`insert_visit`), so the visit moved keeps its time windows (a
customer's promised window is hard there) and may go to any technician able to take it, its first one
included. A move is accepted only when nothing gets later than it was: the important visit is on time,
the moved visit is not later than its deadline allows, and no route changed carries more lateness than
before. Moves are tried in order of the travel the important visit adds; the first accepted one wins.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .insertion import Insertion, PlannedRoute, RouteCache, insert_visit
from .model import Pickup, RoutingProblem, Visit
from .result import Route
from .schedule import schedule

# Technicians tried, nearest first: room far away is no room for urgent work.
NEAREST_TECHNICIANS = 6


@dataclass(frozen=True)
class RoomMade:
    placed: Insertion  # the important visit's place (its route before the moved visit went elsewhere)
    moved_visit_id: str
    moved_to: Insertion  # where the moved visit went; its route is that technician's final route
    routes: dict[str, Route]  # technician id -> final timed route, for every technician changed
    added_travel: int  # seconds, both changes together


def make_room(problem: RoutingProblem, routes: Sequence[PlannedRoute], visit: Visit, *,
              nearest: int = NEAREST_TECHNICIANS) -> RoomMade | None:
    """An on-time place for `visit` made by moving one lower-priority, unpinned visit, or None."""
    by_id = problem.visit_by_id
    techs = problem.technician_by_id
    planned = {r.technician_id: r for r in routes}
    dur = problem.durations
    qualified = [t for t in problem.technicians if t.can_do(visit)
                 and visit.pinned_technician in (None, t.id) and planned.get(t.id)]

    def closeness(tech) -> int:
        stops = [s for s in planned[tech.id].visit_ids if not isinstance(s, Pickup)]
        return min([int(dur[tech.start_location, visit.location])]
                   + [int(dur[by_id[s].location, visit.location]) for s in stops])

    before: dict[str, Route | None] = {}

    def lateness_before(tech_id: str) -> int:
        if tech_id not in before:
            plan = planned.get(tech_id)
            seq = [s if isinstance(s, Pickup) else by_id[s] for s in plan.visit_ids] if plan else []
            before[tech_id] = schedule(problem, techs[tech_id], seq) if seq else None
        route = before[tech_id]
        return route.late_seconds if route is not None else 0

    # Every move has a cheap half (the urgent visit into one route without the moved visit) and a
    # costly one (the moved visit anywhere); moves are taken in order of the first half's added travel,
    # the first whose both halves hold wins. A first half is timed only when it could come next: its
    # detour ignoring time windows is a lower bound of its added travel, so halves are timed in order
    # of that bound and one is tried once no untimed half could come before it.
    cache = RouteCache()  # the routes other than the one making room are the same for every move
    bounded = []
    for tech in sorted(qualified, key=closeness)[:nearest]:
        plan = planned[tech.id]
        for index in range(plan.locked, len(plan.visit_ids)):
            stop = plan.visit_ids[index]
            if isinstance(stop, Pickup):
                continue
            moved = by_id[stop]
            if moved.priority >= visit.priority or moved.pinned_technician is not None:
                continue
            remaining = [s for s in plan.visit_ids if s != stop and not (isinstance(s, Pickup) and s.visit_id == stop)]
            bound = _least_detour(problem, tech, remaining, plan.locked, visit.location)
            bounded.append((bound, len(bounded), tech.id, moved, remaining))
    bounded.sort(key=lambda b: b[:2])
    timed: list[tuple] = []  # heap of (added travel, tech id, order, moved, placed)
    for k in range(len(bounded) + 1):
        next_bound = bounded[k][0] if k < len(bounded) else None
        while timed and (next_bound is None or timed[0][0] < next_bound):
            _added, tech_id, _order, moved, placed = heapq.heappop(timed)
            room = _second_half(problem, routes, planned[tech_id], placed, moved, before, lateness_before, cache)
            if room is not None:
                return room
        if next_bound is None:
            break
        _bound, order, tech_id, moved, remaining = bounded[k]
        placed = insert_visit(problem, [PlannedRoute(tech_id, remaining, planned[tech_id].locked)],
                              replace(visit, pinned_technician=tech_id), on_time_only=True, route_cache=cache)
        if placed.feasible and placed.late == 0:
            heapq.heappush(timed, (placed.added_travel, tech_id, order, moved, placed))
    return None


def _second_half(problem, routes, plan, placed, moved, before, lateness_before, cache) -> RoomMade | None:
    """The moved visit anywhere once the urgent one took its room, or None when that breaks a promise."""
    tech_id = plan.technician_id
    after_first = [r for r in routes if r.technician_id != tech_id]
    after_first.append(PlannedRoute(tech_id, placed.sequence, plan.locked))
    moved_to = insert_visit(problem, after_first, moved, on_time_only=True, route_cache=cache)
    if not moved_to.feasible or moved_to.late > 0:
        return None
    final = {tech_id: placed.route, moved_to.technician_id: moved_to.route}
    if any(route.late_seconds > lateness_before(tid) for tid, route in final.items()):
        return None
    travel_before = sum(r.travel_seconds for r in (before.get(t) for t in final) if r is not None)
    return RoomMade(placed, moved.id, moved_to, final, sum(r.travel_seconds for r in final.values()) - travel_before)


def _least_detour(problem: RoutingProblem, tech, stops, locked: int, location: int) -> int:
    """The least travel a visit at `location` adds anywhere after the locked prefix of the route `stops`,
    time windows aside: no timed insertion there adds less."""
    by_id = problem.visit_by_id
    depots = {d.id: d.location for d in problem.depots}
    places = [tech.start_location] + [depots[s.depot_id] if isinstance(s, Pickup) else by_id[s].location
                                      for s in stops]
    ends = places[1:] + ([tech.end_location] if tech.end_location is not None else [None])
    dur = problem.durations
    best = None
    for gap in range(locked, len(places)):
        a, b = places[gap], ends[gap]
        detour = int(dur[a, location]) + (int(dur[location, b]) - int(dur[a, b]) if b is not None else 0)
        best = detour if best is None or detour < best else best
    return best if best is not None else 0
