"""Live insertion benchmark: one new visit placed into a day of 50 technicians and 400 planned visits
(with lunch breaks, skills and 2-hour customer windows for a third of the visits), beside its peer, a
re-solve of the whole day with OR-Tools warm-started from the current routes, in the same run.

For each seed a generated day (dispatch.routing.synthetic) is planned first by inserting its visits one
by one (as live dispatch builds a day); then each of the held-back visits is timed:

  insert         insert_visit, as live dispatch calls it (windows and the SLA deadline honoured)
  urgent         an urgent visit that found no on-time place: make_room moves one lower-priority visit
  re-solve       the peer: the whole day re-solved with the new visit (1 s limit, warm start)

Printed: p50 / p95 / max milliseconds and how many found a place. Target: insert and urgent p95
under 50 ms.

    .venv/bin/python scripts/bench_insertion.py [--seeds 1 2 3] [--new 40]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dispatch.routing import solve
from dispatch.routing.displacement import make_room
from dispatch.routing.insertion import PlannedRoute, insert_visit
from dispatch.routing.synthetic import field_service_day

TECHNICIANS, PLANNED = 50, 400


def planned_day(seed: int, held_back: int, city_km: float):
    """The generated day with PLANNED visits placed by insertion, and `held_back` visits still to place."""
    # A compact city, so that the planned day still has room: the new visits then test placing, not
    # only refusing (which is the slower case, every candidate tried; a full day shows it too).
    day = field_service_day(jobs=PLANNED + held_back, technicians=TECHNICIANS, seed=seed, priorities=True,
                            deadlines=True, city_km=city_km)
    problem = day.problem
    visits = list(problem.visits)
    random.Random(seed).shuffle(visits)
    routes = {t.id: [] for t in problem.technicians}
    placed = 0
    for visit in visits[:PLANNED]:
        found = insert_visit(problem, [PlannedRoute(t, tuple(s)) for t, s in routes.items()], visit)
        if found.feasible:
            routes[found.technician_id] = list(found.sequence)
            placed += 1
    return problem, routes, visits[PLANNED:], placed


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def row(name: str, times: list[float], served: int, tried: int) -> str:
    times = sorted(times)
    p95 = _p95(times)
    return f"| {name} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} | {served}/{tried} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--new", type=int, default=40, help="new visits timed per seed")
    parser.add_argument("--city-km", type=float, nargs="+", default=[20.0, 50.0],
                        help="city sizes: a compact one with room left, a wide one that is full")
    parser.add_argument("--peer-limit", type=float, default=1.0, help="seconds for the peer's re-solve")
    args = parser.parse_args(argv)
    print("| seed, city | path | p50 ms | p95 ms | max ms | placed |")
    print("|---|---|---|---|---|---|")
    worst = worst_urgent = 0.0
    for seed, city_km in ((seed, km) for km in args.city_km for seed in args.seeds):
        problem, routes, new, planned = planned_day(seed, args.new, city_km)
        current = [PlannedRoute(t, tuple(s)) for t, s in routes.items()]
        inserts, urgents, peers = [], [], []
        served = {"insert": 0, "urgent": 0, "re-solve": 0}
        for visit in new:
            ms, found = timed(lambda visit=visit, problem=problem, current=current: insert_visit(problem, current, visit))
            inserts.append(ms)
            served["insert"] += found.feasible
            urgent = replace(visit, priority=100)
            ms, room = timed(lambda urgent=urgent, problem=problem, current=current: make_room(problem, current, urgent))
            urgents.append(ms)
            served["urgent"] += room is not None
        for visit in new[: max(3, args.new // 8)]:  # the peer is slow: a sample of the same visits
            initial = {t: [s for s in seq if isinstance(s, str)] for t, seq in routes.items() if seq}
            with_new = replace(problem, visits=tuple(v for v in problem.visits
                                                     if v.id in {s for r in initial.values() for s in r}
                                                     or v.id == visit.id))
            ms, result = timed(lambda with_new=with_new, initial=initial: solve(
                with_new, time_limit=args.peer_limit, initial_routes=initial))
            peers.append(ms)
            served["re-solve"] += visit.id in result.assignment()
        label = f"{seed}, {city_km:.0f} km"
        print(f"| {label} | insert (planned {planned}/{PLANNED}) " + row("", inserts, served["insert"], len(new))[3:])
        print(f"| {label} | urgent, making room " + row("", urgents, served["urgent"], len(new))[3:])
        print(f"| {label} | peer: OR-Tools re-solve, warm " + row("", peers, served["re-solve"], len(peers))[3:])
        worst = max(worst, _p95(inserts))
        worst_urgent = max(worst_urgent, _p95(urgents))
    print(f"worst insert p95: {worst:.1f} ms (target < 50 ms)")
    print(f"worst urgent p95: {worst_urgent:.1f} ms (target < 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
