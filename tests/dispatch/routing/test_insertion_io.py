from __future__ import annotations

import json
from pathlib import Path

import pytest

from dispatch.routing import solve
from dispatch.routing.cli import main
from dispatch.routing.insertion import PlannedRoute, insert_visit
from dispatch.routing.result import NO_CAPACITY, NO_SKILL
from dispatch.routing.solomon import read_solomon
from dispatch.routing.vroom_io import problem_to_vroom, read_vroom, write_vroom_solution

from .builders import DAY_START, HOUR, MIN, line, lunch, problem, tech, visit

SOLOMON = Path("/work/shared/benchmarks/solomon")


def test_insertion_picks_the_obviously_cheapest_position():
    # Route 0 -> 2 -> 4 -> 0 on a line; a new job at 3 belongs between 2 and 4 (no detour at all).
    p = problem([tech("t"), tech("other", at=6, skills={"boiler": 2})],
                [visit("a", 2), visit("b", 4), visit("new", 3)], line())
    res = insert_visit(p, [PlannedRoute("t", ["a", "b"])], p.visit_by_id["new"])
    assert res.feasible and res.technician_id == "t" and res.position == 1 and res.added_travel == 0
    assert res.route.visit_ids == ["a", "new", "b"]
    stops = [s for s in res.route.stops if s.kind == "visit"]
    assert stops[1].arrival == stops[0].departure + 10 * MIN


def test_insertion_respects_the_locked_prefix_and_windows():
    p = problem([tech("t")], [visit("a", 2), visit("b", 4), visit("new", 1, windows=[(15 * HOUR, 15 * HOUR + 30 * MIN)])],
                line())
    res = insert_visit(p, [PlannedRoute("t", ["a", "b"], locked=2)], p.visit_by_id["new"])
    assert res.feasible and res.position == 2
    new = next(s for s in res.route.stops if s.visit_id == "new")
    assert 15 * HOUR <= new.start <= 15 * HOUR + 30 * MIN


def test_insertion_keeps_the_lunch_break_and_reports_why_it_fails():
    full_day = [visit(f"v{i}", 1, service=55 * MIN) for i in range(7)]
    p = problem([tech("t", breaks=[lunch()])], full_day + [visit("new", 1, service=55 * MIN), visit("odd", 1, skill="x")],
                line(2))
    planned = [PlannedRoute("t", [v.id for v in full_day])]
    res = insert_visit(p, planned, p.visit_by_id["new"])
    assert not res.feasible and res.code == NO_CAPACITY
    assert insert_visit(p, planned, p.visit_by_id["odd"]).code == NO_SKILL
    shorter = [PlannedRoute("t", [v.id for v in full_day[:5]])]
    ok = insert_visit(p, shorter, p.visit_by_id["new"])
    assert ok.feasible
    assert [s.kind for s in ok.route.stops].count("break") == 1


def test_insertion_prefers_meeting_the_deadline():
    p = problem([tech("t")], [visit("a", 1), visit("b", 2), visit("new", 5, deadline=DAY_START + 60 * MIN)], line())
    res = insert_visit(p, [PlannedRoute("t", ["a", "b"])], p.visit_by_id["new"])
    assert res.feasible and res.position == 0 and res.late == 0


def test_vroom_json_round_trip_on_a_tiny_problem(capsys, tmp_path):
    p = problem([tech("t1", breaks=[lunch()]), tech("t2", at=6, skills={"boiler": 2})],
                [visit("j1", 1), visit("j2", 2, windows=[(9 * HOUR, 10 * HOUR)]), visit("j3", 5, skill="boiler", priority=7)],
                line())
    data = problem_to_vroom(p)
    back = read_vroom(json.loads(json.dumps(data))).problem
    assert [v.location for v in back.visits] == [1, 2, 5]
    assert [v.priority for v in back.visits] == [0, 0, 7]
    assert back.visits[1].time_windows[0].start == 9 * HOUR
    assert back.technicians[0].breaks == p.technicians[0].breaks
    assert (back.durations == p.durations).all()

    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    assert main(["solve", str(path), "--time-limit", "0.5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["code"] == 0 and out["summary"]["unassigned"] == 0
    jobs = [s["id"] for r in out["routes"] for s in r["steps"] if s["type"] == "job"]
    assert sorted(jobs) == ["j1", "j2", "j3"]
    steps = {s["id"]: (r["vehicle"], s) for r in out["routes"] for s in r["steps"] if s["type"] == "job"}
    assert steps["j3"][0] == "t2"
    assert 9 * HOUR <= steps["j2"][1]["arrival"] + steps["j2"][1]["waiting_time"] <= 10 * HOUR
    assert {s["type"] for r in out["routes"] for s in r["steps"]} >= {"start", "job", "end"}


def test_vroom_coordinates_without_matrix_use_haversine():
    data = {"vehicles": [{"id": 1, "start": [2.35, 48.85], "end": [2.35, 48.85], "time_window": [0, 36000]}],
            "jobs": [{"id": 7, "location": [2.36, 48.86], "service": 300}]}
    vin = read_vroom(data)
    assert vin.problem.durations.shape == (2, 2) and vin.problem.durations[0, 1] > 0
    result = solve(vin.problem, time_limit=0.5)
    out = write_vroom_solution(result, vin)
    assert out["routes"][0]["steps"][1]["id"] == 7
    assert out["routes"][0]["steps"][1]["location"] == [2.36, 48.86]


@pytest.mark.skipif(not (SOLOMON / "C101.txt").exists(), reason="benchmark data not mounted")
def test_solomon_reader_parses_c101():
    inst = read_solomon(SOLOMON / "C101.txt")
    assert inst.customers == 100 and inst.capacity == 200 and inst.vehicles == 25
    first = inst.problem.visits[0]
    assert (first.id, first.demand, first.service) == ("1", 10, 90_000)
    assert first.time_windows[0].start == 912_000 and first.time_windows[0].end == 967_000
    assert inst.problem.technicians[0].shift.end == 1_236_000
    # Distances are exact Euclidean (x1000), travel rounded up.
    assert inst.problem.distances[0, 1] == round(((45 - 40) ** 2 + (68 - 50) ** 2) ** 0.5 * 1000)
    assert inst.problem.durations[0, 1] >= inst.problem.distances[0, 1]
