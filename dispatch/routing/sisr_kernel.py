"""The compiled inner loop of the string-removal polish (see `sisr.py`): plain arrays in, plain
arrays out, no Python objects, so numba compiles it to machine code.

Nodes 0..m-1 are visits; every vehicle v has its own start node `start[v]` and end node `end[v]`.
A visit's service may start in any of its windows `wlo[w]..whi[w]` for w in
`wfirst[c] .. wfirst[c] + wcount[c] - 1` (in order); `sv[v, c]` is its service time when vehicle v
serves it (skill levels make it differ); `q` the demand. Vehicle v works from `shift_start[v]`, is back
by `shift_end[v]`, serves at most `maxv[v]` visits and, when `has_break[v]`, takes one break of
`bdur[v]` starting in `bws[v] .. bwe[v] - bdur[v]` in gap `bg[v]` of its route (gap k is the leg into
its k-th visit; gap n, the way to the end). Routes are rows of `rt` (visit nodes in order) with lengths
`rl`; a visit is unassigned when `route_of[i] == -1` and then costs `pen[i]` (its priority's weight).

A break in a gap that leaves at `now` and drives `travel` starts at max(now, window start) and the
technician drives during the idle time before it, so the next arrival is
max(now + travel, window start) + duration (`timing.timeline`'s rule in closed form).

Feasibility of inserting visit u between a and b is checked in O(1) with two arrays per route:
`dep[v, k]` (earliest departure from the k-th visit) and `ls[v, k]` (latest service start at the k-th
visit that keeps the rest of the route on time, the break where it is; `ls[v, n]` is the latest
arrival at the end). Inserting into the break's own gap tries the break before and after u. A
modified route's break is then put where the route finishes earliest. tests/dispatch/routing/
test_timing.py checks the kernel against `timing.timeline` case for case.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.int64(2**60)


@njit(cache=True)
def _window_start(c, arrival, wfirst, wcount, wlo, whi):
    """Service start for an arrival at visit c: the arrival, or the start of the first window not
    over yet; _INF when every window is over."""
    for w in range(wfirst[c], wfirst[c] + wcount[c]):
        if arrival <= whi[w]:
            return arrival if arrival > wlo[w] else wlo[w]
    return _INF


@njit(cache=True)
def _window_latest(c, bound, wfirst, wcount, wlo, whi):
    """The latest service start at visit c no later than `bound`; -_INF when none."""
    for w in range(wfirst[c] + wcount[c] - 1, wfirst[c] - 1, -1):
        if wlo[w] <= bound:
            return whi[w] if whi[w] < bound else bound
    return -_INF


@njit(cache=True)
def _after_break(now, travel, ws, we, dur):
    """Arrival after a gap leaving at `now` with the break in it; _INF when the break starts too late."""
    begin = now if now > ws else ws
    if begin > we - dur:
        return _INF
    ready = now + travel
    return (ready if ready > ws else ws) + dur


@njit(cache=True)
def _latest_leaving(latest_arrival, travel, has_break, ws, we, dur):
    """The latest departure into a gap that still arrives by `latest_arrival` (the break in it or not)."""
    if not has_break:
        return latest_arrival - travel
    if ws + dur > latest_arrival:
        return -_INF
    x = latest_arrival - dur - travel
    return x if x < we - dur else we - dur


@njit(cache=True)
def _finish(v, g, rt, rl, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe, bdur,
            has_break):
    """When route v is back with its break in gap g; _INF when that is not on time."""
    n = rl[v]
    now = shift_start[v]
    prev = start[v]
    for k in range(n + 1):
        c = end[v] if k == n else rt[v, k]
        if has_break[v] and g == k:
            ready = _after_break(now, T[prev, c], bws[v], bwe[v], bdur[v])
        else:
            ready = now + T[prev, c]
        if k == n:
            return ready if ready <= shift_end[v] else _INF
        st = _window_start(c, ready, wfirst, wcount, wlo, whi)
        if st == _INF:
            return _INF
        now = st + sv[v, c]
        if now > shift_end[v]:
            return _INF
        prev = c
    return _INF


@njit(cache=True)
def _place_break(v, rt, rl, bg, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe,
                 bdur, has_break):
    """Put route v's break in the gap where the route is back earliest (the first such); kept where
    it is when no gap is on time (a route is never left so by the search)."""
    if not has_break[v]:
        return
    best_g, best_t = bg[v], _INF
    for g in range(rl[v] + 1):
        t = _finish(v, g, rt, rl, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe,
                    bdur, has_break)
        if t < best_t:
            best_g, best_t = g, t
    bg[v] = best_g


@njit(cache=True)
def _refresh(v, rt, rl, bg, dep, ls, load, route_of, pos_of, start, end, T, sv, q, wfirst, wcount, wlo, whi,
             shift_start, shift_end, bws, bwe, bdur, has_break):
    """Recompute the timing, load and membership arrays of route v (its break where `bg` says)."""
    n = rl[v]
    prev = start[v]
    now = shift_start[v]
    total = 0
    brk = has_break[v]
    for k in range(n):
        c = rt[v, k]
        if brk and bg[v] == k:
            ready = _after_break(now, T[prev, c], bws[v], bwe[v], bdur[v])
        else:
            ready = now + T[prev, c]
        st = _window_start(c, ready, wfirst, wcount, wlo, whi)
        now = st + sv[v, c]
        dep[v, k] = now
        prev = c
        total += q[c]
        route_of[c] = v
        pos_of[c] = k
    load[v] = total
    latest = shift_end[v]
    ls[v, n] = latest
    nxt = end[v]
    for k in range(n - 1, -1, -1):
        c = rt[v, k]
        leave = _latest_leaving(latest, T[c, nxt], brk and bg[v] == k + 1, bws[v], bwe[v], bdur[v])
        x = _window_latest(c, leave - sv[v, c], wfirst, wcount, wlo, whi) if leave > -_INF else -_INF
        ls[v, k] = x
        latest = x
        nxt = c


@njit(cache=True)
def _fits(arrival, u, service, onward, next_latest, wfirst, wcount, wlo, whi):
    """Visit u reached at `arrival` starts in one of its windows and, after `service` and `onward`
    travel, reaches the next stop by `next_latest` (its `ls`); no break on these legs."""
    st = _window_start(u, arrival, wfirst, wcount, wlo, whi)
    return st != _INF and st + service + onward <= next_latest


@njit(cache=True)
def insertion_fits(v, p, u, rt, rl, bg, dep, ls, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start,
                   bws, bwe, bdur, has_break):
    """Whether u fits at position p of route v: 0 no; 1 yes (the break, if any, stays in its gap);
    2 yes with the break in the leg before u; 3 yes with it in the leg after u."""
    n = rl[v]
    a = start[v] if p == 0 else rt[v, p - 1]
    b = end[v] if p == n else rt[v, p]
    leave = shift_start[v] if p == 0 else dep[v, p - 1]
    s_u = sv[v, u]
    if not (has_break[v] and bg[v] == p):
        return 1 if _fits(leave + T[a, u], u, s_u, T[u, b], ls[v, p], wfirst, wcount, wlo, whi) else 0
    ws, we, dur = bws[v], bwe[v], bdur[v]
    arrival = _after_break(leave, T[a, u], ws, we, dur)
    if arrival != _INF and _fits(arrival, u, s_u, T[u, b], ls[v, p], wfirst, wcount, wlo, whi):
        return 2
    st = _window_start(u, leave + T[a, u], wfirst, wcount, wlo, whi)
    if st == _INF:
        return 0
    onward = _after_break(st + s_u, T[u, b], ws, we, dur)
    return 3 if onward != _INF and onward <= ls[v, p] else 0


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
def plan_cost(rt, rl, route_of, start, end, C, fixed, pen):
    """Routes' cost, `fixed` per used route and `pen[i]` per visit i left out."""
    total = 0
    for i in range(pen.shape[0]):
        if route_of[i] == -1:
            total += pen[i]
    for v in range(rl.shape[0]):
        if rl[v] > 0:
            total += _route_cost(v, rt, rl, start, end, C) + fixed
    return total


