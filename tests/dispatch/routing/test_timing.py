"""One set of time rules: `timing.timeline` is the reference that schedule and live insertion use;
the compiled SISR kernel keeps its own copy for speed, checked here case for case against it."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dispatch.routing import Break, RoutingProblem, Technician, TimeWindow, Visit, sisr
from dispatch.routing import sisr_kernel as kernel
from dispatch.routing.insertion import PlannedRoute, insert_visit
from dispatch.routing.options import SolveOptions
from dispatch.routing.schedule import schedule
from dispatch.routing.timing import timeline

from .builders import HOUR, MIN, line, lunch, problem, tech, visit

CASES = 1000
OPTS = SolveOptions(time_limit=1.0)


@pytest.fixture(scope="module", autouse=True)
def compiled():
    sisr.warm_up()


def _random_case(rng: np.random.Generator) -> RoutingProblem:
    """One technician (closed, other-end or open route), 2-8 visits on a grid with a window or
    none, sometimes an earliest start, a random shift; times on a 10-minute grid, so that stops
    often start exactly at a window's or the shift's bounds."""
    m = int(rng.integers(2, 9))
    pts = rng.integers(0, 12, size=(m + 2, 2))  # 0: start, 1..m: visits, m + 1: another end
    durations = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1) * int(rng.choice([2, 5, 10])) * MIN
    begin = int(rng.integers(6, 11)) * HOUR
    shift = TimeWindow(begin, begin + int(rng.integers(12, 61)) * 10 * MIN)
    end = (0, m + 1, None)[int(rng.integers(3))]
    visits = []
    for i in range(m):
        windows = ()
        if rng.random() < 0.7:
            a = shift.start + int(rng.integers(-12, (shift.end - shift.start) // (10 * MIN))) * 10 * MIN
            windows = (TimeWindow(a, a + int(rng.integers(0, 25)) * 10 * MIN),)
        v = Visit(f"v{i}", 1 + i, int(rng.integers(0, 13)) * 5 * MIN, windows)
        if rng.random() < 0.2:
            later = replace(v, earliest_start=shift.start + int(rng.integers(0, 37)) * 10 * MIN)
            v = later if later.start_bounds() else v  # an earliest start after the window: left out
        visits.append(v)
    return RoutingProblem((Technician("t", 0, end, shift),), tuple(visits), durations)


def _reference(p: RoutingProblem, seq: list[int]):
    t = p.technicians[0]
    locs = [t.start_location] + [p.visits[i].location for i in seq] + (
        [t.end_location] if t.end_location is not None else [])
    travels = [int(p.durations[a, b]) for a, b in zip(locs, locs[1:])]
    return timeline(t.shift, (), (), travels, [p.visits[i].service for i in seq],
                    [tuple(p.visits[i].start_bounds()) for i in seq], [None] * len(seq))


def test_the_kernel_times_routes_and_insertions_as_the_reference_does():
    rng = np.random.default_rng(20261202)
    outcomes = {True: 0, False: 0}
    for case in range(CASES):
        p = _random_case(rng)
        m = len(p.visits)
        assert sisr.applicable(p, [0], range(m), OPTS)
        # The kernel has no breaks: problems with one never reach it.
        with_break = replace(p.technicians[0], breaks=(Break(TimeWindow(p.technicians[0].shift.start,
                                                                        p.technicians[0].shift.end), 0),))
        assert not sisr.applicable(replace(p, technicians=(with_break,)), [0], range(m), OPTS)

        seq = [int(i) for i in rng.permutation(m)[: int(rng.integers(0, m))]]
        while seq and _reference(p, seq) is None:  # the kernel keeps routes on time: start from one
            seq.pop(int(rng.integers(len(seq))))
        base = _reference(p, seq)
        if base is None:  # not even the way from start to end fits the shift
            continue

        arr = sisr._arrays(p, [0], list(range(m)), {i: [0] for i in range(m)}, OPTS)
        rt = np.zeros((1, m + 1), dtype=np.int64)
        rt[0, :len(seq)] = seq
        rl = np.array([len(seq)], dtype=np.int64)
        dep = np.zeros((1, m + 2), dtype=np.int64)
        ls = np.zeros((1, m + 2), dtype=np.int64)
        load = np.zeros(1, dtype=np.int64)
        route_of = -np.ones(m + 2, dtype=np.int64)
        pos_of = np.zeros(m + 2, dtype=np.int64)
        kernel._refresh(0, rt, rl, dep, ls, load, route_of, pos_of, arr.start, arr.end, arr.T, arr.e, arr.late,
                        arr.s, arr.q, arr.shift_start)
        departures = [start + p.visits[i].service for start, i in zip(base.starts, seq)]
        assert dep[0, :len(seq)].tolist() == departures, f"case {case}"

        for u in (i for i in range(m) if i not in seq):
            feasible = []
            for pos in range(len(seq) + 1):
                a = arr.start[0] if pos == 0 else seq[pos - 1]
                b = arr.end[0] if pos == len(seq) else seq[pos]
                depart_a = arr.shift_start[0] if pos == 0 else dep[0, pos - 1]
                got = kernel._fits(depart_a + arr.T[a, u], arr.e[u], arr.late[u], arr.s[u], arr.T[u, b], ls[0, pos])
                want = _reference(p, seq[:pos] + [u] + seq[pos:]) is not None
                assert got == want, f"case {case}: visit {u} at {pos} of {seq}: kernel {got}, reference {want}"
                outcomes[want] += 1
                if want:
                    feasible.append((int(arr.C[a, u] + arr.C[u, b] - arr.C[a, b]), pos))
            # The kernel's cheapest insertion (no blinks) is the cheapest the reference allows.
            bv, bp, bd = kernel._best_insertion(u, rt, rl, dep, ls, load, arr.start, arr.end, arr.T, arr.C, arr.e,
                                                arr.late, arr.s, arr.q, arr.cap, arr.allowed, arr.shift_start, 0, 0.0)
            if feasible:
                assert (bv, (bd, bp)) == (0, min(feasible)), f"case {case}: visit {u} into {seq}"
            else:
                assert bv == -1, f"case {case}: visit {u} into {seq}"
    assert min(outcomes.values()) > 1000  # many feasible and many infeasible insertions were compared


def test_live_insertion_returns_the_route_schedule_gives_its_sequence():
    # Lunch from 11:30; the day's work is done by 10:00. Lunch first (the first placement that is on
    # time) would keep the technician out until after 13:00; the schedule takes it once back home.
    early_lunch = lunch(11 * HOUR + 30 * MIN, 13 * HOUR + 30 * MIN)
    p = problem([tech("t", breaks=[early_lunch])], [visit("a", 1), visit("new", 2)], line(3))
    res = insert_visit(p, [PlannedRoute("t", ["a"])], p.visit_by_id["new"])
    assert res.feasible
    t = p.technician_by_id["t"]
    assert res.route == schedule(p, t, [p.visit_by_id[v] for v in res.sequence])
    assert res.route.end_time < early_lunch.window.start
