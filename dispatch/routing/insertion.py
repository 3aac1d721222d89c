"""Live insertion: place ONE new visit into the technicians' planned routes without re-planning.

Cheapest feasible insertion: every qualified technician, every position after the locked prefix
(started or pinned stops), candidates tried in order of added travel; a candidate is feasible when
the whole route still meets windows, earliest starts, shift end, breaks (any gap may hold the
break), max visits and capacity. Among feasible candidates the new visit starting before its SLA
deadline wins first, then not making other visits later than their deadlines, then the least
added travel. Travel pieces come from numpy fancy indexing; the per-candidate check is the time
rules' integer pass (`timing.timeline`, every break placement tried until one is on time), so one
insertion among 50 technicians and 400 open visits takes milliseconds. The returned route is timed
like `schedule()` times that sequence.

Parts: a technician whose van holds every part the new visit needs inserts just the visit; any
other qualified technician inserts it together with a pickup at a depot holding the parts, at any
position up to the visit's (every depot holding them, every pair of positions). Planned routes keep
their own pickups (`Pickup` items in `PlannedRoute.visit_ids`).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .candidates import no_part_reason, pickup_depots, precheck, skill_requirement
from .model import Pickup, RoutingProblem, Technician, Visit
from .result import NO_CAPACITY, NO_PART, NO_SKILL, UNREACHABLE, Route
from .schedule import Leg, best_over_break_gaps, legs_for, pickup_leg
from .timing import Bounds, best_break_gaps, lateness, service_start


@dataclass(frozen=True)
class PlannedRoute:
    technician_id: str
    # The route's stops in order: visit ids, and `Pickup(depot_id, visit_id)` for parts collected
    # on the way (plain visit ids only is fine: a route without pickups).
    visit_ids: Sequence[str | Pickup]
    locked: int = 0  # the first `locked` stops are started or pinned: nothing goes before them


@dataclass(frozen=True)
class Insertion:
    feasible: bool
    technician_id: str | None = None
    position: int | None = None  # index of the new visit in the technician's updated visit list
    added_travel: int | None = None  # seconds (the pickup's detour included)
    route: Route | None = None  # the technician's updated route with ETAs
    late: int = 0  # seconds the new visit starts after its deadline
    reason: str | None = None
    code: str | None = None
    candidates_checked: int = 0
    # (depot id, index in `sequence`) when the parts are collected on the way; None: from the van
    pickup: tuple[str, int] | None = None
    sequence: tuple[str | Pickup, ...] = ()  # the updated stops, ready for the next PlannedRoute


@dataclass
class _RouteData:
    tech: Technician
    legs: list[Leg]
    loc_list: list[int]  # start, stops..., end (when the route has an end)
    consec: list[int]  # travel between consecutive entries of loc_list
    services: list[int]
    bounds: list[Bounds]
    deadlines: list[int | None]
    locs: np.ndarray  # loc_list
    consec_array: np.ndarray  # consec
    visit_count: int  # pickups aside
    demand: int
    base_late: int | None = None  # the route's least lateness as it is, once asked
    departures: list[int] | None = None  # once asked: see `_departures`
    latest: list[int] | None = None  # once asked: see `_latest_arrivals`
    slack: list[int] | None = None  # once asked: per gap, latest arrival after it less earliest departure before it


class RouteCache:
    """Planned routes' data and their stops' legs, for callers inserting many visits into the same
    routes of one problem (see `insert_visit`)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, tuple, int], _RouteData | None] = {}  # (tech id, stops, locked)
        self.legs: dict[tuple[str, str | Pickup, bool], Leg] = {}  # (tech id, stop, relaxed)


