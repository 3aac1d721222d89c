"""The compiled inner loop of the string-removal polish (see `sisr.py`): plain arrays in, plain
arrays out, no Python objects, so numba compiles it to machine code.

Nodes 0..m-1 are visits; every vehicle v has its own start node `start[v]` and end node `end[v]`.
`e`/`l` bound the service start at a node (for an end node: the arrival), `s` is the service time,
`q` the demand. Routes are rows of `rt` (visit nodes in order) with lengths `rl`; a visit is
unassigned when `route_of[i] == -1`.

Feasibility of inserting visit u between a and b is checked in O(1) with two arrays per route:
`dep[v, k]` (earliest departure from the k-th visit) and `ls[v, k]` (latest service start at the k-th
visit that keeps the rest of the route on time; `ls[v, len]` is the latest arrival at the end).
The time arithmetic is `timing.timeline`'s without breaks (plain problems have none), written again
here for speed; tests/unit/routing/test_timing.py checks the two agree case for case.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.int64(2**60)


@njit(cache=True)
def _refresh(v, rt, rl, dep, ls, load, route_of, pos_of, start, end, T, e, l, s, q, shift_start):
    """Recompute the timing, load and membership arrays of route v."""
    n = rl[v]
    prev = start[v]
    t = shift_start[v]
    total = 0
    for k in range(n):
        c = rt[v, k]
        arr = t + s[prev] + T[prev, c] if k > 0 else t + T[prev, c]
        if arr < e[c]:
            arr = e[c]
        dep[v, k] = arr + s[c]
        t = arr
        prev = c
        total += q[c]
        route_of[c] = v
        pos_of[c] = k
    load[v] = total
    nxt = end[v]
    latest = l[nxt]
    ls[v, n] = latest
    for k in range(n - 1, -1, -1):
        c = rt[v, k]
        x = latest - T[c, nxt] - s[c]
        if x > l[c]:
            x = l[c]
        ls[v, k] = x
        latest = x
        nxt = c


@njit(cache=True)
def _route_cost(v, rt, rl, start, end, C):
    n = rl[v]
    if n == 0:
        return 0
    prev = start[v]
    total = 0
    for k in range(n):
        total += C[prev, rt[v, k]]
        prev = rt[v, k]
    return total + C[prev, end[v]]


@njit(cache=True)
def plan_cost(rt, rl, start, end, C, fixed, penalty, m):
    """Routes' cost, `fixed` per used route and `penalty` per visit of the m left out."""
    total = penalty * (m - rl.sum())
    for v in range(rl.shape[0]):
        if rl[v] > 0:
            total += _route_cost(v, rt, rl, start, end, C) + fixed
    return total


@njit(cache=True)
def _fits(arrival, earliest, latest, service, onward, next_latest):
    """A stop reached at `arrival` starts service then or at `earliest`, must start by `latest`,
    and after `service` and `onward` travel reaches the next stop by `next_latest` (its `ls`).
    `timing.timeline`'s rules without breaks; tests/unit/routing/test_timing.py compares them."""
    start = arrival if arrival > earliest else earliest
    return start <= latest and start + service + onward <= next_latest


@njit(cache=True)
def _best_insertion(u, rt, rl, dep, ls, load, start, end, T, C, e, l, s, q, cap, allowed,
                    shift_start, fixed, blink):
    """Cheapest feasible (vehicle, position, delta) for u, skipping each position with probability
    `blink` (SISR's blinks: a little randomness in an otherwise greedy recreate)."""
    best_v, best_p, best_d = -1, -1, _INF
    nv = rl.shape[0]
    for v in range(nv):
        if not allowed[v, u] or load[v] + q[u] > cap[v]:
            continue
        n = rl[v]
        for p in range(n + 1):
            if blink > 0.0 and np.random.random() < blink:
                continue
            a = start[v] if p == 0 else rt[v, p - 1]
            b = end[v] if p == n else rt[v, p]
            d = C[a, u] + C[u, b] - C[a, b]
            if n == 0:
                d += fixed
            if d >= best_d:
                continue
            depart_a = shift_start[v] if p == 0 else dep[v, p - 1]
            if not _fits(depart_a + T[a, u], e[u], l[u], s[u], T[u, b], ls[v, p]):
                continue
            best_v, best_p, best_d = v, p, d
    return best_v, best_p, best_d


@njit(cache=True)
def _insert(v, p, u, rt, rl):
    n = rl[v]
    for k in range(n, p, -1):
        rt[v, k] = rt[v, k - 1]
    rt[v, p] = u
    rl[v] = n + 1


@njit(cache=True)
def _remove_string(v, first, length, rt, rl, route_of, removed, n_removed):
    n = rl[v]
    for k in range(first, first + length):
        c = rt[v, k]
        removed[n_removed] = c
        n_removed += 1
        route_of[c] = -1
    for k in range(first + length, n):
        rt[v, k - length] = rt[v, k]
    rl[v] = n - length
    return n_removed


