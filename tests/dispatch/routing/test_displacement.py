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