def _route_data(problem: RoutingProblem, tech: Technician, plan: PlannedRoute,
                cache: RouteCache | None) -> _RouteData | None:
    """The route's data, or None for a full day (known before its legs are built)."""
    key = (tech.id, tuple(plan.visit_ids), plan.locked)
    if cache is not None and key in cache.routes:
        return cache.routes[key]
    if tech.max_visits is not None and sum(1 for v in plan.visit_ids if not isinstance(v, Pickup)) >= tech.max_visits:
        if cache is not None:
            cache.routes[key] = None
        return None
    by_id = problem.visit_by_id
    dur = problem.durations
    relaxed = frozenset(v for v in plan.visit_ids[:plan.locked] if not isinstance(v, Pickup))
    if cache is None:
        seq = [v if isinstance(v, Pickup) else by_id[v] for v in plan.visit_ids]
        legs = legs_for(problem, tech, seq, relaxed)
    else:
        legs = []
        for stop in plan.visit_ids:
            is_relaxed = (stop.visit_id if isinstance(stop, Pickup) else stop) in relaxed
            leg_key = (tech.id, stop, is_relaxed)
            leg = cache.legs.get(leg_key)
            if leg is None:
                leg = cache.legs[leg_key] = legs_for(
                    problem, tech, [stop if isinstance(stop, Pickup) else by_id[stop]], relaxed)[0]
            legs.append(leg)
    visits = [leg.visit for leg in legs if leg.depot is None]
    locs = np.array([tech.start_location] + [leg.location for leg in legs]
                    + ([tech.end_location] if tech.end_location is not None else []), dtype=np.int64)
    consec = dur[locs[:-1], locs[1:]]
    data = _RouteData(
        tech, legs, locs.tolist(), consec.tolist(), [leg.service for leg in legs],
        [leg.bounds for leg in legs], [leg.visit.deadline if leg.depot is None else None for leg in legs],
        locs, consec, len(visits), sum(v.demand for v in visits))
    if cache is not None:
        cache.routes[key] = data
    return data


def _departures(data: _RouteData) -> list[int]:
    """Earliest departure from the start (entry 0) and from each stop (entry i + 1 for stop i) with no
    break taken, as far as the route keeps its windows and shift: the list stops at the first stop
    that does not. A break only delays what follows it and a stop's start only grows with its
    arrival, so the route's stops never leave earlier than this whatever is inserted after them."""
    if data.departures is None:
        shift = data.tech.shift
        now = shift.start
        out = [now]
        for travel, service, bounds in zip(data.consec, data.services, data.bounds):
            start = service_start(now + travel, bounds)
            if start is None:
                break
            now = start + service
            if now > shift.end:
                break
            out.append(now)
        data.departures = out
    return data.departures


NEVER = -(2**62)


def _latest_arrivals(data: _RouteData) -> list[int]:
    """Per stop (entry i for stop i, entry n for the way back), the latest arrival from which the rest
    of the route, taken with no break, still keeps its windows and shift; NEVER when none does. A
    later arrival only makes every following start later, and a break only delays, so a route
    reaching a stop after this is infeasible."""
    if data.latest is None:
        shift_end = data.tech.shift.end
        n = len(data.services)
        out = [0] * (n + 1)
        out[n] = shift_end
        consec = data.consec
        for i in range(n - 1, -1, -1):
            onward = consec[i + 1] if i + 1 < len(consec) else 0  # an open route's last gap has no travel
            limit = min(shift_end, out[i + 1] - onward) - data.services[i]
            bounds = data.bounds[i]
            if not bounds:
                out[i] = limit
                continue
            latest = NEVER
            for lo, hi in bounds:
                if lo <= limit:
                    latest = max(latest, min(hi, limit))
            out[i] = latest
        data.latest = out
    return data.latest


