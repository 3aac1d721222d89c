"""Making room for urgent work: one lower-priority visit moves to another technician, within its own
windows, so the urgent one is on time; nothing started, pinned or as important is ever moved."""
from __future__ import annotations

from dispatch.routing.displacement import make_room
from dispatch.routing.insertion import PlannedRoute, insert_visit
from tests.dispatch.routing.builders import HOUR, MIN, line, problem, tech, visit


def _world(*, low_windows=(), low_priority=10, urgent_priority=90):
    # A works a short morning and is the only one with the air-conditioning skill; B starts far away.
    a = tech("A", at=0, skills={"fridge": 2, "ac": 2}, shift=(8 * HOUR, 10 * HOUR))
    b = tech("B", at=6, skills={"fridge": 2})
    low = visit("LOW", 1, service=90 * MIN, windows=low_windows, priority=low_priority)
    urgent = visit("URGENT", 1, service=60 * MIN, skill="ac", priority=urgent_priority, deadline=9 * HOUR)
    return problem([a, b], [low, urgent], line()), urgent


def test_urgent_work_finds_no_place_until_a_lower_priority_visit_moves_to_another_technician():
    world, urgent = _world()
    routes = [PlannedRoute("A", ["LOW"])]
    assert not insert_visit(world, routes, urgent).feasible
    room = make_room(world, routes, urgent)
    assert room is not None and room.moved_visit_id == "LOW"
    assert room.placed.technician_id == "A" and room.moved_to.technician_id == "B"
    assert room.routes["A"].visit_ids == ["URGENT"] and room.routes["B"].visit_ids == ["LOW"]
    start = next(s for s in room.routes["A"].stops if s.visit_id == "URGENT").start
    assert start <= 9 * HOUR


def test_a_moved_visit_keeps_its_promised_window_or_is_not_moved():
    world, urgent = _world(low_windows=[(8 * HOUR, 8 * HOUR + 30 * MIN)])  # B cannot be there by 08:30
    assert make_room(world, [PlannedRoute("A", ["LOW"])], urgent) is None
    world, urgent = _world(low_windows=[(9 * HOUR, 12 * HOUR)])
    room = make_room(world, [PlannedRoute("A", ["LOW"])], urgent)
    moved = next(s for s in room.routes["B"].stops if s.visit_id == "LOW")
    assert 9 * HOUR <= moved.start <= 12 * HOUR


def test_work_as_important_or_already_started_is_never_moved():
    world, urgent = _world(low_priority=90)
    assert make_room(world, [PlannedRoute("A", ["LOW"])], urgent) is None
    world, urgent = _world()
    assert make_room(world, [PlannedRoute("A", ["LOW"], locked=1)], urgent) is None


def _every_move_timed(p, routes, urgent, nearest=6):
    """The reference: every move's first half timed, then the halves tried in order of added travel."""
    from dataclasses import replace

    from dispatch.routing.model import Pickup

    planned = {r.technician_id: r for r in routes}
    dur = p.durations

    def closeness(t):
        stops = [s for s in planned[t.id].visit_ids if not isinstance(s, Pickup)]
        return min([int(dur[t.start_location, urgent.location])]
                   + [int(dur[p.visit_by_id[s].location, urgent.location]) for s in stops])

    qualified = [t for t in p.technicians if t.can_do(urgent) and planned.get(t.id)]
    halves = []
    for t in sorted(qualified, key=closeness)[:nearest]:
        for stop in planned[t.id].visit_ids:
            moved = p.visit_by_id[stop]
            if moved.priority >= urgent.priority:
                continue
            remaining = [s for s in planned[t.id].visit_ids if s != stop]
            placed = insert_visit(p, [PlannedRoute(t.id, remaining)], replace(urgent, pinned_technician=t.id))
            if placed.feasible and placed.late == 0:
                halves.append((placed.added_travel, t.id, moved, placed))
    halves.sort(key=lambda h: h[:2])
    for _added, tech_id, moved, placed in halves:
        others = [r for r in routes if r.technician_id != tech_id] + [PlannedRoute(tech_id, placed.sequence)]
        moved_to = insert_visit(p, others, moved)
        if moved_to.feasible and moved_to.late == 0:
            return moved.id, tech_id, moved_to.technician_id
    return None


def test_timing_only_the_first_halves_that_could_come_next_finds_the_move_timing_every_one_would():
    """make_room times a move's first half only when its bound says it could be next: the move it
    returns is the one timing every first half finds (lateness checks aside, none of which apply here)."""
    from dataclasses import replace

    from dispatch.routing.synthetic import field_service_day

    day = field_service_day(jobs=140, technicians=12, seed=7, priorities=True, city_km=15.0).problem
    routes: dict[str, list[str]] = {t.id: [] for t in day.technicians}
    for v in day.visits[:120]:
        found = insert_visit(day, [PlannedRoute(t, tuple(s)) for t, s in routes.items()], v)
        if found.feasible:
            routes[found.technician_id] = list(found.sequence)
    current = [PlannedRoute(t, tuple(s)) for t, s in routes.items()]
    compared = found_rooms = 0
    for v in day.visits[120:]:
        urgent = replace(v, priority=100, deadline=None)
        room = make_room(day, current, urgent)
        want = _every_move_timed(day, current, urgent)
        got = (room.moved_visit_id, room.placed.technician_id, room.moved_to.technician_id) if room else None
        assert got == want, v.id
        compared += 1
        found_rooms += room is not None
    assert compared == 20 and found_rooms > 0
