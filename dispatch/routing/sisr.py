"""Polish a fixed fleet's routes with SISR (Slack Induction by String Removals, Christiaens &
Vanden Berghe, Transportation Science 2020): remove a few strings of nearby visits, put them back
at their cheapest feasible places, accept by simulated annealing, many thousand times.

Why not OR-Tools' own ruin-and-recreate: each of its steps runs through the constraint solver and
costs about a millisecond (measured: ~3,600 steps in 4 s on RC207), so a 10-s budget gives a few
thousand steps where SISR needs hundreds of thousands. Long routes (Solomon RC2: 3 routes of ~33
visits) stayed 5-10 % above the best-known distance even with 40 s. The loop in `sisr_kernel.py` is
compiled with numba and checks a visit's insertion in O(1): about 65,000-70,000 steps a second
(14-16 us a step on RC207 and R101, 100,000 steps timed), so some 400,000 in the 6-7 s a 10-s
Solomon solve leaves for the polish.

What it models: time windows (several per visit), shifts, capacities, allowed technicians (skills
and levels), per-technician start and end places, service times that depend on who goes, daily visit
caps, one break per technician and priorities (a visit left out costs its priority's weight, and the
recreate places heavier work first). `applicable` refuses the rest: parts pickups, pinned sequences,
several breaks, and SLA deadlines that could be missed within the shifts while lateness costs
something. Those keep OR-Tools' polish. Every strategy re-checks the routes with the schedule code
(`strategies._checked`) before it takes them.
"""
from __future__ import annotations

import math
import time
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from .model import RoutingProblem
from .options import SolveOptions

AVG_REMOVED = 10  # SISR's c-bar: visits removed per step on average
MAX_STRING = 10  # SISR's L_max: longest string removed from one route
BLINK = 0.01  # SISR's blink rate: share of insertion places skipped at random
CHUNK_SECONDS = 0.02  # temperature is lowered and the clock read between chunks of steps


UNSERVED_TRIED = 30  # unserved visits near each step's seed that the recreate tries to place


def applicable(problem: RoutingProblem, techs: Sequence[int], visits: Sequence[int], opts: SolveOptions) -> bool:
    if not techs or not visits:
        return False
    if not all(modelled_technician(problem.technicians[k]) for k in techs):
        return False
    latest_end = max(problem.technicians[k].shift.end for k in techs)
    return all(modelled_visit(problem.visits[i], opts, latest_end) for i in visits)


def modelled_technician(technician) -> bool:
    return len(technician.breaks) <= 1


def binding_deadline(visit, opts: SolveOptions, latest_end: int) -> bool:
    """The visit's SLA deadline could be missed within the shifts, and lateness costs something."""
    return visit.deadline is not None and opts.lateness_cost > 0 and visit.deadline < latest_end


def modelled_visit(visit, opts: SolveOptions, latest_end: int) -> bool:
    """Whether the kernel models the visit: no parts to collect, no locked place in a sequence, and no
    SLA deadline that could be missed within the shifts (`latest_end`) while lateness costs something."""
    if visit.pinned_sequence is not None or visit.needs_parts or not visit.start_bounds():
        return False
    return not binding_deadline(visit, opts, latest_end)


class _Arrays(NamedTuple):
    """The problem as the kernel reads it (see `sisr_kernel`): visits are nodes 0..m-1, vehicle j
    starts at node start[j] and ends at node end[j]."""

    start: np.ndarray
    end: np.ndarray
    T: np.ndarray  # travel time between nodes
    C: np.ndarray  # cost between nodes (distance or travel time)
    sv: np.ndarray  # [vehicle, visit]: service time when that vehicle serves it
    q: np.ndarray  # demand
    cap: np.ndarray  # capacity per vehicle
    maxv: np.ndarray  # most visits per vehicle
    allowed: np.ndarray  # [vehicle, visit]: qualified and able to reach it
    wfirst: np.ndarray  # [visit]: its first window in wlo/whi
    wcount: np.ndarray
    wlo: np.ndarray  # service-start windows, each visit's in order
    whi: np.ndarray
    shift_start: np.ndarray
    shift_end: np.ndarray
    has_break: np.ndarray
    bws: np.ndarray  # the break's window and duration (zeros without one)
    bwe: np.ndarray
    bdur: np.ndarray
    weight: np.ndarray  # [visit]: 1 + priority, what leaving it out weighs
    neighbours: np.ndarray  # [visit]: the other visits, nearest first


