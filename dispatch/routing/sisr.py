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

Only "plain" problems qualify (`applicable`): time windows, shifts, capacities, allowed
technicians and per-technician start/end places; no breaks, parts, pins, several windows per
visit, soft deadlines or visit caps, and the same service time whatever the technician. Anything
else keeps OR-Tools' polish. The fleet strategy re-checks the routes with the schedule code
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


def applicable(problem: RoutingProblem, techs: Sequence[int], visits: Sequence[int], opts: SolveOptions) -> bool:
    if problem.depots or not techs or not visits:
        return False
    team = [problem.technicians[k] for k in techs]
    if any(t.breaks or t.max_visits is not None for t in team):
        return False
    for i in visits:
        v = problem.visits[i]
        if v.pinned_technician is not None or v.needs_parts or len(v.start_bounds()) != 1:
            return False
        if v.deadline is not None and opts.lateness_cost > 0:
            return False
        if len({t.service_seconds(v) for t in team}) > 1:
            return False
    return True


class _Arrays(NamedTuple):
    """The problem as the kernel reads it (see `sisr_kernel`): visits are nodes 0..m-1, vehicle j
    starts at node start[j] and ends at node end[j]."""

    start: np.ndarray
    end: np.ndarray
    T: np.ndarray  # travel time between nodes
    C: np.ndarray  # cost between nodes (distance or travel time)
    e: np.ndarray  # earliest service start (vehicle nodes: shift start)
    late: np.ndarray  # latest service start (end nodes: shift end)
    s: np.ndarray  # service time
    q: np.ndarray  # demand
    cap: np.ndarray  # capacity per vehicle
    allowed: np.ndarray  # [vehicle, visit]: qualified and able to reach it
    shift_start: np.ndarray
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

    n_nodes = m + 2 * nv
    e, late, s, q = (np.zeros(n_nodes, dtype=np.int64) for _ in range(4))
    for n, i in enumerate(visits):
        v = problem.visits[i]
        (e[n], late[n]), = v.start_bounds()
        s[n] = team[0].service_seconds(v)  # the same for everyone (`applicable`)
        q[n] = v.demand
    shift_start = np.array([t.shift.start for t in team], dtype=np.int64)
    shift_end = np.array([t.shift.end for t in team], dtype=np.int64)
    e[start], late[start] = shift_start, shift_end
    e[end], late[end] = shift_start, shift_end
    cap = np.array([t.capacity if t.capacity is not None else int(q.sum()) + 1 for t in team], dtype=np.int64)
    position = {k: j for j, k in enumerate(techs)}
    allowed = np.zeros((nv, m), dtype=np.bool_)
    for n, i in enumerate(visits):
        for k in candidates[i]:
            if k in position:
                allowed[position[k], n] = True
    closeness = C[:m, :m] + C[:m, :m].T
    np.fill_diagonal(closeness, -1)  # each visit first, even beside another at the same place
    neighbours = np.argsort(closeness, axis=1, kind="stable")[:, 1:].astype(np.int64)
    return _Arrays(start, end, T, C, e, late, s, q, cap, allowed, shift_start, neighbours)


def polish(problem: RoutingProblem, techs: Sequence[int], visits: Sequence[int], routes: Mapping[int, Sequence[int]],
           candidates: Mapping[int, Sequence[int]], opts: SolveOptions, deadline: float,
           temperatures: tuple[float, float], seed: int = 0, stop_when_all_served: bool = False) -> dict[int, list[int]]:
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
    rt = np.zeros((nv, m + 1), dtype=np.int64)  # route j: rt[j, :rl[j]]
    rl = np.zeros(nv, dtype=np.int64)
    for k, seq in routes.items():
        rl[position[k]] = len(seq)
        rt[position[k], :len(seq)] = [local[i] for i in seq]
    fixed = int(opts.vehicle_fixed_cost)
    # Leaving a visit out must cost more than any change of routes could save.
    penalty = int(arr.C.max()) * (m + 2 * nv) + fixed * nv + 1
    current = kernel.plan_cost(rt, rl, arr.start, arr.end, arr.C, fixed, penalty, m)
    state = np.array([current, current], dtype=np.int64)  # current and best cost
    best_rt, best_rl = rt.copy(), rl.copy()

    kernel.seed_rng(seed)
    t_hot, t_cold = temperatures
    began = time.monotonic()
    span = max(1e-3, deadline - began)
    steps = 50
    while True:  # at least one chunk of steps, however little time is left
        now = time.monotonic()
        progress = min(1.0, (now - began) / span)
        temperature = t_hot * math.pow(t_cold / t_hot, progress) if t_hot > 0 and t_cold > 0 else 0.0
        kernel.run(rt, rl, best_rt, best_rl, state, steps, temperature, AVG_REMOVED, MAX_STRING,
                   arr.start, arr.end, arr.T, arr.C, arr.e, arr.late, arr.s, arr.q, arr.cap, arr.allowed,
                   arr.shift_start, fixed, penalty, arr.neighbours, BLINK)
        took = time.monotonic() - now
        # Aim each chunk at CHUNK_SECONDS so the temperature follows the clock closely.
        steps = max(10, min(100_000, int(steps * CHUNK_SECONDS / max(took, 1e-4))))
        if now + 2 * took > deadline:  # the next chunk would end past the deadline
            break
        if stop_when_all_served and best_rl.sum() == m:
            break
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
