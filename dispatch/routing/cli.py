"""Command line: `python -m dispatch.routing solve PROBLEM --time-limit S` prints VROOM-style JSON.

PROBLEM is VROOM input JSON, or a Solomon / Gehring-Homberger .txt instance (then the objective is
fewest vehicles, then distance, and distances are reported in the instance's units).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .model import InvalidProblem
from .solomon import fixed_vehicle_cost, is_solomon_file, read_solomon
from .solver import solve
from .vroom_io import VroomInput, read_vroom, write_vroom_solution


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dispatch.routing", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("solve", help="solve a VROOM JSON problem or a Solomon .txt instance")
    cmd.add_argument("problem", help="path to the problem file ('-' reads VROOM JSON from stdin)")
    cmd.add_argument("--time-limit", type=float, default=10.0, help="seconds of wall clock (default 10)")
    cmd.add_argument("--format", choices=["auto", "vroom", "solomon"], default="auto")
    cmd.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    args = parser.parse_args(argv)

    try:
        solution = _solve_file(args.problem, args.format, args.time_limit)
    except (InvalidProblem, ValueError, OSError, KeyError) as exc:
        print(json.dumps({"code": 2, "error": f"{type(exc).__name__}: {exc}"}), file=sys.stdout)
        return 2
    print(json.dumps(solution, indent=args.indent))
    return 0 if solution.get("code") == 0 else 1


def _solve_file(path: str, fmt: str, time_limit: float) -> dict:
    if path == "-":
        return _solve_vroom(read_vroom(json.load(sys.stdin)), time_limit)
    if fmt == "solomon" or (fmt == "auto" and Path(path).suffix.lower() == ".txt" and is_solomon_file(path)):
        inst = read_solomon(path)
        result = solve(inst.problem, time_limit=time_limit, cost="distance", vehicle_fixed_cost=fixed_vehicle_cost(inst))
        vinput = VroomInput(inst.problem, {v.id: int(v.id) for v in inst.problem.visits},
                            {t.id: k + 1 for k, t in enumerate(inst.problem.technicians)}, None)
        out = write_vroom_solution(result, vinput)
        exact = inst.exact_distance([r.visit_ids for r in result.routes])
        out["summary"].update(instance=inst.name, vehicles=len(result.used_routes), distance=round(exact, 2),
                              scale=inst.scale)
        return out
    return _solve_vroom(read_vroom(path), time_limit)


def _solve_vroom(vinput: VroomInput, time_limit: float) -> dict:
    result = solve(vinput.problem, time_limit=time_limit, vehicle_fixed_cost=vinput.fixed_cost)
    return write_vroom_solution(result, vinput)


if __name__ == "__main__":
    raise SystemExit(main())
