"""Looking only for an on-time place (what making room needs) skips the candidates that surely cannot
be on time, and keeps the routes' data between calls: the answer is the full insertion's whenever
that one is on time, and making room with it makes the same room."""
from __future__ import annotations

from dataclasses import replace

import pytest

from dispatch.routing import displacement
from dispatch.routing.displacement import make_room
from dispatch.routing.insertion import PlannedRoute, RouteCache, insert_visit
from dispatch.routing.synthetic import field_service_day, product_day


def _day(kind: str, seed: int):
    """A small generated day planned by insertion, some routes with started stops, and the visits held back."""
    if kind == "field":
        day = field_service_day(jobs=95, technicians=10, seed=seed, priorities=True, deadlines=True,
                                city_km=15.0).problem
    else:
        day = product_day(jobs=95, technicians=10, seed=seed, city_km=15.0).problem
    routes: dict[str, list] = {t.id: [] for t in day.technicians}
    for v in day.visits[:75]:
        found = insert_visit(day, [PlannedRoute(t, tuple(s)) for t, s in routes.items()], v)
        if found.feasible:
            routes[found.technician_id] = list(found.sequence)
    current = [PlannedRoute(t, tuple(s), locked=min(len(s), k % 3)) for k, (t, s) in enumerate(routes.items())]
    return day, current, day.visits[75:]


def _same(a, b):
    return replace(a, candidates_checked=0) == replace(b, candidates_checked=0)


@pytest.mark.parametrize("kind, seed", [("field", 1), ("field", 2), ("product", 3)])
def test_an_on_time_only_search_finds_the_full_insertion_when_that_is_on_time_and_nothing_otherwise(kind, seed):
    day, current, held_back = _day(kind, seed)
    cache = RouteCache()
    on_time = late_or_none = 0
    for v in held_back:
        for new in (v, replace(v, deadline=9 * 3600), replace(v, deadline=8 * 3600 + 1800)):
            full = insert_visit(day, current, new)
            quick = insert_visit(day, current, new, on_time_only=True, route_cache=cache)
            if full.feasible and full.late == 0:
                assert _same(quick, full), new.id
                assert quick.candidates_checked <= full.candidates_checked
                on_time += 1
            else:
                assert not quick.feasible, new.id
                late_or_none += 1
    assert on_time > 0 and late_or_none > 0


def _plain_insert_visit(problem, routes, visit, **_options):
    return insert_visit(problem, routes, visit)


def _room(room):
    if room is None:
        return None
    return (room.placed.technician_id, room.placed.sequence, room.placed.route, room.moved_visit_id,
            room.moved_to.technician_id, room.moved_to.sequence, room.moved_to.route, room.routes, room.added_travel)


@pytest.mark.parametrize("kind, seed", [("field", 1), ("field", 4), ("product", 3)])
def test_making_room_with_the_on_time_search_makes_the_room_full_insertions_make(kind, seed, monkeypatch):
    day, current, held_back = _day(kind, seed)
    quick = [_room(make_room(day, current, replace(v, priority=100))) for v in held_back]
    monkeypatch.setattr(displacement, "insert_visit", _plain_insert_visit)
    full = [_room(make_room(day, current, replace(v, priority=100))) for v in held_back]
    assert quick == full
    assert any(r is not None for r in quick)


def _on_time_somehow(data, gap, leg, dur) -> bool:
    """The reference: `leg` in `gap` timed with every break placement; on time in any of them."""
    from itertools import combinations_with_replacement

    from dispatch.routing.insertion import _spliced
    from dispatch.routing.timing import lateness, timeline

    tech = data.tech
    travels, services, bounds, deadlines = _spliced(data, [(gap, leg)], dur)
    for gaps in combinations_with_replacement(range(len(services) + 1), len(tech.breaks)):
        times = timeline(tech.shift, tech.breaks, gaps, travels, services, bounds, deadlines)
        if times is not None and lateness(times.starts[gap], leg.visit.deadline) == 0:
            return True
    return False


@pytest.mark.parametrize("breaks", [True, False])
@pytest.mark.parametrize("kind, seed", [("field", 1), ("field", 2), ("product", 3), ("product", 5)])
def test_a_gap_is_set_aside_only_when_no_break_placement_starts_the_visit_on_time_there(kind, seed, breaks):
    """Sound with breaks; without them, exact (the rule times the day as it is)."""
    from dispatch.routing.insertion import Leg, _gaps_on_time, _route_data

    day, current, held_back = _day(kind, seed)
    if not breaks:
        day = replace(day, technicians=tuple(replace(t, breaks=()) for t in day.technicians))
    techs = day.technician_by_id
    set_aside = kept_on_time = 0
    for v in held_back:
        for new in (v, replace(v, deadline=9 * 3600), replace(v, deadline=10 * 3600 + 1800)):
            for plan in current:
                tech = techs[plan.technician_id]
                data = _route_data(day, tech, plan, None)
                if data is None or not tech.can_do(new):
                    continue
                leg = Leg(new, tech.service_seconds(new), tuple(new.start_bounds()))
                kept = _gaps_on_time(data, plan.locked, leg, day.durations)
                on_time = [g for g in range(plan.locked, len(data.legs) + 1)
                           if _on_time_somehow(data, g, leg, day.durations)]
                assert set(on_time) <= set(kept), (new.id, plan.technician_id)
                if not breaks:
                    assert kept == on_time, (new.id, plan.technician_id)
                set_aside += len(data.legs) + 1 - plan.locked - len(kept)
                kept_on_time += len(on_time)
    assert set_aside > 0 and kept_on_time > 0


def test_a_visit_filling_exactly_the_room_left_between_two_stops_is_still_found():
    from tests.dispatch.routing.builders import HOUR, MIN, line, problem, tech, visit

    # P1 starts at 08:20 sharp and P2 at 09:20 sharp, both at 2: the half hour between them is the
    # only room; the day ends as the technician is back home.
    world = problem([tech("A", at=0, shift=(8 * HOUR, 10 * HOUR + 10 * MIN))],
                    [visit("P1", 2, windows=[(8 * HOUR + 20 * MIN,) * 2]),
                     visit("P2", 2, windows=[(9 * HOUR + 20 * MIN,) * 2]),
                     visit("N", 2, service=30 * MIN)], line())
    routes = [PlannedRoute("A", ("P1", "P2"))]
    full = insert_visit(world, routes, world.visit_by_id["N"])
    assert full.feasible and full.position == 1
    assert _same(insert_visit(world, routes, world.visit_by_id["N"], on_time_only=True, route_cache=RouteCache()), full)