def _gaps_on_time(data: _RouteData, locked: int, leg: Leg, dur: np.ndarray) -> list[int]:
    """The gaps after `locked` where `leg` inserted alone may start on time; in every other one it
    surely misses a window, the shift or its deadline, or makes a later stop miss one, found without
    timing the route: even leaving the stop before at its earliest (`_departures`), with no break on
    the way, the leg cannot start on time there, or it reaches the next stop after that stop's latest
    arrival (`_latest_arrivals`). Exact without breaks, no triangle inequality needed (the stops
    before the gap keep their legs).

    The range is narrowed first without looking at each gap: the earliest departures only grow along
    the route, so after the first one later than the leg's last allowed start every gap is too late;
    the latest arrivals only grow too, so every gap whose latest arrival comes before the leg's
    earliest possible end of service is too early; and no gap fits when none leaves the leg's service
    between the earliest departure before it and the latest arrival after it."""
    deps = _departures(data)
    latest = _latest_arrivals(data)
    bounds = leg.bounds
    service = leg.service
    deadline = leg.visit.deadline
    last = bounds[-1][1] if bounds else None
    if deadline is not None:
        last = deadline if last is None else min(last, deadline)
    end = len(deps) if last is None else bisect_right(deps, last)  # gaps before `end` leave in time
    begin = max(locked, bisect_left(latest, bounds[0][0] + service)) if bounds else locked
    if end <= begin:
        return []
    if data.slack is None:
        data.slack = [a - d for a, d in zip(latest, deps)]
    if max(data.slack[begin:end]) < service:
        return []
    x = leg.location
    locs = data.loc_list
    shift_end = data.tech.shift.end
    out = []
    for gap in range(begin, end):
        start = service_start(deps[gap] + int(dur[locs[gap], x]), bounds)
        if start is None:
            continue
        leaves = start + service
        if leaves > shift_end or (deadline is not None and start > deadline):
            continue
        if gap + 1 < len(locs):
            leaves += int(dur[x, locs[gap + 1]])
        if leaves <= latest[gap]:
            out.append(gap)
    return out


FULL_REASON = "every qualified technician is full (visit or capacity limit)"
NO_ON_TIME_REASON = "no qualified technician has an on-time place for it"