def _arrays(problem: RoutingProblem, techs: Sequence[int], visits: Sequence[int],
            candidates: Mapping[int, Sequence[int]], opts: SolveOptions) -> _Arrays:
    m, nv = len(visits), len(techs)
    team = [problem.technicians[k] for k in techs]
    start = np.arange(m, m + 2 * nv, 2, dtype=np.int64)
    end = start + 1
    locs = [problem.visits[i].location for i in visits]
    for t in team:
        locs += [t.start_location, t.end_location if t.end_location is not None else t.start_location]
    locs_arr = np.array(locs, dtype=np.int64)
    T = problem.durations[np.ix_(locs_arr, locs_arr)].astype(np.int64)
    cost_matrix = problem.distances if opts.cost == "distance" else problem.durations
    C = cost_matrix[np.ix_(locs_arr, locs_arr)].astype(np.int64)
    for j, t in enumerate(team):
        if t.end_location is None:  # open route: getting "home" takes and costs nothing
            T[:, end[j]] = 0
            C[:, end[j]] = 0

    q = np.zeros(m, dtype=np.int64)
    sv = np.zeros((nv, m), dtype=np.int64)
    wfirst, wcount, wlo, whi = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=np.int64), [], []
    weight = np.ones(m, dtype=np.int64)
    for n, i in enumerate(visits):
        v = problem.visits[i]
        bounds = v.start_bounds()
        wfirst[n], wcount[n] = len(wlo), len(bounds)
        wlo += [lo for lo, _hi in bounds]
        whi += [hi for _lo, hi in bounds]
        q[n] = v.demand
        weight[n] = 1 + v.priority
        for j, t in enumerate(team):
            sv[j, n] = t.service_seconds(v)
    shift_start = np.array([t.shift.start for t in team], dtype=np.int64)
    shift_end = np.array([t.shift.end for t in team], dtype=np.int64)
    has_break = np.array([bool(t.breaks) for t in team], dtype=np.bool_)
    bws = np.array([t.breaks[0].window.start if t.breaks else 0 for t in team], dtype=np.int64)
    bwe = np.array([t.breaks[0].window.end if t.breaks else 0 for t in team], dtype=np.int64)
    bdur = np.array([t.breaks[0].duration if t.breaks else 0 for t in team], dtype=np.int64)
    cap = np.array([t.capacity if t.capacity is not None else int(q.sum()) + 1 for t in team], dtype=np.int64)
    maxv = np.array([t.max_visits if t.max_visits is not None else m + 1 for t in team], dtype=np.int64)
    position = {k: j for j, k in enumerate(techs)}
    pinned = {t.id: position[k] for k, t in zip(techs, team)}
    allowed = np.zeros((nv, m), dtype=np.bool_)
    for n, i in enumerate(visits):
        only = problem.visits[i].pinned_technician
        for k in candidates[i]:
            if k in position and (only is None or pinned.get(only) == position[k]):
                allowed[position[k], n] = True
    closeness = C[:m, :m] + C[:m, :m].T
    np.fill_diagonal(closeness, -1)  # each visit first, even beside another at the same place
    neighbours = np.argsort(closeness, axis=1, kind="stable")[:, 1:].astype(np.int64)
    return _Arrays(start, end, T, C, sv, q, cap, maxv, allowed, wfirst, wcount, np.array(wlo, dtype=np.int64),
                   np.array(whi, dtype=np.int64), shift_start, shift_end, has_break, bws, bwe, bdur, weight,
                   neighbours)