@njit(cache=True)
def _best_insertion(u, rt, rl, bg, dep, ls, load, start, end, T, C, sv, q, cap, maxv, allowed, wfirst, wcount,
                    wlo, whi, shift_start, bws, bwe, bdur, has_break, fixed, blink):
    """Cheapest feasible (vehicle, position, delta, how) for u, skipping each position with
    probability `blink` (SISR's blinks: a little randomness in an otherwise greedy recreate)."""
    best_v, best_p, best_d, best_how = -1, -1, _INF, 0
    nv = rl.shape[0]
    for v in range(nv):
        n = rl[v]
        if not allowed[v, u] or load[v] + q[u] > cap[v] or n >= maxv[v]:
            continue
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
            how = insertion_fits(v, p, u, rt, rl, bg, dep, ls, start, end, T, sv, wfirst, wcount, wlo, whi,
                                 shift_start, bws, bwe, bdur, has_break)
            if how == 0:
                continue
            best_v, best_p, best_d, best_how = v, p, d, how
    return best_v, best_p, best_d, best_how


@njit(cache=True)
def _insert(v, p, u, how, rt, rl, bg):
    n = rl[v]
    for k in range(n, p, -1):
        rt[v, k] = rt[v, k - 1]
    rt[v, p] = u
    rl[v] = n + 1
    if bg[v] > p or how == 3:  # the break's gap moved one on (or it follows u)
        bg[v] += 1


