from __future__ import annotations

import numpy as np
import pytest

from dispatch.routing import InvalidProblem, RoutingProblem, solve
from dispatch.routing.model import TimeWindow
from dispatch.routing.result import NO_CAPACITY, NO_SKILL, UNREACHABLE

from .builders import DAY_END, DAY_START, HOUR, MIN, grid_matrix, line, lunch, problem, tech, visit

LIMIT = 0.5


def stops_of(result, tech_id, kind="visit"):
    return [s for s in result.route_of(tech_id).stops if s.kind == kind]


def test_a_job_needing_a_skill_never_goes_to_a_technician_without_it():
    p = problem([tech("gas", skills={"boiler": 2}), tech("cold", skills={"fridge": 2})],
                [visit(f"b{i}", i % 6 + 1, skill="boiler") for i in range(4)]
                + [visit(f"f{i}", i % 6 + 1, skill="fridge") for i in range(4)], line())
    result = solve(p, time_limit=LIMIT)
    assert result.feasible and not result.unassigned
    assert set(result.route_of("gas").visit_ids) == {"b0", "b1", "b2", "b3"}
    assert set(result.route_of("cold").visit_ids) == {"f0", "f1", "f2", "f3"}


def test_service_starts_inside_the_time_window():
    windows = {"early": (9 * HOUR, 9 * HOUR + 30 * MIN), "late": (14 * HOUR, 15 * HOUR), "mid": (11 * HOUR, 11 * HOUR)}
    p = problem([tech("t")], [visit(k, n + 1, windows=[w]) for n, (k, w) in enumerate(windows.items())], line())
    result = solve(p, time_limit=LIMIT)
    assert not result.unassigned
    for stop in stops_of(result, "t"):
        lo, hi = windows[stop.visit_id]
        assert lo <= stop.start <= hi
        assert stop.waiting == stop.start - stop.arrival >= 0
    assert result.route_of("t").visit_ids == ["early", "mid", "late"]


def test_the_lunch_break_is_taken_inside_its_window():
    # Work all day long: eight 45-minute jobs next door, lunch 12:00-13:30 for 30 minutes.
    p = problem([tech("t", breaks=[lunch()])], [visit(f"v{i}", 1, service=45 * MIN) for i in range(8)], line(2))
    result = solve(p, time_limit=LIMIT)
    breaks = stops_of(result, "t", "break")
    assert len(breaks) == 1
    assert 12 * HOUR <= breaks[0].start and breaks[0].departure <= 13 * HOUR + 30 * MIN
    assert breaks[0].departure - breaks[0].start == 30 * MIN
    for stop in stops_of(result, "t"):  # no service overlaps the break
        assert stop.departure <= breaks[0].start or stop.start >= breaks[0].departure
    assert result.route_of("t").stops[-1].arrival <= DAY_END


def test_a_pinned_stop_keeps_its_technician_and_position():
    # "far" is pinned first on "b" although "a" sits next to it and "b" must cross town.
    d = line()
    p = problem([tech("a", at=6), tech("b", at=0)],
                [visit("far", 5, pinned_technician="b", pinned_sequence=0), visit("near-b", 1), visit("x", 6)], d)
    result = solve(p, time_limit=LIMIT)
    assert result.route_of("b").visit_ids[0] == "far"
    assert result.assignment()["far"] == "b"


def test_when_time_is_short_the_lowest_priority_visit_is_dropped_with_a_reason():
    # A 2-hour shift; three 50-minute jobs next door: only two fit.
    p = problem([tech("t", shift=(DAY_START, DAY_START + 2 * HOUR))],
                [visit("vip", 1, service=50 * MIN, priority=90), visit("low", 1, service=50 * MIN, priority=5),
                 visit("mid", 1, service=50 * MIN, priority=40)], grid_matrix([(0, 0), (0, 0)]))
    result = solve(p, time_limit=LIMIT)
    assert set(result.route_of("t").visit_ids) == {"vip", "mid"}
    assert [(u.visit_id, u.code) for u in result.unassigned] == [("low", NO_CAPACITY)]
    assert result.unassigned[0].reason == "not enough capacity in the time available"


def test_unreachable_and_unqualified_visits_get_specific_reasons():
    p = problem([tech("t", shift=(DAY_START, DAY_START + 2 * HOUR))],
                [visit("too-far", 6, windows=[(DAY_START, DAY_START + 30 * MIN)]),  # 60 min away
                 visit("exotic", 1, skill="elevator"), visit("ok", 1)], line())
    result = solve(p, time_limit=LIMIT)
    reasons = {u.visit_id: u for u in result.unassigned}
    assert reasons["too-far"].code == UNREACHABLE and "reach" in reasons["too-far"].reason
    assert reasons["exotic"].code == NO_SKILL and "elevator" in reasons["exotic"].reason
    assert result.route_of("t").visit_ids == ["ok"]


def test_etas_are_integers_consistent_with_the_matrix():
    rng = np.random.default_rng(3)
    pts = rng.integers(0, 10, size=(12, 2))
    d = grid_matrix(pts, seconds_per_unit=97)
    p = problem([tech("a"), tech("b", at=1)], [visit(f"v{i}", i, service=int(rng.integers(10, 40)) * MIN)
                                               for i in range(2, 12)], d)
    result = solve(p, time_limit=LIMIT)
    for route in result.routes:
        stops = route.stops
        travel = 0
        for prev, cur in zip(stops, stops[1:]):
            for s in (prev, cur):
                assert all(isinstance(x, int) for x in (s.arrival, s.start, s.departure, s.waiting))
            leg = int(d[prev.location, cur.location])
            travel += leg
            assert cur.arrival == prev.departure + leg  # no breaks here
            assert cur.start == cur.arrival + cur.waiting
        assert route.travel_seconds == travel