def insert_visit(problem: RoutingProblem, routes: Sequence[PlannedRoute], visit: Visit, *,
                 on_time_only: bool = False, route_cache: RouteCache | None = None) -> Insertion:
    """Best feasible insertion of `visit` (which must not already be planned), or the reason none
    exists. `problem` holds the technicians, the matrices, the depots and every visit named in
    `routes`.

    `on_time_only`: for callers that only take an on-time place (making room); the answer is the same
    when the best insertion starts the visit on time, otherwise infeasible, found without timing the
    candidates that surely cannot be on time. `route_cache` keeps each planned route's data for the
    next calls with the same problem."""
    dur = problem.durations
    planned = {r.technician_id: r for r in routes}
    qualified = [t for t in problem.technicians
                 if (visit.pinned_technician is None or visit.pinned_technician == t.id) and t.can_do(visit)]
    if not qualified:
        return Insertion(False, reason=f"no technician has the skill {visit.required_skill!r}"
                                    f"{skill_requirement(visit)}", code=NO_SKILL)
    depots = [problem.depots[k] for k in pickup_depots(problem, visit, limit=None)]
    if visit.needs_parts and not depots and not any(t.holds_parts(visit) for t in qualified):
        return Insertion(False, reason=no_part_reason(visit), code=NO_PART)

    x = visit.location
    candidates = []  # (added travel, tech id, visit gap, (depot index, pickup gap) or None)
    datas: dict[str, _RouteData] = {}
    new_legs: dict[str, Leg] = {}
    bounds = tuple(visit.start_bounds())
    for tech in qualified:
        plan = planned.get(tech.id, PlannedRoute(tech.id, ()))
        data = _route_data(problem, tech, plan, route_cache)
        if data is None:
            continue  # a full day
        if tech.capacity is not None and data.demand + visit.demand > tech.capacity:
            continue
        leg = new_legs[tech.id] = Leg(visit, tech.service_seconds(visit), bounds)
        datas[tech.id] = data
        holds = tech.holds_parts(visit)
        if on_time_only and holds:
            # The few gaps left are added up one by one: no array is worth building for them.
            candidates.extend((_added_at(data, gap, x, dur), tech.id, gap, None)
                              for gap in _gaps_on_time(data, plan.locked, leg, dur))
            continue
        locs, consec = data.locs, data.consec_array
        positions = np.arange(plan.locked, len(data.legs) + 1)
        added = _added_travel(dur, locs, consec, positions, x)
        if holds:
            candidates.extend((int(a), tech.id, int(p), None) for a, p in zip(added, positions))
            continue
        for k, depot in enumerate(depots):
            # Pickup in gap q, visit in gap p >= q: both detours add up when q < p; when q == p
            # the technician drives ... -> depot -> visit -> ... in one detour.
            pick = _added_travel(dur, locs, consec, positions, depot.location)
            both = pick[:, None] + added[None, :]
            same = dur[locs[positions], depot.location] + int(dur[depot.location, x]) + added - dur[locs[positions], x]
            for qi, q in enumerate(positions):
                candidates.append((int(same[qi]), tech.id, int(q), (k, int(q))))
                candidates.extend((int(both[qi, pi]), tech.id, int(p), (k, int(q)))
                                  for pi, p in enumerate(positions) if p > q)
    if not candidates and on_time_only:
        return Insertion(False, reason=NO_ON_TIME_REASON, code=NO_CAPACITY)
    if not candidates:
        return Insertion(False, reason=FULL_REASON, code=NO_CAPACITY)

    candidates.sort(key=lambda c: c[:3])  # stable: for equal travel, the van first
    pickup_legs = [pickup_leg(d, visit) for d in depots]
    best = None  # (key, tech id, the inserts, index of the new visit, pickup)
    checked = 0
    alone: dict[tuple, bool] = {}  # (tech id, gap, depot index or None): that stop alone fits there

    def check(data: _RouteData, inserts: list[tuple[int, Leg]]):
        nonlocal checked
        checked += 1
        watch = inserts[-1][0] + len(inserts) - 1  # the last insert's index in the new route
        return inserts, watch, _placement(data.tech, *_spliced(data, inserts, dur), watch)

    def fits_alone(data: _RouteData, gap: int, leg: Leg, depot: int | None) -> bool:
        key = (data.tech.id, gap, depot)
        if key not in alone:
            alone[key] = check(data, [(gap, leg)])[2] is not None
        return alone[key]

    for added, tech_id, pos, pick in candidates:
        if best is not None and best[0][:2] == (0, 0):
            break  # an on-time candidate with the least travel is already found
        if best is not None and best[0][0] == 0 and added >= best[0][2]:
            break
        data = datas[tech_id]
        if pick is None:
            legs, watch, found = check(data, [(pos, new_legs[tech_id])])
        else:
            # Pruning: if the pickup alone, or the visit alone, does not fit, the pair cannot either
            # (a further stop only delays what follows it, travel obeying the triangle inequality).
            if not (fits_alone(data, pick[1], pickup_legs[pick[0]], pick[0])
                    and fits_alone(data, pos, new_legs[tech_id], None)):
                continue
            legs, watch, found = check(data, [(pick[1], pickup_legs[pick[0]]), (pos, new_legs[tech_id])])
        if found is None:
            continue
        new_late, total_late = found
        if on_time_only and new_late > 0:
            continue
        if data.base_late is None:
            base = _placement(data.tech, data.consec, data.services, data.bounds, data.deadlines, None)
            data.base_late = base[1] if base is not None else 0
        key = (int(new_late > 0), int(total_late - new_late > data.base_late), added, new_late)
        if best is None or key < best[0]:
            best = (key, tech_id, legs, watch, pick)  # legs: the inserts, for now
    if best is None and on_time_only:
        return Insertion(False, reason=NO_ON_TIME_REASON, code=NO_CAPACITY, candidates_checked=checked)
    if best is None:
        single = RoutingProblem(problem.technicians, (visit,), problem.durations, problem.distances, problem.depots)
        if 0 not in precheck(single)[0]:
            return Insertion(False, reason="no qualified technician can reach it within its time windows and shift",
                             code=UNREACHABLE, candidates_checked=checked)
        return Insertion(False, reason="no qualified technician has room for it in the time available",
                         code=NO_CAPACITY, candidates_checked=checked)
    key, tech_id, inserts, watch, pick = best
    legs = _with(datas[tech_id].legs, inserts)
    route = best_over_break_gaps(problem, datas[tech_id].tech, legs)  # the placement schedule() would give
    sequence = tuple(route.sequence)
    position = sum(1 for leg in legs[:watch] if leg.depot is None)
    pickup = (depots[pick[0]].id, pick[1]) if pick is not None else None  # inserted first, so its gap is its index
    return Insertion(True, tech_id, position, key[2], route, key[3], candidates_checked=checked,
                     pickup=pickup, sequence=sequence)