@njit(cache=True)
def _remove_string(v, first, length, rt, rl, bg, route_of, removed, n_removed):
    n = rl[v]
    for k in range(first, first + length):
        c = rt[v, k]
        removed[n_removed] = c
        n_removed += 1
        route_of[c] = -1
    for k in range(first + length, n):
        rt[v, k - length] = rt[v, k]
    rl[v] = n - length
    # A break in a removed stretch now falls in the gap the stretch leaves.
    if bg[v] >= first + length:
        bg[v] -= length
    elif bg[v] > first:
        bg[v] = first
    return n_removed


@njit(cache=True)
def run(rt, rl, bg, best_rt, best_rl, best_bg, state, iterations, temperature, avg_removed, max_string,
        start, end, T, C, sv, q, cap, maxv, allowed, wfirst, wcount, wlo, whi, shift_start, shift_end,
        bws, bwe, bdur, has_break, fixed, pen, weight, neighbours, blink, unserved_tried):
    """`iterations` ruin-and-recreate steps at `temperature` from the current plan (`rt`, `rl`, `bg`).
    `state` = [current cost, best cost] (updated). The best plan seen is kept in best_*. Each step also
    tries to insert the unserved visits (when more than `unserved_tried`, those among the seed's
    `unserved_tried` nearest), heaviest first."""
    nv, width = rt.shape
    m = neighbours.shape[0]
    n_nodes = T.shape[0]
    dep = np.zeros((nv, width + 1), dtype=np.int64)
    ls = np.zeros((nv, width + 1), dtype=np.int64)
    load = np.zeros(nv, dtype=np.int64)
    route_of = -np.ones(n_nodes, dtype=np.int64)
    pos_of = np.zeros(n_nodes, dtype=np.int64)
    for v in range(nv):
        _place_break(v, rt, rl, bg, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe,
                     bdur, has_break)
        _refresh(v, rt, rl, bg, dep, ls, load, route_of, pos_of, start, end, T, sv, q, wfirst, wcount, wlo, whi,
                 shift_start, shift_end, bws, bwe, bdur, has_break)
    cand_rt = rt.copy()
    cand_rl = rl.copy()
    cand_bg = bg.copy()
    removed = np.empty(m, dtype=np.int64)
    ruined = np.zeros(nv, dtype=np.bool_)
    prio = np.empty(m, dtype=np.float64)
    cost = state[0]
    best = state[1]
    for _ in range(iterations):
        cand_rt[:, :] = rt
        cand_rl[:] = rl
        cand_bg[:] = bg
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
        seed = np.random.randint(m)
        # Visits nobody serves get a try: all of them when they are few; on a day with more work than
        # people, those near the seed (all of them would make every step slow).
        unserved = 0
        for i in range(m):
            if c_route_of[i] == -1:
                unserved += 1
        if unserved <= unserved_tried:
            for i in range(m):
                if c_route_of[i] == -1:
                    removed[n_removed] = i
                    n_removed += 1
        else:
            for j in range(-1, min(unserved_tried, m - 1)):
                c = seed if j == -1 else neighbours[seed, j]
                if c_route_of[c] == -1:
                    removed[n_removed] = c
                    n_removed += 1
        if used > 0:
            mean_len = total_len / used
            string_max = min(float(max_string), mean_len)
            ks_max = 4.0 * avg_removed / (1.0 + string_max) - 1.0
            n_strings = int(np.random.random() * ks_max) + 1
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
                n_removed = _remove_string(v, first, length, cand_rt, cand_rl, cand_bg, c_route_of, removed,
                                           n_removed)
                ruined[v] = True
                done += 1
                if done >= n_strings:
                    break
        # Recreate: heavier priorities first, then one of SISR's orders (random, demand, far from the
        # depot, close to it), each visit at its cheapest feasible place.
        r = np.random.random()
        for k in range(n_removed):
            u = removed[k]
            d0 = C[start[0], u]
            if r < 4.0 / 11.0:
                tie = np.random.random()
            elif r < 8.0 / 11.0:
                tie = -float(q[u])
            elif r < 10.0 / 11.0:
                tie = -float(d0)
            else:
                tie = float(d0)
            prio[k] = -float(weight[u]) * 1e12 + tie
        order = np.argsort(prio[:n_removed])
        for v in range(nv):
            if ruined[v]:
                _place_break(v, cand_rt, cand_rl, cand_bg, start, end, T, sv, wfirst, wcount, wlo, whi,
                             shift_start, shift_end, bws, bwe, bdur, has_break)
                _refresh(v, cand_rt, cand_rl, cand_bg, dep, ls, load, c_route_of, pos_of, start, end, T, sv, q,
                         wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe, bdur, has_break)
        for k in range(n_removed):
            u = removed[order[k]]
            bv, bp, _, how = _best_insertion(u, cand_rt, cand_rl, cand_bg, dep, ls, load, start, end, T, C, sv, q,
                                             cap, maxv, allowed, wfirst, wcount, wlo, whi, shift_start, bws, bwe,
                                             bdur, has_break, fixed, blink)
            if bv < 0:  # stays out; its weight in plan_cost counts it
                continue
            _insert(bv, bp, u, how, cand_rt, cand_rl, cand_bg)
            ruined[bv] = True
            _place_break(bv, cand_rt, cand_rl, cand_bg, start, end, T, sv, wfirst, wcount, wlo, whi, shift_start,
                         shift_end, bws, bwe, bdur, has_break)
            _refresh(bv, cand_rt, cand_rl, cand_bg, dep, ls, load, c_route_of, pos_of, start, end, T, sv, q,
                     wfirst, wcount, wlo, whi, shift_start, shift_end, bws, bwe, bdur, has_break)
        new = plan_cost(cand_rt, cand_rl, c_route_of, start, end, C, fixed, pen)
        # Simulated annealing acceptance, as SISR: accept when new < current - T ln U.
        if new < cost - temperature * np.log(np.random.random()):
            # The candidate's timing, load and positions are already in dep/ls/load/pos_of.
            rt[:, :] = cand_rt
            rl[:] = cand_rl
            bg[:] = cand_bg
            route_of[:] = c_route_of  # also marks visits the recreate could not place
            cost = new
            if new < best:
                best = new
                best_rt[:, :] = rt
                best_rl[:] = rl
                best_bg[:] = bg
        else:
            for v in range(nv):
                if ruined[v]:
                    _refresh(v, rt, rl, bg, dep, ls, load, route_of, pos_of, start, end, T, sv, q, wfirst, wcount,
                             wlo, whi, shift_start, shift_end, bws, bwe, bdur, has_break)
    state[0] = cost
    state[1] = best


@njit(cache=True)
def seed_rng(seed):
    np.random.seed(seed)
