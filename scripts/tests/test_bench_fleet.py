"""scripts/bench_routing.py --fleet bks: a solver gets exactly the best-known number of vehicles."""
from argparse import Namespace
from pathlib import Path

import pytest

from dispatch.routing.solomon import read_solomon
from scripts import bench_routing
from scripts.bench_routing import fleet_problem, head_to_head, part1, run

DATA = Path("/work/shared/benchmarks")
pytestmark = pytest.mark.skipif(not (DATA / "solomon" / "R101.txt").exists(), reason="benchmark data not mounted")


def test_fleet_problem_keeps_the_first_vehicles_and_every_customer():
    problem = read_solomon(DATA / "solomon" / "R101.txt").problem
    limited = fleet_problem(problem, 19)
    assert [t.id for t in limited.technicians] == [t.id for t in problem.technicians[:19]]
    assert limited.visits == problem.visits
    assert fleet_problem(problem, None) is problem


def test_limited_fleet_run_gives_the_solver_the_best_known_fleet(monkeypatch):
    fleets = []

    def recording_run(solver, problem, *a, **kw):  # the real solver, its fleet noted
        fleets.append(len(problem.technicians))
        return run(solver, problem, *a, **kw)

    monkeypatch.setattr(bench_routing, "run", recording_run)
    args = Namespace(data=str(DATA), instances="C101", quick=False, time_limit=1.0, objective="hierarchical",
                     fleet="bks")
    (row,) = part1(args, ["ours"])["rows"]
    assert fleets == [10]  # the instance offers 25
    assert row["bks_vehicles"] == 10
    assert row["fully_served"] and row["vehicles"] <= 10
    assert row["gap"] is not None


def _row(instance, solver, served, vehicles, distance, infeasible=0):
    return {"instance": instance, "solver": solver, "served": served, "vehicles": vehicles, "distance": distance,
            "infeasible_routes": infeasible, "error": None}


def test_head_to_head_ranks_customers_served_before_vehicles_and_distance():
    rows = [_row("A", "ours", 98, 3, 1000.0), _row("A", "vroom", 97, 3, 900.0),  # more served wins
            _row("B", "ours", 100, 4, 800.0), _row("B", "vroom", 100, 3, 990.0),  # then fewer vehicles
            _row("C", "ours", 100, 3, 800.0), _row("C", "vroom", 100, 3, 800.05),  # within 0.01 %: a tie
            _row("D", "ours", 100, 2, 700.0, infeasible=1), _row("D", "vroom", 99, 3, 900.0)]  # infeasible loses
    assert head_to_head(rows, ["ours", "vroom"]) == [{"ours_vs": "vroom", "ours_better": 1, "tie": 1,
                                                      "peer_better": 2}]
