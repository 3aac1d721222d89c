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
    """One technician (closed, other-end or open route) at a random skill level, often with a break,
    2-8 visits on a grid with one window, two or none, sometimes an earliest start, a random shift;
    times on a 10-minute grid, so that stops often start exactly at a window's or the shift's bounds."""
    m = int(rng.integers(2, 9))
    pts = rng.integers(0, 12, size=(m + 2, 2))  # 0: start, 1..m: visits, m + 1: another end
    durations = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1) * int(rng.choice([2, 5, 10])) * MIN
    begin = int(rng.integers(6, 11)) * HOUR
    shift = TimeWindow(begin, begin + int(rng.integers(12, 61)) * 10 * MIN)
    end = (0, m + 1, None)[int(rng.integers(3))]

    def grid_time() -> int:
        return shift.start + int(rng.integers(-12, (shift.end - shift.start) // (10 * MIN))) * 10 * MIN

    visits = []
    for i in range(m):
        windows = []
        for _ in range(int(rng.choice([0, 1, 1, 2]))):
            a = grid_time()
            windows.append(TimeWindow(a, a + int(rng.integers(0, 25)) * 10 * MIN))
        windows.sort(key=lambda w: w.start)
        if len(windows) == 2 and windows[1].start <= windows[0].end:  # overlapping: one window
            windows = [TimeWindow(windows[0].start, max(windows[0].end, windows[1].end))]
        v = Visit(f"v{i}", 1 + i, int(rng.integers(0, 13)) * 5 * MIN, tuple(windows), required_skill="fridge")
        if rng.random() < 0.2:
            later = replace(v, earliest_start=shift.start + int(rng.integers(0, 37)) * 10 * MIN)
            v = later if later.start_bounds() else v  # an earliest start after the window: left out
        visits.append(v)
    breaks = ()
    if rng.random() < 0.6:
        duration = int(rng.integers(0, 7)) * 10 * MIN
        opens = max(shift.start, min(grid_time(), shift.end - duration))
        closes = min(shift.end, opens + duration + int(rng.integers(0, 13)) * 10 * MIN)
        breaks = (Break(TimeWindow(opens, closes), duration),)
    technician = Technician("t", 0, end, shift, breaks=breaks, skills={"fridge": int(rng.integers(1, 4))})
    return RoutingProblem((technician,), tuple(visits), durations)


def _reference(p: RoutingProblem, seq: list[int], gap: int | None):
    """The reference timeline of `seq` with the break (if the technician has one) in `gap`."""
    t = p.technicians[0]
    locs = [t.start_location] + [p.visits[i].location for i in seq] + (
        [t.end_location] if t.end_location is not None else [])
    travels = [int(p.durations[a, b]) for a, b in zip(locs, locs[1:])]
    return timeline(t.shift, t.breaks, (gap,) if t.breaks else (), travels,
                    [t.service_seconds(p.visits[i]) for i in seq],
                    [tuple(p.visits[i].start_bounds()) for i in seq], [None] * len(seq))


def _over(t: Technician, found) -> int:
    """When the day is over, a break taken once back home included."""
    return found.break_starts[-1] + t.breaks[-1].duration if found.breaks_after_end else found.end


def _gaps(p: RoutingProblem, n: int) -> list[int | None]:
    return list(range(n + 1)) if p.technicians[0].breaks else [None]


class _Route:
    """One route in the kernel's arrays."""

    def __init__(self, p: RoutingProblem, seq: list[int]):
        m = len(p.visits)
        self.arr = arr = sisr._arrays(p, [0], list(range(m)), {i: [0] for i in range(m)}, OPTS)
        self.rt = np.zeros((1, m + 1), dtype=np.int64)
        self.rt[0, :len(seq)] = seq
        self.rl = np.array([len(seq)], dtype=np.int64)
        self.bg = np.zeros(1, dtype=np.int64)
        self.dep = np.zeros((1, m + 2), dtype=np.int64)
        self.ls = np.zeros((1, m + 2), dtype=np.int64)
        self.load = np.zeros(1, dtype=np.int64)
        self.route_of = -np.ones(m + 2, dtype=np.int64)
        self.pos_of = np.zeros(m + 2, dtype=np.int64)
        kernel._place_break(0, self.rt, self.rl, self.bg, arr.start, arr.end, arr.T, arr.sv, arr.wfirst,
                            arr.wcount, arr.wlo, arr.whi, arr.shift_start, arr.shift_end, arr.bws, arr.bwe,
                            arr.bdur, arr.has_break)
        kernel._refresh(0, self.rt, self.rl, self.bg, self.dep, self.ls, self.load, self.route_of, self.pos_of,
                        arr.start, arr.end, arr.T, arr.sv, arr.q, arr.wfirst, arr.wcount, arr.wlo, arr.whi,
                        arr.shift_start, arr.shift_end, arr.bws, arr.bwe, arr.bdur, arr.has_break)

    def fits(self, pos: int, u: int) -> int:
        a = self.arr
        return kernel.insertion_fits(0, pos, u, self.rt, self.rl, self.bg, self.dep, self.ls, a.start, a.end, a.T,
                                     a.sv, a.wfirst, a.wcount, a.wlo, a.whi, a.shift_start, a.bws, a.bwe, a.bdur,
                                     a.has_break)

    def best(self, u: int):
        a = self.arr
        return kernel._best_insertion(u, self.rt, self.rl, self.bg, self.dep, self.ls, self.load, a.start, a.end,
                                      a.T, a.C, a.sv, a.q, a.cap, a.maxv, a.allowed, a.wfirst, a.wcount, a.wlo,
                                      a.whi, a.shift_start, a.bws, a.bwe, a.bdur, a.has_break, 0, 0.0)


def test_the_kernel_times_routes_and_insertions_as_the_reference_does():
    rng = np.random.default_rng(20261202)
    outcomes = {True: 0, False: 0}
    with_break = 0
    for case in range(CASES):
        p = _random_case(rng)
        m = len(p.visits)
        t = p.technicians[0]
        assert sisr.applicable(p, [0], range(m), OPTS)

        def on_time(seq):
            return any(_reference(p, seq, g) is not None for g in _gaps(p, len(seq)))

        seq = [int(i) for i in rng.permutation(m)[: int(rng.integers(0, m))]]
        while seq and not on_time(seq):  # the kernel keeps routes on time: start from one
            seq.pop(int(rng.integers(len(seq))))
        if not on_time(seq):  # not even the way from start to end fits the shift
            continue
        route = _Route(p, seq)
        gap = int(route.bg[0]) if t.breaks else None
        with_break += bool(t.breaks)

        # The break goes where the route is over earliest, the break included (the first such gap).
        finishes = {g: _over(t, found) for g in _gaps(p, len(seq)) if (found := _reference(p, seq, g)) is not None}
        assert gap == min(finishes, key=lambda g: (finishes[g], g is not None and g)), f"case {case}"
        base = _reference(p, seq, gap)
        departures = [start + t.service_seconds(p.visits[i]) for start, i in zip(base.starts, seq)]
        assert route.dep[0, :len(seq)].tolist() == departures, f"case {case}"

        for u in (i for i in range(m) if i not in seq):
            feasible = []
            for pos in range(len(seq) + 1):
                longer = seq[:pos] + [u] + seq[pos:]
                if gap is None:
                    ways = {1: None}
                elif gap == pos:
                    ways = {2: pos, 3: pos + 1}
                else:
                    ways = {1: gap + 1 if gap > pos else gap}
                want = [how for how, g in ways.items() if _reference(p, longer, g) is not None]
                got = route.fits(pos, u)
                assert (got != 0) == bool(want) and (got == 0 or got in want), \
                    f"case {case}: visit {u} at {pos} of {seq}, break in {gap}: kernel {got}, reference {want}"
                outcomes[bool(want)] += 1
                if want:
                    a = route.arr.start[0] if pos == 0 else seq[pos - 1]
                    b = route.arr.end[0] if pos == len(seq) else seq[pos]
                    C = route.arr.C
                    feasible.append((int(C[a, u] + C[u, b] - C[a, b]), pos))
            # The kernel's cheapest insertion (no blinks) is the cheapest the reference allows.
            bv, bp, bd, _how = route.best(u)
            if feasible:
                assert (bv, (bd, bp)) == (0, min(feasible)), f"case {case}: visit {u} into {seq}"
            else:
                assert bv == -1, f"case {case}: visit {u} into {seq}"
    assert min(outcomes.values()) > 1000  # many feasible and many infeasible insertions were compared
    assert with_break > CASES // 3


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


def _every_placement(shift, breaks, travels, services, bounds, deadlines, any_on_time):
    """The reference: every break placement timed, the least lateness then the earliest end, first in order."""
    from itertools import combinations_with_replacement

    best = best_key = None
    for gaps in combinations_with_replacement(range(len(services) + 1), len(breaks)):
        found = timeline(shift, breaks, gaps, travels, services, bounds, deadlines)
        if found is None:
            continue
        if any_on_time and found.late == 0:
            return gaps, found
        if best_key is None or (found.late, found.end) < best_key:
            best, best_key = (gaps, found), (found.late, found.end)
    return best


def test_the_break_placements_left_untimed_change_no_placement_found():
    """best_break_gaps skips the placements that surely fail; it finds what timing every one finds."""
    from dispatch.routing.timing import best_break_gaps

    rng = np.random.default_rng(11)
    compared = with_two = 0
    for _ in range(CASES):
        p = _random_case(rng)
        t = p.technicians[0]
        if not t.breaks:
            continue
        breaks = t.breaks
        if rng.random() < 0.4:  # a second, later break
            first = breaks[0]
            opens = min(first.window.end, t.shift.end - first.duration)
            breaks = (first, Break(TimeWindow(opens, t.shift.end), min(first.duration, t.shift.end - opens)))
            with_two += 1
        seq = list(rng.permutation(len(p.visits)))
        locs = [t.start_location] + [p.visits[i].location for i in seq] + (
            [t.end_location] if t.end_location is not None else [])
        travels = [int(p.durations[a, b]) for a, b in zip(locs, locs[1:])]
        services = [t.service_seconds(p.visits[i]) for i in seq]
        bounds = [tuple(p.visits[i].start_bounds()) for i in seq]
        deadlines = [t.shift.start + int(rng.integers(0, 60)) * 10 * MIN if rng.random() < 0.5 else None for _ in seq]
        for any_on_time in (False, True):
            want = _every_placement(t.shift, breaks, travels, services, bounds, deadlines, any_on_time)
            got = best_break_gaps(t.shift, breaks, travels, services, bounds, deadlines, any_on_time=any_on_time)
            assert got == want
        compared += 1
    assert compared > CASES // 3 and with_two > 0
