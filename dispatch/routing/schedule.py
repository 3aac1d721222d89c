"""Earliest-time schedule of one technician's ordered visits: integer ETAs, breaks, waiting, late.

The schedule is the single source of truth for ETAs, used for solver output, live insertion and
feasibility checks. Conventions:

- The technician leaves the start location at shift.start (later when that only removes waiting
  at the first visit), drives, and starts service at the earliest allowed time.
- A break is taken in a "gap" between two stops (gap 0 is before the first visit, gap n after the
  last one). It starts as early as its window allows and the technician may drive during any idle
  time before it, so arrival = max(departure + travel + break durations, break end).
- A visit's service starts inside one of its time windows (and not before `earliest_start`);
  a deadline is soft and only counts as `late`.
- A pickup (`model.Pickup` in the sequence) is a stop at the depot taking its `pickup_service`,
  starting no earlier than the parts are there. The schedule times the sequence it is given: the
  solver and live insertion are the ones that put a pickup before the visit needing it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations_with_replacement
from typing import Mapping, Sequence

from .model import PartDepot, Pickup, RoutingProblem, Technician, Visit
from .result import Route, Stop


@dataclass(frozen=True, slots=True)
class Leg:
    """Precomputed per-stop data for fast repeated simulation: a visit, or (with `depot`) the
    pickup of `visit`'s parts at that depot."""

    visit: Visit
    service: int
    bounds: tuple[tuple[int, int], ...]  # allowed service-start intervals; () = unconstrained
    depot: PartDepot | None = None

    @property
    def location(self) -> int:
        return self.depot.location if self.depot is not None else self.visit.location


OPEN = 2**40  # "no upper bound" for a pickup's start


def pickup_leg(depot: PartDepot, visit: Visit, *, relaxed: bool = False) -> Leg:
    bounds = () if relaxed else ((depot.available_from(visit.needs_parts), OPEN),)
    return Leg(visit, depot.pickup_service, bounds, depot)


def legs_for(tech: Technician, visits: Sequence[Visit | Pickup], relaxed: frozenset[str] = frozenset(),
             problem: RoutingProblem | None = None) -> list[Leg]:
    """Legs for `visits` in order; a `Pickup` needs `problem` to find its depot and visit. A pickup
    for a relaxed (committed) visit is relaxed too."""
    out = []
    for v in visits:
        if isinstance(v, Pickup):
            if problem is None:
                raise ValueError("a sequence with pickups needs the problem")
            out.append(pickup_leg(problem.depot_by_id[v.depot_id], problem.visit_by_id[v.visit_id],
                                  relaxed=v.visit_id in relaxed))
        else:
            out.append(Leg(v, tech.service_seconds(v), () if v.id in relaxed else tuple(v.start_bounds())))
    return out


def simulate(
    problem: RoutingProblem,
    tech: Technician,
    legs: Sequence[Leg],
    break_gaps: Sequence[int],
    *,
    durations: Sequence[Sequence[int]] | None = None,
) -> Route | None:
    """Schedule `legs` in order with break i taken in gap break_gaps[i]; None when infeasible."""
    dur = problem.durations if durations is None else durations
    n = len(legs)
    locations = [tech.start_location] + [leg.location for leg in legs]
    end_loc = tech.end_location
    if tech.max_visits is not None and sum(leg.depot is None for leg in legs) > tech.max_visits:
        return None
    if tech.capacity is not None and sum(leg.visit.demand for leg in legs if leg.depot is None) > tech.capacity:
        return None
    breaks_in_gap: list[list[int]] = [[] for _ in range(n + 1)]
    for b, g in enumerate(break_gaps):
        if not 0 <= g <= n:
            return None
        breaks_in_gap[g].append(b)
    stops: list[Stop] = []
    now = tech.shift.start
    stops.append(Stop("start", None, now, now, now, 0, tech.start_location))
    travel_total = 0
    distance_total = 0 if problem.distances is not None else None
    for g in range(n + 1):
        prev = locations[g]
        nxt = locations[g + 1] if g < n else end_loc
        travel = 0 if nxt is None else int(dur[prev][nxt])
        travel_total += travel
        if distance_total is not None and nxt is not None:
            distance_total += int(problem.distances[prev, nxt])
        cur, idle = now, 0
        for b in breaks_in_gap[g]:
            brk = tech.breaks[b]
            bs = max(cur, brk.window.start)
            if bs > brk.latest_start:
                return None
            idle += bs - cur
            cur = bs + brk.duration
            stops.append(Stop("break", None, bs, bs, cur, 0, None))
        ready = cur + max(0, travel - idle)
        if g == n:
            if ready > tech.shift.end:
                return None
            end_location = end_loc if end_loc is not None else prev
            home = now + travel
            if breaks_in_gap[g] and all(stops[-k - 1].start >= home for k in range(len(breaks_in_gap[g]))):
                # Breaks after the technician is back are outside the working route: list them last.
                k = len(breaks_in_gap[g])
                stops.insert(len(stops) - k, Stop("end", None, home, home, home, 0, end_location))
            else:
                stops.append(Stop("end", None, ready, ready, ready, 0, end_location))
            break
        leg = legs[g]
        start = _earliest_start(ready, leg.bounds)
        if start is None:
            return None
        departure = start + leg.service
        if departure > tech.shift.end:
            return None
        if leg.depot is not None:
            stops.append(Stop("pickup", leg.visit.id, ready, start, departure, start - ready, nxt,
                              depot_id=leg.depot.id))
        else:
            deadline = leg.visit.deadline
            late = max(0, start - deadline) if deadline is not None else 0
            stops.append(Stop("visit", leg.visit.id, ready, start, departure, start - ready, nxt, late))
        now = departure
    _delay_departure(stops)
    return Route(tech.id, stops, travel_total, distance_total)