def _added_travel(dur: np.ndarray, locs: np.ndarray, consec: np.ndarray, positions: np.ndarray, at: int) -> np.ndarray:
    """Extra travel of visiting location `at` in each gap of `positions` (gap p = between stop p-1
    and stop p; an open route's last gap only adds the way in)."""
    inner = positions[positions + 1 < len(locs)]  # gaps with a stop after them
    added = dur[locs[positions], at].copy()
    added[: len(inner)] += dur[at, locs[inner + 1]] - consec[inner]
    return added


def _added_at(data: _RouteData, gap: int, at: int, dur: np.ndarray) -> int:
    """`_added_travel` of one gap."""
    locs = data.loc_list
    added = int(dur[locs[gap], at])
    if gap + 1 < len(locs):
        added += int(dur[at, locs[gap + 1]]) - data.consec[gap]
    return added


def _spliced(data: _RouteData, inserts: Sequence[tuple[int, Leg]], dur: np.ndarray):
    """(travels, services, bounds, deadlines) of the route with each (gap, leg) of `inserts`
    inserted (gaps of the original route, non-decreasing), reusing the route's own pieces."""
    locs, consec = data.loc_list, data.consec
    travels: list[int] = []
    services: list[int] = []
    bounds: list[Bounds] = []
    deadlines: list[int | None] = []
    last_gap, last_stop, prev = -1, 0, -1
    for gap, leg in inserts:
        if gap != last_gap:
            if last_gap >= 0 and last_gap + 1 < len(locs):
                travels.append(int(dur[prev, locs[last_gap + 1]]))
            travels += consec[last_gap + 1:gap]
            prev = locs[gap]
        travels.append(int(dur[prev, leg.location]))
        prev = leg.location
        services += data.services[last_stop:gap]
        bounds += data.bounds[last_stop:gap]
        deadlines += data.deadlines[last_stop:gap]
        services.append(leg.service)
        bounds.append(leg.bounds)
        deadlines.append(leg.visit.deadline if leg.depot is None else None)
        last_gap, last_stop = gap, gap
    if last_gap + 1 < len(locs):
        travels.append(int(dur[prev, locs[last_gap + 1]]))
    travels += consec[last_gap + 1:]
    services += data.services[last_stop:]
    bounds += data.bounds[last_stop:]
    deadlines += data.deadlines[last_stop:]
    return travels, services, bounds, deadlines


def _with(legs: Sequence[Leg], inserts: Sequence[tuple[int, Leg]]) -> list[Leg]:
    """`legs` with each (gap, leg) inserted (gaps refer to the original list, in order; the later
    of two inserts into the same gap comes second)."""
    out = list(legs)
    for shift, (gap, leg) in enumerate(inserts):
        out.insert(gap + shift, leg)
    return out


def _placement(tech: Technician, travels: list[int], services: list[int], bounds: list[Bounds],
               deadlines: list[int | None], watch: int | None):
    """(late of stop `watch`, total late) of the route's best break placement, None when infeasible."""
    found = best_break_gaps(tech.shift, tech.breaks, travels, services, bounds, deadlines, any_on_time=True)
    if found is None:
        return None
    times = found[1]
    return (lateness(times.starts[watch], deadlines[watch]) if watch is not None else 0), times.late