def test_earliest_start_is_respected():
    p = problem([tech("t")], [visit("part-arrives", 1, earliest_start=13 * HOUR), visit("other", 2)], line())
    result = solve(p, time_limit=LIMIT)
    stop = next(s for s in stops_of(result, "t") if s.visit_id == "part-arrives")
    assert stop.start >= 13 * HOUR


def test_deadline_is_soft_and_preferred():
    # Two jobs at opposite ends; the SLA one must come first to be on time.
    p = problem([tech("t")], [visit("sla", 6, deadline=DAY_START + 70 * MIN), visit("any", 1)], line())
    result = solve(p, time_limit=LIMIT)
    assert result.route_of("t").visit_ids[0] == "sla"
    assert all(s.late == 0 for s in stops_of(result, "t"))
    # An impossible deadline still gets served, just late.
    late = problem([tech("t")], [visit("sla", 6, deadline=DAY_START)], line())
    stop = stops_of(solve(late, time_limit=LIMIT), "t")[0]
    assert stop.late == stop.start - DAY_START > 0


def test_skill_level_scales_service_time():
    p = problem([tech("trainee", skills={"fridge": 1}), tech("expert", at=6, skills={"fridge": 3})],
                [visit("a", 1, service=60 * MIN), visit("b", 5, service=60 * MIN)], line())
    result = solve(p, time_limit=LIMIT)
    durations = {s.visit_id: s.departure - s.start for r in result.routes for s in r.stops if s.kind == "visit"}
    assert durations == {"a": 75 * MIN, "b": 48 * MIN}


def test_visit_capacity_limit_and_max_visits():
    p = problem([tech("t", max_visits=2)], [visit(f"v{i}", 1) for i in range(3)], line(2))
    result = solve(p, time_limit=LIMIT)
    assert result.num_served == 2 and len(result.unassigned) == 1


def test_float_matrices_are_refused():
    with pytest.raises(InvalidProblem):
        RoutingProblem((tech("t"),), (visit("v", 1),), np.array([[0.0, 1.5], [1.5, 0.0]]))
    with pytest.raises(InvalidProblem):
        TimeWindow(10, 5)


def test_no_technicians_means_everything_unassigned_with_a_reason():
    result = solve(problem([], [visit("v", 1)], line(2)), time_limit=LIMIT)
    assert result.status == "empty" and [u.visit_id for u in result.unassigned] == ["v"]


def test_big_day_path_plans_by_neighbourhoods_and_keeps_every_rule():
    from dispatch.routing.schedule import schedule
    from dispatch.routing.synthetic import field_service_day

    day = field_service_day(jobs=80, technicians=20, seed=3).problem
    result = solve(day, time_limit=1.0, strategy="decompose")
    # Well past the limit would mean a phase ignores the deadline; a loaded test machine adds a little.
    assert result.feasible and result.solve_seconds < 2.5
    assert result.num_served + len(result.unassigned) == 80
    techs, visits = day.technician_by_id, day.visit_by_id
    for route in result.routes:
        tech = techs[route.technician_id]
        assert all(tech.can_do(visits[v]) for v in route.visit_ids)
        assert schedule(day, tech, [visits[v] for v in route.visit_ids]) is not None


def test_fewest_vehicles_mode_serves_everyone_with_fewer_routes():
    # Ten visits next to the depot, five technicians: one technician can do them all.
    p = problem([tech(f"t{k}") for k in range(5)], [visit(f"v{i}", 1 + i % 2, service=20 * MIN) for i in range(10)],
                line(3))
    result = solve(p, time_limit=1.0, vehicle_fixed_cost=10**6)
    assert result.num_served == 10 and len(result.used_routes) == 1


def test_fewest_vehicles_mode_with_breaks_does_not_use_the_crashing_ils():
    p = problem([tech(f"t{k}", breaks=[lunch()]) for k in range(3)], [visit(f"v{i}", 1 + i % 2) for i in range(6)],
                line(3))
    result = solve(p, time_limit=0.6, vehicle_fixed_cost=10**6)
    assert result.num_served == 6 and len(result.used_routes) == 1


def test_initial_routes_warm_start_is_kept_when_nothing_better_exists():
    p = problem([tech("a"), tech("b", at=6)], [visit("x", 1), visit("y", 5)], line())
    result = solve(p, time_limit=0.5, initial_routes={"a": ["x"], "b": ["y"], "ghost": ["z"]})
    assert result.assignment() == {"x": "a", "y": "b"}


def test_a_locked_sequence_keeps_its_order_even_when_backtracking_is_cheaper():
    # Locked 0 -> 4 -> 2 for "b": the cheaper 2 -> 4 order must not be chosen; work may follow.
    p = problem([tech("b")], [visit("second", 2, pinned_technician="b", pinned_sequence=2),
                              visit("first", 4, pinned_technician="b", pinned_sequence=1),
                              visit("free", 1)], line())
    result = solve(p, time_limit=LIMIT)
    assert result.route_of("b").visit_ids[:2] == ["first", "second"]
    assert result.route_of("b").visit_ids[2:] == ["free"]


def test_a_pin_to_an_unknown_or_unqualified_technician_is_reported():
    p = problem([tech("a")], [visit("ghost", 1, pinned_technician="zz"),
                              visit("wrong", 1, pinned_technician="a", skill="boiler")], line(2))
    codes = {u.visit_id: u.code for u in solve(p, time_limit=LIMIT).unassigned}
    assert codes == {"ghost": "pinned_invalid", "wrong": "pinned_invalid"}