def _earliest_start(ready: int, bounds: tuple[tuple[int, int], ...]) -> int | None:
    if not bounds:
        return ready
    for lo, hi in bounds:
        if ready <= hi:
            return max(ready, lo)
    return None


def _delay_departure(stops: list[Stop]) -> None:
    """Leave later instead of waiting at the first stop (only when no break comes first)."""
    if len(stops) < 3 or stops[1].kind not in ("visit", "pickup") or stops[1].waiting <= 0:
        return
    w = stops[1].waiting
    s0, s1 = stops[0], stops[1]
    stops[0] = Stop("start", None, s0.arrival + w, s0.start + w, s0.departure + w, 0, s0.location)
    stops[1] = replace(s1, arrival=s1.arrival + w, waiting=0)


def schedule(
    problem: RoutingProblem,
    tech: Technician,
    visits: Sequence[Visit | Pickup],
    *,
    break_hint: Sequence[int] | None = None,
    relaxed: frozenset[str] = frozenset(),
    durations: Sequence[Sequence[int]] | None = None,
) -> Route | None:
    """Best feasible schedule of `visits` (visits and pickups) in this order, or None.

    Tries `break_hint` first (the solver's placement); otherwise every non-decreasing assignment of
    breaks to gaps, keeping the one with the least lateness, then the earliest finish."""
    legs = legs_for(tech, visits, relaxed, problem)
    if break_hint is not None and len(break_hint) == len(tech.breaks):
        route = simulate(problem, tech, legs, break_hint, durations=durations)
        if route is not None:
            return route
    return best_over_break_gaps(problem, tech, legs, durations=durations)


def best_over_break_gaps(
    problem: RoutingProblem,
    tech: Technician,
    legs: Sequence[Leg],
    *,
    durations: Sequence[Sequence[int]] | None = None,
) -> Route | None:
    k = len(tech.breaks)
    if k == 0:
        return simulate(problem, tech, legs, (), durations=durations)
    best, best_key = None, None
    for gaps in combinations_with_replacement(range(len(legs) + 1), k):
        route = simulate(problem, tech, legs, gaps, durations=durations)
        if route is None:
            continue
        key = (route.late_seconds, route.end_time)
        if best_key is None or key < best_key:
            best, best_key = route, key
    return best


def timed_routes(problem: RoutingProblem,
                 routes_by_tech: Mapping[str, tuple[Sequence[str | Pickup], Sequence[int]]]
                 ) -> tuple[list[Route], bool]:
    """Timed routes for technician id -> (visit ids and Pickups in order, break gap per break) in
    the problem's technician order, and whether every route keeps its shift. A route that does
    not (e.g. committed work overrunning the shift) is still timed, shift end lifted and windows relaxed."""
    techs = problem.technician_by_id
    visits = problem.visit_by_id
    out, feasible = [], True
    for tech in problem.technicians:
        if tech.id not in routes_by_tech:
            continue
        ids, gaps = routes_by_tech[tech.id]
        if not ids:
            continue
        seq = [v if isinstance(v, Pickup) else visits[v] for v in ids]
        relaxed = frozenset(v.id for v in seq if isinstance(v, Visit) and v.pinned_sequence is not None)
        route = schedule(problem, techs[tech.id], seq, break_hint=gaps, relaxed=relaxed)
        if route is None:
            feasible = False
            route = schedule(problem, replace(tech, shift=replace(tech.shift, end=2**40)), seq,
                             break_hint=gaps, relaxed=frozenset(v.id for v in seq if isinstance(v, Visit)))
        out.append(route)
    return out, feasible
