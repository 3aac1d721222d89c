"""Earliest-time schedule of one technician's ordered visits: integer ETAs, breaks, waiting, late.

The schedule is the single source of truth for ETAs, used for solver output, live insertion and
feasibility checks. The time rules (windows, earliest start, shift, breaks, lateness) are
`timing.timeline`'s; on top of them:

- The technician leaves the start location at shift.start, or later when that only removes
  waiting at the first stop (not when a break comes first).
- A break is taken in a "gap" between two stops (gap 0 is before the first visit, gap n after the
  last one); `schedule` tries the solver's placement first, otherwise the best one
  (`timing.best_break_gaps`: least lateness, then earliest end).
- A pickup (`model.Pickup` in the sequence) is a stop at the depot taking its `pickup_service`,
  starting no earlier than the parts are there. The schedule times the sequence it is given: the
  solver and live insertion are the ones that put a pickup before the visit needing it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .model import PartDepot, Pickup, RoutingProblem, Technician, Visit
from .result import Route, Stop
from .timing import Bounds, best_break_gaps, lateness, timeline


@dataclass(frozen=True, slots=True)
class Leg:
    """Precomputed per-stop data for fast repeated simulation: a visit, or (with `depot`) the
    pickup of `visit`'s parts at that depot."""

    visit: Visit
    service: int
    bounds: Bounds  # allowed service-start intervals; () = unconstrained
    depot: PartDepot | None = None

    @property
    def location(self) -> int:
        return self.depot.location if self.depot is not None else self.visit.location


OPEN = 2**40  # "no upper bound" for a pickup's start


def pickup_leg(depot: PartDepot, visit: Visit, *, relaxed: bool = False) -> Leg:
    bounds = () if relaxed else ((depot.available_from(visit.needs_parts), OPEN),)
    return Leg(visit, depot.pickup_service, bounds, depot)


def legs_for(problem: RoutingProblem, tech: Technician, visits: Sequence[Visit | Pickup],
             relaxed: frozenset[str] = frozenset()) -> list[Leg]:
    """Legs for `visits` (visits and `Pickup`s) in order; a pickup for a relaxed (committed) visit
    is relaxed too."""
    out = []
    for v in visits:
        if isinstance(v, Pickup):
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
) -> Route | None:
    """Schedule `legs` in order with break i taken in gap break_gaps[i]; None when infeasible."""
    n = len(legs)
    if not _within_limits(tech, legs):
        return None
    if not all(0 <= g <= n for g in break_gaps):
        return None
    order = sorted(range(len(break_gaps)), key=break_gaps.__getitem__)  # by gap; in a gap, by index
    gaps = [break_gaps[b] for b in order]
    breaks = [tech.breaks[b] for b in order]
    travels, services, bounds, deadlines = _pieces(problem, tech, legs)
    times = timeline(tech.shift, breaks, gaps, travels, services, bounds, deadlines)
    if times is None:
        return None
    last = legs[-1].location if legs else tech.start_location
    end_stop = Stop("end", None, times.end, times.end, times.end, 0,
                    tech.end_location if tech.end_location is not None else last)
    now = tech.shift.start
    stops = [Stop("start", None, now, now, now, 0, tech.start_location)]
    b = 0
    for g in range(n + 1):
        if g == n and times.breaks_after_end:
            stops.append(end_stop)  # breaks after the technician is back are outside the working route
        while b < len(gaps) and gaps[b] == g:
            bs = times.break_starts[b]
            stops.append(Stop("break", None, bs, bs, bs + breaks[b].duration, 0, None))
            b += 1
        if g == n:
            if not times.breaks_after_end:
                stops.append(end_stop)
            break
        leg = legs[g]
        ready, start = times.arrivals[g], times.starts[g]
        departure = start + leg.service
        if leg.depot is not None:
            stops.append(Stop("pickup", leg.visit.id, ready, start, departure, start - ready, leg.location,
                              depot_id=leg.depot.id))
        else:
            stops.append(Stop("visit", leg.visit.id, ready, start, departure, start - ready, leg.location,
                              lateness(start, deadlines[g])))
    distance = None
    if problem.distances is not None:
        locations = [tech.start_location] + [leg.location for leg in legs] \
            + ([tech.end_location] if tech.end_location is not None else [])
        distance = sum(int(problem.distances[x, y]) for x, y in zip(locations, locations[1:]))
    _delay_departure(stops)
    return Route(tech.id, stops, sum(travels), distance)


def _within_limits(tech: Technician, legs: Sequence[Leg]) -> bool:
    """Max visits and capacity (pickups count for neither)."""
    visits = [leg.visit for leg in legs if leg.depot is None]
    if tech.max_visits is not None and len(visits) > tech.max_visits:
        return False
    return tech.capacity is None or sum(v.demand for v in visits) <= tech.capacity


def _pieces(problem: RoutingProblem, tech: Technician, legs: Sequence[Leg]):
    """(travels, services, bounds, deadlines) of `legs` for `timing.timeline`."""
    dur = problem.durations
    locations = [tech.start_location] + [leg.location for leg in legs]
    if tech.end_location is not None:
        locations.append(tech.end_location)
    travels = [int(dur[a, b]) for a, b in zip(locations, locations[1:])]
    return (travels, [leg.service for leg in legs], [leg.bounds for leg in legs],
            [leg.visit.deadline if leg.depot is None else None for leg in legs])


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
) -> Route | None:
    """Best feasible schedule of `visits` (visits and pickups) in this order, or None.

    Tries `break_hint` first (the solver's placement); otherwise every non-decreasing assignment of
    breaks to gaps, keeping the one with the least lateness, then the earliest finish."""
    legs = legs_for(problem, tech, visits, relaxed)
    if break_hint is not None and len(break_hint) == len(tech.breaks):
        route = simulate(problem, tech, legs, break_hint)
        if route is not None:
            return route
    return best_over_break_gaps(problem, tech, legs)


def best_over_break_gaps(
    problem: RoutingProblem,
    tech: Technician,
    legs: Sequence[Leg],
) -> Route | None:
    """`legs` scheduled with the best break placement (`timing.best_break_gaps`), or None."""
    if not _within_limits(tech, legs):
        return None
    found = best_break_gaps(tech.shift, tech.breaks, *_pieces(problem, tech, legs))
    if found is None:
        return None
    return simulate(problem, tech, legs, found[0])


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
