"""scripts/tune_polish.py: a setting is run on the starting plan's own routes and never loses visits."""
from pathlib import Path

import pytest

from dispatch.routing.solomon import read_solomon
from scripts.tune_polish import polish, start_plan

SOLOMON = Path("/work/shared/benchmarks/solomon")
pytestmark = pytest.mark.skipif(not (SOLOMON / "R101.txt").exists(), reason="benchmark data not mounted")


def test_start_plan_is_made_once_and_polish_keeps_every_visit(tmp_path):
    inst = read_solomon(SOLOMON / "R101.txt")
    start = start_plan("R101", inst, tmp_path, 0.5)
    cached = tmp_path / "0.5s" / "R101.json"
    written = cached.stat().st_mtime_ns
    assert start_plan("R101", inst, tmp_path, 0.5) == start
    assert cached.stat().st_mtime_ns == written  # read back, not solved again
    served = sum(map(len, start.values()))
    assert served == inst.customers

    dist, routes, left_out = polish(inst, start, 0.5, {"metaheuristic": "guided_local_search"})
    assert left_out == 0 and routes <= len(start)
    # Guided local search starts from the plan and reports the best it saw.
    assert dist <= inst.exact_distance(start.values()) + 1e-6

    dist, routes, left_out = polish(inst, start, 0.5, {"metaheuristic": "iterated_local_search",
                                                        "ils": {"temperature_factors": [10, 0.1]}})
    assert left_out == 0 and routes <= len(start)