@njit(cache=True)
def run(rt, rl, best_rt, best_rl, state, iterations, temperature, avg_removed, max_string,
        start, end, T, C, e, l, s, q, cap, allowed, shift_start, fixed, penalty, neighbours, blink):
    """`iterations` ruin-and-recreate steps at `temperature` from the current plan (`rt`, `rl`).
    `state` = [current cost, best cost] (updated). The best plan seen is kept in best_rt/best_rl."""
    nv, width = rt.shape
    m = neighbours.shape[0]
    n_nodes = T.shape[0]
    dep = np.zeros((nv, width + 1), dtype=np.int64)
    ls = np.zeros((nv, width + 1), dtype=np.int64)
    load = np.zeros(nv, dtype=np.int64)
    route_of = -np.ones(n_nodes, dtype=np.int64)
    pos_of = np.zeros(n_nodes, dtype=np.int64)
    for v in range(nv):
        _refresh(v, rt, rl, dep, ls, load, route_of, pos_of, start, end, T, e, l, s, q, shift_start)
    cand_rt = rt.copy()
    cand_rl = rl.copy()
    removed = np.empty(m, dtype=np.int64)
    ruined = np.zeros(nv, dtype=np.bool_)
    prio = np.empty(m, dtype=np.float64)
    cost = state[0]
    best = state[1]
    for _ in range(iterations):
        cand_rt[:, :] = rt
        cand_rl[:] = rl
        c_route_of = route_of.copy()
        # Ruin: strings of consecutive visits from routes near a random seed visit.
        used = 0
        total_len = 0
        for v in range(nv):
            ruined[v] = False
            if cand_rl[v] > 0:
                used += 1
                total_len += cand_rl[v]
        n_removed = 0
        for i in range(m):  # visits nobody serves stay to be inserted
            if c_route_of[i] == -1:
                removed[n_removed] = i
                n_removed += 1
        if used > 0:
            mean_len = total_len / used
            string_max = min(float(max_string), mean_len)
            ks_max = 4.0 * avg_removed / (1.0 + string_max) - 1.0
            n_strings = int(np.random.random() * ks_max) + 1
            seed = np.random.randint(m)
            done = 0
            for j in range(-1, m - 1):
                c = seed if j == -1 else neighbours[seed, j]
                v = c_route_of[c]
                if v < 0 or ruined[v]:
                    continue
                n = cand_rl[v]
                lmax = min(n, int(string_max))
                if lmax < 1:
                    lmax = 1
                length = np.random.randint(1, lmax + 1)
                # the string contains c at a random place
                p = pos_of[c]
                lo = max(0, p - length + 1)
                hi = min(p, n - length)
                first = np.random.randint(lo, hi + 1)
                n_removed = _remove_string(v, first, length, cand_rt, cand_rl, c_route_of, removed, n_removed)
                ruined[v] = True
                done += 1
                if done >= n_strings:
                    break
        # Recreate: one of SISR's orders (random, demand, far from the depot, close to it), then
        # each visit at its cheapest feasible place.
        r = np.random.random()
        for k in range(n_removed):
            u = removed[k]
            d0 = C[start[0], u]
            if r < 4.0 / 11.0:
                prio[k] = np.random.random()
            elif r < 8.0 / 11.0:
                prio[k] = -float(q[u])
            elif r < 10.0 / 11.0:
                prio[k] = -float(d0)
            else:
                prio[k] = float(d0)
        order = np.argsort(prio[:n_removed])
        for v in range(nv):
            if ruined[v]:
                _refresh(v, cand_rt, cand_rl, dep, ls, load, c_route_of, pos_of, start, end, T, e, l, s, q, shift_start)
        for k in range(n_removed):
            u = removed[order[k]]
            bv, bp, _ = _best_insertion(u, cand_rt, cand_rl, dep, ls, load, start, end, T, C, e, l, s, q,
                                        cap, allowed, shift_start, fixed, blink)
            if bv < 0:  # stays out; the penalty in plan_cost counts it
                continue
            _insert(bv, bp, u, cand_rt, cand_rl)
            ruined[bv] = True
            _refresh(bv, cand_rt, cand_rl, dep, ls, load, c_route_of, pos_of, start, end, T, e, l, s, q, shift_start)
        new = plan_cost(cand_rt, cand_rl, start, end, C, fixed, penalty, m)
        # Simulated annealing acceptance, as SISR: accept when new < current - T ln U.
        if new < cost - temperature * np.log(np.random.random()):
            # The candidate's timing, load and positions are already in dep/ls/load/pos_of.
            rt[:, :] = cand_rt
            rl[:] = cand_rl
            route_of[:] = c_route_of  # also marks visits the recreate could not place
            cost = new
            if new < best:
                best = new
                best_rt[:, :] = rt
                best_rl[:] = rl
        else:
            for v in range(nv):
                if ruined[v]:
                    _refresh(v, rt, rl, dep, ls, load, route_of, pos_of, start, end, T, e, l, s, q, shift_start)
    state[0] = cost
    state[1] = best


@njit(cache=True)
def seed_rng(seed):
    np.random.seed(seed)
