"""Compare search settings for one polishing phase from fixed starting plans (Solomon VRPTW).

Why: a whole 10-second solve moves by several per cent per instance from run to run (R112: 0.6 % in
one run, 6.2 % in the next, same settings), and so does the benchmark's mean (two identical runs of
the 39 R and RC instances: 0.97 % and 0.42 %); a setting judged by whole runs needs many of them.
Here every setting starts from the same plan per instance (made once by a short default solve and
cached) and runs one search on the routes that plan uses for the same time, so what differs is the
setting. Measured on the 39 R1/R2/RC1/RC2 instances at 3 s, two identical runs differed by 0.03
gap points per instance on average with guided local search, and by 0.47 (at most 4.5) with
annealing ruin-and-recreate, whose temperature follows the clock: compare those over more
instances or runs.

Each setting is a JSON object of `solve()` options, e.g.

    python scripts/tune_polish.py --instances 'R1??,RC2??' --seconds 3 \\
        --setting gls='{"metaheuristic": "guided_local_search"}' \\
        --setting rr='{"metaheuristic": "iterated_local_search", "ils": {"temperature_factors": [10, 0.1]}}'

`ils.temperature_factors` [start, end] become the annealing temperatures times the starting plan's
mean arc cost, as the fleet strategy sets them. Prints the mean gap to the best-known distance per
family and setting, and how many instances each setting improved or worsened against the first.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dispatch.routing import solve  # noqa: E402
from dispatch.routing.solomon import fixed_vehicle_cost, read_bks, read_solomon  # noqa: E402
from dispatch.routing.strategies import annealing_temperatures  # noqa: E402
from scripts.bench_routing import family  # noqa: E402

DATA = Path("/work/shared/benchmarks/solomon")
SAME = 0.05  # gap points within which two settings count as level on an instance


def start_plan(name, inst, cache: Path, seconds: float) -> dict[str, list[str]]:
    """technician id -> visit ids of a default `seconds` solve, solved once and then read from `cache`."""
    path = cache / f"{seconds:g}s" / f"{name}.json"
    if not path.exists():
        result = solve(inst.problem, time_limit=seconds, cost="distance", vehicle_fixed_cost=fixed_vehicle_cost(inst))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({r.technician_id: r.visit_ids for r in result.routes}))
    return json.loads(path.read_text())


def polish(inst, start: dict[str, list[str]], seconds: float, setting: dict) -> tuple[float, int, int]:
    """One search on the start plan's routes only (as the fleet strategy's polish): distance,
    routes, visits left out."""
    problem = replace(inst.problem, technicians=[t for t in inst.problem.technicians if t.id in start])
    fixed = fixed_vehicle_cost(inst)
    options = dict(setting)
    ils = dict(options.pop("ils", {}))
    if "temperature_factors" in ils:
        hot, cold = ils.pop("temperature_factors")
        # In the model's units (the reader scales distances to integers).
        cost = inst.exact_distance(start.values()) * inst.scale
        ils["temperature"] = annealing_temperatures(cost, sum(map(len, start.values())) + len(start), hot, cold)
    kwargs = {"cost": "distance", "vehicle_fixed_cost": fixed, "minimize_vehicles": False, "decompose": False,
              **options, "initial_routes": start, "ils": ils}
    result = solve(problem, time_limit=seconds, **kwargs)
    return inst.exact_distance(r.visit_ids for r in result.routes), len(result.routes), len(result.unassigned)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", default="R1??,R2??,RC1??,RC2??", help="comma-separated globs")
    ap.add_argument("--seconds", type=float, default=3.0, help="per instance and setting")
    ap.add_argument("--start-seconds", type=float, default=4.0, help="default solve that makes the starting plans")
    ap.add_argument("--setting", action="append", default=[], metavar="NAME=JSON", required=True)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "polish-starts")
    args = ap.parse_args()
    settings = {}
    for item in args.setting:
        name, _, text = item.partition("=")
        settings[name] = json.loads(text or "{}")
    bks = read_bks(args.data / "bks.csv")
    names = sorted(n for n in bks if any(fnmatch.fnmatch(n, p) for p in args.instances.split(","))
                   and (args.data / f"{n}.txt").exists())
    gaps: dict[str, dict[str, float]] = {s: {} for s in settings}
    t0 = time.monotonic()
    for k, name in enumerate(names, 1):
        inst = read_solomon(args.data / f"{name}.txt")
        _, best = bks[name]
        start = start_plan(name, inst, args.cache, args.start_seconds)
        start_gap = 100 * (inst.exact_distance(start.values()) - best) / best
        line = [f"[{k}/{len(names)} {time.monotonic() - t0:5.0f}s] {name:6} start {start_gap:6.2f}%"]
        for s, setting in settings.items():
            dist, routes, left_out = polish(inst, start, args.seconds, setting)
            if left_out:  # cannot happen from a full start plan with the same routes; say so if it does
                line.append(f"{s} left {left_out} out")
                continue
            gaps[s][name] = 100 * (dist - best) / best
            line.append(f"{s} {gaps[s][name]:6.2f}%")
        print("  ".join(line), flush=True)
    families = sorted({family(n) for n in names}) + ["all"]
    first = next(iter(settings))
    print(f"\nmean gap % to best known after {args.seconds:g} s from {args.start_seconds:g}-s default plans "
          f"(better/worse: instances more than {SAME} points from '{first}')")
    print(f"{'setting':12}" + "".join(f"{f:>8}" for f in families) + "  better/worse")
    for s in settings:
        row = []
        for f in families:
            vals = [g for n, g in gaps[s].items() if f == "all" or family(n) == f]
            row.append(f"{statistics.mean(vals):8.2f}" if vals else f"{'-':>8}")
        shared = gaps[s].keys() & gaps[first].keys()
        better = sum(gaps[s][n] < gaps[first][n] - SAME for n in shared)
        worse = sum(gaps[s][n] > gaps[first][n] + SAME for n in shared)
        print(f"{s:12}" + "".join(row) + f"  {better}/{worse}")


if __name__ == "__main__":
    main()