def polish(problem: RoutingProblem, techs: Sequence[int], visits: Sequence[int], routes: Mapping[int, Sequence[int]],
           candidates: Mapping[int, Sequence[int]], opts: SolveOptions, deadline: float,
           temperatures: tuple[float, float], seed: int = 0, stop_when_all_served: bool = False,
           stats: dict | None = None) -> dict[int, list[int]]:
    """Improve `routes` (technician index -> visit indices) of `techs` over `visits` (problem
    indices; those not in a route are inserted when they fit) until `deadline`, or until every
    visit is served with `stop_when_all_served` (route elimination). Simulated annealing cools from
    `temperatures[0]` to `temperatures[1]` (cost units) over the time given.
    Returns technician index -> visit indices."""
    from . import sisr_kernel as kernel  # numba compiles (or loads its cache) on first use

    visits = list(visits)
    m, nv = len(visits), len(techs)
    arr = _arrays(problem, techs, visits, candidates, opts)
    local = {i: n for n, i in enumerate(visits)}
    position = {k: j for j, k in enumerate(techs)}
    longest = max([len(seq) for seq in routes.values()] + [int(min(arr.maxv.max(), m))])
    rt = np.zeros((nv, longest + 1), dtype=np.int64)  # route j: rt[j, :rl[j]]
    rl = np.zeros(nv, dtype=np.int64)
    bg = np.zeros(nv, dtype=np.int64)  # each route's break gap (the kernel places it)
    route_of = -np.ones(m, dtype=np.int64)
    for k, seq in routes.items():
        rl[position[k]] = len(seq)
        rt[position[k], :len(seq)] = [local[i] for i in seq]
        route_of[[local[i] for i in seq]] = position[k]
    fixed = int(opts.vehicle_fixed_cost)
    # Leaving a visit out must cost more than any change of routes could save, the more so the
    # heavier its priority.
    penalty = int(arr.C.max()) * (m + 2 * nv) + fixed * nv + 1
    pen = penalty * arr.weight
    current = kernel.plan_cost(rt, rl, route_of, arr.start, arr.end, arr.C, fixed, pen)
    state = np.array([current, current], dtype=np.int64)  # current and best cost
    best_rt, best_rl, best_bg = rt.copy(), rl.copy(), bg.copy()

    kernel.seed_rng(seed)
    t_hot, t_cold = temperatures
    began = time.monotonic()
    span = max(1e-3, deadline - began)
    steps, done = 50, 0
    while True:  # at least one chunk of steps, however little time is left
        now = time.monotonic()
        progress = min(1.0, (now - began) / span)
        temperature = t_hot * math.pow(t_cold / t_hot, progress) if t_hot > 0 and t_cold > 0 else 0.0
        kernel.run(rt, rl, bg, best_rt, best_rl, best_bg, state, steps, temperature, AVG_REMOVED, MAX_STRING,
                   arr.start, arr.end, arr.T, arr.C, arr.sv, arr.q, arr.cap, arr.maxv, arr.allowed, arr.wfirst,
                   arr.wcount, arr.wlo, arr.whi, arr.shift_start, arr.shift_end, arr.bws, arr.bwe, arr.bdur,
                   arr.has_break, fixed, pen, arr.weight, arr.neighbours, BLINK, UNSERVED_TRIED)
        took = time.monotonic() - now
        done += steps
        # Aim each chunk at CHUNK_SECONDS so the temperature follows the clock closely.
        steps = max(10, min(100_000, int(steps * CHUNK_SECONDS / max(took, 1e-4))))
        if now + 2 * took > deadline:  # the next chunk would end past the deadline
            break
        if stop_when_all_served and best_rl.sum() == m:
            break
    if stats is not None:
        stats["sisr_steps"] = stats.get("sisr_steps", 0) + done
    return {techs[j]: [visits[n] for n in best_rt[j, :best_rl[j]]] for j in range(nv)}


def warm_up() -> float:
    """Compile the kernel (or load numba's on-disk cache) on a tiny problem; returns seconds taken.
    The first compilation takes seconds: do it before a timed solve, as a C++ solver is built first."""
    from .model import Technician, TimeWindow, Visit

    began = time.monotonic()
    d = np.array([[0, 5, 5], [5, 0, 5], [5, 5, 0]], dtype=np.int64)
    problem = RoutingProblem((Technician("t", 0, 0, TimeWindow(0, 100)),),
                             (Visit("a", 1, 1, (TimeWindow(0, 50),)), Visit("b", 2, 1, (TimeWindow(0, 50),))), d, d)
    polish(problem, [0], [0, 1], {0: [0, 1]}, {0: [0], 1: [0]}, SolveOptions(time_limit=1, cost="distance"),
           time.monotonic(), (1.0, 0.1))
    return time.monotonic() - began
