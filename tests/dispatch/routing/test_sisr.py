"""The SISR polish: plans stay feasible (checked with the schedule code, not the kernel's own
arithmetic), get no worse, and respect who may serve what; problems it cannot model are refused."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from dispatch.routing import PartDepot, RoutingProblem, Technician, TimeWindow, Visit, sisr, solve
from dispatch.routing.candidates import precheck
from dispatch.routing.options import SolveOptions
from dispatch.routing.schedule import schedule

from .builders import HOUR, MIN, line, lunch, problem, tech, visit

DATA = Path("/work/shared/benchmarks/solomon")


@pytest.fixture(scope="module", autouse=True)
def compiled():
    sisr.warm_up()  # the first compilation takes seconds; keep it out of the deadlines below


def _polish(p: RoutingProblem, routes, seconds=0.3, opts=None, seed=0):
    opts = opts or SolveOptions(time_limit=1.0, cost="duration")
    candidates, _ = precheck(p)
    techs = list(range(len(p.technicians)))
    plannable = sorted(candidates)
    return sisr.polish(p, techs, plannable, routes, candidates, opts, time.monotonic() + seconds, (600.0, 6.0), seed)


def _travel(p: RoutingProblem, routes) -> int:
    total = 0
    for k, seq in routes.items():
        t = p.technicians[k]
        locs = [t.start_location] + [p.visits[i].location for i in seq] + [t.end_location]
        total += sum(int(p.durations[a, b]) for a, b in zip(locs, locs[1:])) if seq else 0
    return total


def _feasible(p: RoutingProblem, routes) -> bool:
    return all(schedule(p, p.technicians[k], [p.visits[i] for i in seq]) is not None for k, seq in routes.items())


def test_one_technician_gets_the_obvious_order_along_a_line():
    p = problem([tech("a")], [visit(f"v{i}", i) for i in range(1, 6)], line(6))
    got = _polish(p, {0: [4, 0, 3, 1, 2]})  # zig-zag: 5,1,4,2,3
    assert sorted(got[0]) == [0, 1, 2, 3, 4]
    assert _travel(p, got) == 10 * 10 * MIN  # out to 5 and back (in whatever order, no further)


def test_time_windows_decide_the_order_even_when_it_costs_travel():
    # v4 must be served first (by 9:00), although it is the far one.
    visits = [visit("v1", 1), visit("v2", 2), visit("v4", 4, windows=[(8 * HOUR, 9 * HOUR)])]
    p = problem([tech("a")], visits, line(5))
    got = _polish(p, {0: [2, 0, 1]})
    assert got[0][0] == 2
    assert _feasible(p, got)


def test_unserved_visits_are_inserted_where_they_fit_and_skills_are_respected():
    techs = [tech("a", skills={"fridge": 2}), tech("b", skills={"oven": 2})]
    visits = [visit("f1", 1), visit("f2", 2, skill="fridge"), visit("o1", 1, skill="oven"),
              visit("o2", 3, skill="oven")]
    p = problem(techs, visits, line(5))
    got = _polish(p, {0: [0], 1: [2]})  # f2 and o2 not planned yet
    assert sorted(got[0]) == [0, 1] and sorted(got[1]) == [2, 3]
    assert _feasible(p, got)


@pytest.mark.parametrize("capacity, served", [(12, 3), (10, 2)])
def test_capacity_limits_what_is_inserted(capacity, served):
    techs = [tech("a", capacity=capacity), tech("b", capacity=capacity)]
    visits = [Visit(f"v{i}", i, 30 * MIN, demand=6) for i in range(1, 4)]
    p = problem(techs, visits, line(4))
    got = _polish(p, {0: [0], 1: [2]})  # v2 not planned yet: all three fit only with capacity 12
    assert sum(map(len, got.values())) == served
    assert all(sum(p.visits[i].demand for i in seq) <= capacity for seq in got.values())


def test_random_plans_stay_feasible_and_never_get_worse():
    rng = np.random.default_rng(7)
    n = 40
    pts = rng.integers(0, 30, size=(n + 1, 2))
    dur = (np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1) * MIN).astype(np.int64)
    visits = []
    for i in range(1, n + 1):
        a = int(rng.integers(8, 14)) * HOUR
        visits.append(Visit(f"v{i}", i, 20 * MIN, (TimeWindow(a, a + 3 * HOUR),), demand=int(rng.integers(1, 5))))
    techs = [Technician(f"t{k}", 0, 0, TimeWindow(8 * HOUR, 18 * HOUR), capacity=40) for k in range(6)]
    p = RoutingProblem(tuple(techs), tuple(visits), dur)
    start = solve(p, time_limit=1.0, strategy="single")
    by_index = {v.id: i for i, v in enumerate(visits)}
    techs_idx = {t.id: k for k, t in enumerate(techs)}
    routes = {techs_idx[r.technician_id]: [by_index[v] for v in r.visit_ids] for r in start.routes}
    before = _travel(p, routes)
    for seed in range(3):
        got = _polish(p, routes, seconds=0.3, seed=seed)
        assert _feasible(p, got)
        assert sum(map(len, got.values())) >= sum(map(len, routes.values()))
        assert all(sum(p.visits[i].demand for i in seq) <= 40 for seq in got.values())
        assert _travel(p, got) <= before


@pytest.mark.parametrize("change", ["two breaks", "pinned sequence", "parts", "deadline"])
def test_problems_it_cannot_model_are_left_to_or_tools(change):
    breaks = [lunch(10 * HOUR, 11 * HOUR), lunch(12 * HOUR, 13 * HOUR)] if change == "two breaks" else ()
    techs = [tech("a", breaks=breaks)]
    v = visit("v1", 1, pinned_technician="a" if change == "pinned sequence" else None,
              pinned_sequence=0 if change == "pinned sequence" else None,
              needs_parts=frozenset({"P1"}) if change == "parts" else frozenset(),
              deadline=12 * HOUR if change == "deadline" else None)
    depots = [PartDepot("d", 2, {"P1": 0})] if change == "parts" else []
    p = problem(techs, [v], line(3), depots=depots)
    assert not sisr.applicable(p, [0], [0], SolveOptions(time_limit=1.0))


@pytest.mark.parametrize("change", ["plain", "break", "pinned to a technician", "two windows", "late deadline",
                                    "deadline without lateness cost", "cap", "levels"])
def test_what_real_technicians_days_have_is_modelled(change):
    techs = [tech("a", breaks=[lunch()] if change == "break" else (), max_visits=3 if change == "cap" else None,
                  skills={"fridge": 1} if change == "levels" else None),
             tech("b", skills={"fridge": 3} if change == "levels" else None)]
    v = visit("v1", 1, pinned_technician="a" if change == "pinned to a technician" else None,
              windows=[(8 * HOUR, 9 * HOUR), (10 * HOUR, 11 * HOUR)] if change == "two windows" else [],
              deadline={"late deadline": 20 * HOUR, "deadline without lateness cost": 9 * HOUR}.get(change))
    p = problem(techs, [v], line(3))
    opts = SolveOptions(time_limit=1.0, lateness_cost=0 if change == "deadline without lateness cost" else 1)
    assert sisr.applicable(p, [0, 1], [0], opts)


def test_the_break_is_taken_inside_its_window_and_the_day_still_ends_on_time():
    # Six visits of an hour along a line, 08:00-16:00 with 30 minutes of lunch in 12:00-13:30: the
    # lunch must fall between visits, not be skipped, and the route must still be home by 16:00.
    techs = [tech("a", breaks=[lunch()])]
    visits = [visit(f"v{i}", 1 + i % 2, service=60 * MIN) for i in range(6)]
    p = problem(techs, visits, line(3))
    got = _polish(p, {0: [0, 1, 2]}, seconds=0.3)  # three more fit only with the lunch well placed
    assert sorted(got[0]) == list(range(6))
    timed = schedule(p, techs[0], [p.visits[i] for i in got[0]])
    assert timed is not None
    (lunch_stop,) = [s for s in timed.stops if s.kind == "break"]
    assert 12 * HOUR <= lunch_stop.start <= 13 * HOUR and timed.end_time <= 16 * HOUR


def test_a_daily_cap_holds_and_the_rest_goes_to_whoever_has_room():
    techs = [tech("a", max_visits=2), tech("b", max_visits=3)]
    p = problem(techs, [visit(f"v{i}", 1 + i % 3) for i in range(6)], line(4))
    got = _polish(p, {0: [0], 1: []})
    assert len(got[0]) <= 2 and len(got[1]) <= 3 and sum(map(len, got.values())) == 5
    assert _feasible(p, got)


def test_a_second_window_is_used_when_the_first_cannot_be_reached():
    # v2's first window (08:00-08:10) closes before anyone can be there after v1; its second
    # (14:00-15:00) is used instead of leaving it out.
    techs = [tech("a")]
    visits = [visit("v1", 1, windows=[(8 * HOUR, 8 * HOUR + 10 * MIN)]),
              visit("v2", 3, windows=[(8 * HOUR, 8 * HOUR + 10 * MIN), (14 * HOUR, 15 * HOUR)])]
    p = problem(techs, visits, line(4))
    got = _polish(p, {0: [0]})
    assert got[0] == [0, 1]
    timed = schedule(p, techs[0], [p.visits[i] for i in got[0]])
    assert [s.start for s in timed.stops if s.kind == "visit"][1] == 14 * HOUR


def test_when_not_everything_fits_the_urgent_visit_is_served_first():
    # Room for one of two visits; the urgent one is served even though the other is nearer.
    techs = [tech("a", shift=(8 * HOUR, 9 * HOUR + 10 * MIN))]
    visits = [visit("near", 1, service=30 * MIN), visit("urgent", 2, service=30 * MIN, priority=90)]
    p = problem(techs, visits, line(3))
    got = _polish(p, {0: [0]})
    assert got[0] == [1]


def test_each_technician_is_timed_with_their_own_service_time():
    # A trainee takes 25 % longer: two visits of 3 h 20 fit an expert's 8-hour day, not a trainee's.
    techs = [tech("trainee", skills={"fridge": 1}), tech("expert", skills={"fridge": 3})]
    visits = [visit("v1", 1, service=200 * MIN), visit("v2", 1, service=200 * MIN)]
    p = problem(techs, visits, line(2))
    got = _polish(p, {0: [0], 1: []})
    assert sorted(got[1]) == [0, 1] and got[0] == []
    assert _feasible(p, got)


@pytest.mark.skipif(not (DATA / "RC207.txt").exists(), reason="benchmark data not mounted")
def test_fleet_strategy_polishes_with_sisr_on_solomon():
    from dispatch.routing.solomon import fixed_vehicle_cost, read_solomon

    inst = read_solomon(DATA / "RC207.txt")
    result = solve(inst.problem, time_limit=3.0, cost="distance", vehicle_fixed_cost=fixed_vehicle_cost(inst))
    assert result.feasible and not result.unassigned
    assert "after_sisr" in result.stats
    assert result.stats["after_sisr"] <= result.stats["after_elimination"]


def test_route_elimination_fits_a_dropped_routes_visits_into_the_others_and_stops_early():
    # Three technicians each with one visit; two can do everything on the line: a's and b's routes
    # take c's visit once the plan is rearranged.
    techs = [tech("a"), tech("b"), tech("c")]
    visits = [visit(f"v{i}", i) for i in range(1, 7)]
    p = problem(techs, visits, line(7))
    candidates, _ = precheck(p)
    opts = SolveOptions(time_limit=1.0, cost="duration", vehicle_fixed_cost=10 * HOUR)
    began = time.monotonic()
    got = sisr.polish(p, [0, 1], range(6), {0: [0, 1, 2], 1: [3]}, candidates, opts, began + 5.0,
                      (600.0, 6.0), stop_when_all_served=True)
    assert time.monotonic() - began < 2.0  # stopped as soon as everyone was served
    assert sorted(i for seq in got.values() for i in seq) == list(range(6))
    assert _feasible(p, got)


def test_the_fleet_strategy_takes_sisr_routes_only_when_the_schedule_code_agrees():
    from dispatch.routing.strategies import _checked

    # v4 must start by 9:00; served after v1 it starts at 9:30 (late), first it is on time.
    visits = [visit("v1", 1), visit("v4", 4, windows=[(8 * HOUR, 9 * HOUR)])]
    p = problem([tech("a")], visits, line(5))
    assert _checked(p, {0: [1, 0]}, 7, "feasible") == ({0: ([1, 0], [])}, 7, "feasible")
    assert _checked(p, {0: [0, 1]}, 7, "feasible")[2] == "no_solution"
