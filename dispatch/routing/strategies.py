"""How the time budget is spent: one model; fewest vehicles first (ruin-and-recreate, route
elimination, polish); or, for big days, neighbourhoods re-planned one after another."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from . import sisr
from .candidates import PickupAt, is_visit, item_id, item_location
from .model import Pickup, RoutingProblem, TimeWindow
from .options import SolveOptions
from .ortools_model import OrToolsModel
from .schedule import schedule

Routes = dict[int, list[int | PickupAt]]  # technician index -> visit indices (global) and pickups

DECOMPOSE_VISITS = 100  # above this many visits (and more technicians than one neighbourhood)
GROUP_SIZE = 8  # technicians per neighbourhood
SISR_SHARE = 0.8  # of a big day's budget, spent by SISR over the whole fleet where it models the day
SINGLE_SISR_SHARE = 0.5  # of a smaller day's, after one OR-Tools search
SISR_FROM_VISITS = 20  # fewer visits than this: the OR-Tools search alone


def plan(problem: RoutingProblem, candidates: Mapping[int, Sequence[int]], plannable: Sequence[int],
         opts: SolveOptions, deadline: float):
    stats: dict = {}
    minimize = opts.minimize_vehicles if opts.minimize_vehicles is not None else opts.vehicle_fixed_cost > 0
    techs = list(range(len(problem.technicians)))
    initial = _initial_routes(problem, opts, candidates)
    if minimize and len(techs) > 1 and opts.strategy in ("auto", "fleet"):
        routes, objective, status = _fleet(problem, candidates, plannable, opts, deadline, stats, initial)
    elif opts.strategy == "decompose" or (opts.strategy == "auto" and opts.decompose is not False and (
            opts.decompose or (len(plannable) > DECOMPOSE_VISITS and len(techs) > GROUP_SIZE + 2))):
        routes, objective, status = _decomposed(problem, candidates, plannable, opts, deadline, stats, initial)
    else:
        routes, objective, status = _single_then_sisr(problem, techs, plannable, candidates, opts, deadline, stats,
                                                      initial)
    by_tech = {problem.technicians[k].id: ([item_id(problem, i) for i in seq], gaps)
               for k, (seq, gaps) in routes.items() if seq}
    return by_tech, objective, status, stats


def _single_then_sisr(problem, techs, plannable, candidates, opts, deadline, stats, initial):
    """One OR-Tools search; on a day big enough to be worth it, SISR over the whole fleet takes the
    second half of the budget from its plan (see `_whole_fleet_sisr`)."""
    share = float(opts.tuning.get("single_sisr_share", SINGLE_SISR_SHARE))
    if len(plannable) < SISR_FROM_VISITS or not any(sisr.modelled_technician(t) for t in problem.technicians):
        share = 0.0
    ortools_end = deadline - share * (deadline - time.monotonic())
    routes, objective, status = _single(problem, techs, plannable, candidates, opts, ortools_end, stats,
                                        initial=initial)
    if share > 0 and status != "no_solution":
        full = {k: routes.get(k, ([], [])) for k in techs}
        routes = _whole_fleet_sisr(problem, techs, plannable, full, candidates, opts, deadline,
                                   {"t_start": 10.0, "t_end": 0.1, **opts.tuning}, stats)
    return routes, objective, status


def _initial_routes(problem, opts, candidates) -> Routes | None:
    """`opts.initial_routes` as technician index -> visit indices, keeping only what is allowed."""
    if not opts.initial_routes:
        return None
    tech_pos = {t.id: k for k, t in enumerate(problem.technicians)}
    visit_pos = {v.id: i for i, v in enumerate(problem.visits)}
    depot_pos = {d.id: k for k, d in enumerate(problem.depots)}
    out: Routes = {}
    seen: set[int] = set()
    for tech_id, visit_ids in opts.initial_routes.items():
        k = tech_pos.get(tech_id)
        if k is None:
            continue
        seq: list[int | PickupAt] = []
        for v in visit_ids:  # visit ids, and Pickups (e.g. `Route.sequence` of the current plan)
            if isinstance(v, Pickup):
                if v.visit_id in visit_pos and v.depot_id in depot_pos:
                    seq.append(PickupAt(visit_pos[v.visit_id], depot_pos[v.depot_id]))
            elif v in visit_pos:
                seq.append(visit_pos[v])
        ok = {i for i in seq if is_visit(i) and i in candidates and k in candidates[i] and i not in seen}
        out[k] = [i for i in seq if (i.visit if isinstance(i, PickupAt) else i) in ok]
        seen.update(ok)
    return out


def _single(problem, techs, visits, candidates, opts, deadline, stats, initial: Routes | None = None,
            metaheuristic: str | None = None, stop_when_all_served: bool = False, improved: list | None = None):
    """One OR-Tools search over `techs` x `visits` until `deadline`, optionally warm-started."""
    t0 = time.monotonic()
    model = OrToolsModel(problem, techs, visits, candidates, opts)
    stats["build_seconds"] = round(stats.get("build_seconds", 0) + time.monotonic() - t0, 3)
    params = model.search_parameters(_remaining(deadline), metaheuristic=metaheuristic)
    solution = model.run(params, _to_local(model, initial) if initial else None,
                         stop_when_all_served=stop_when_all_served, deadline=deadline - 0.02)
    if solution is None:
        return {}, 0, model.status(None)
    if improved is not None:  # did the search keep or beat the warm start (same objective)?
        # An unreadable warm start (routes no longer feasible, e.g. times moved on) is replaced.
        improved.append(model.initial_objective is None or solution.ObjectiveValue() <= model.initial_objective)
    return _to_global(model, solution), solution.ObjectiveValue(), model.status(solution)


def _to_local(model: OrToolsModel, routes: Mapping[int, Sequence[int | PickupAt]]) -> dict[int, list[int]]:
    return model.local_routes(routes)


def _to_global(model: OrToolsModel, solution) -> dict[int, tuple[list[int | PickupAt], list[int]]]:
    return {model.tech_idx[j]: ([model.global_item(n) for n in nodes], gaps)
            for j, (nodes, gaps) in model.routes(solution).items()}


def _remaining(deadline: float) -> float:
    return max(0.05, deadline - time.monotonic() - 0.02)


def _served(routes) -> int:
    return sum(sum(1 for i in seq if is_visit(i)) for seq, _ in routes.values())


def _key(problem, routes, opts):
    """Hierarchical comparison: more visits served, fewer routes, then less cost."""
    cost_matrix = problem.distances if opts.cost == "distance" else problem.durations
    cost = 0
    for k, (seq, _) in routes.items():
        if seq:
            t = problem.technicians[k]
            locs = [t.start_location] + [item_location(problem, i) for i in seq]
            if t.end_location is not None:
                locs.append(t.end_location)
            cost += int(sum(cost_matrix[a, b] for a, b in zip(locs, locs[1:])))
    return (-_served(routes), sum(1 for seq, _ in routes.values() if seq), cost)


def _fleet(problem, candidates, plannable, opts, deadline, stats, initial: Routes | None = None):
    """Fewest routes, then cost (Solomon's hierarchical objective, any `vehicle_fixed_cost` > 0).

    1. Ruin-and-recreate (OR-Tools ILS with SISR string removals, no local search between
       perturbations: thousands of cheap iterations) with the whole fleet: a short plan with K routes.
    2. Route elimination: drop the smallest route, hand its visits back as unserved and let guided
       local search (warm start, stops as soon as everyone is served) fit them into K - 1 routes
       (with tuning elim_mode="sisr": SISR instead, which eliminates more routes; see docs/routing.md).
    3. Polish the routes kept for the time left. Problems SISR models (`sisr.applicable`: windows,
       shifts, one break, caps, capacities, skills; no parts or locked sequences) get SISR compiled with numba
       (`sisr.py`): hundreds of thousands of string removals where OR-Tools' ruin-and-recreate
       manages a few thousand in the same time. Others get OR-Tools: ruin-and-recreate that
       accepts a slightly worse plan by simulated annealing, then guided local search with
       close-nodes LNS to settle into the nearest local optimum.

    Why: elimination leaves long routes far from their best order (R209: 3 routes at 1320 against
    909 best known). With OR-Tools' polish the Solomon mean gap at 10 s was 0.25-0.44 % and RC2's
    long routes stayed 2-10 % above the best known at the same fleet; SISR took the mean gap to
    -1.41 % with fewer vehicles (421 against 426) and RC2 at the best-known fleet to 0.54 %
    (scripts/bench_routing.py --part 1 --solvers ours, 2026-11-24).
    """
    # "polish_ils": extra configure_ils arguments for the polish alone (experiments).
    tune = {"first": 0.15, "elim": 0.2, "slot": 0.15, "final": "auto", "t_start": 10.0, "t_end": 0.1,
            **opts.tuning}
    start = time.monotonic()
    budget = deadline - start
    techs = list(range(len(problem.technicians)))
    # Plain for the whole fleet means plain for any part of it: decided once.
    plain = sisr.applicable(problem, techs, plannable, opts)
    best, objective, status = _single(problem, techs, plannable, candidates, opts, start + tune["first"] * budget,
                                      stats, metaheuristic="iterated_local_search", initial=initial)
    if status == "no_solution" or _served(best) < len(plannable):
        fallback, obj2, status2 = _single(problem, techs, plannable, candidates, opts,
                                          start + (tune["first"] + 0.1) * budget, stats)
        if status == "no_solution" or (
                status2 != "no_solution" and _key(problem, fallback, opts) < _key(problem, best, opts)):
            best, objective, status = fallback, obj2, status2
        if status == "no_solution":
            return best, objective, status
    stats["after_first"] = _key(problem, best, opts)[1:]
    target = _served(best)
    elim_deadline = time.monotonic() + tune["elim"] * budget
    attempts = eliminated = 0
    tried: set[tuple[int, ...]] = set()
    while time.monotonic() < elim_deadline - 0.05:
        used = sorted((k for k, (seq, _) in best.items() if seq), key=lambda k: len(best[k][0]))
        if len(used) <= 1:
            break
        victim = next((k for k in used if tuple(sorted(set(used) - {k})) not in tried), None)
        if victim is None:
            break
        fleet = sorted(set(used) - {victim})
        tried.add(tuple(fleet))
        attempts += 1
        slot_end = min(elim_deadline, time.monotonic() + max(0.5, tune["slot"] * budget))
        if tune.get("elim_mode") == "sisr" and plain:
            routes, obj, st = _sisr(problem, fleet, plannable, best, candidates, opts, slot_end,
                                    _temperatures(problem, best, opts, tune), objective, status,
                                    seed=attempts, stop_when_all_served=True)
        else:
            routes, obj, st = _single(problem, fleet, plannable, candidates, opts, slot_end, stats,
                                      initial={k: best[k][0] for k in fleet}, stop_when_all_served=True,
                                      metaheuristic=tune.get("elim_mh"))
        if st != "no_solution" and _served(routes) >= target:
            best, objective, status = routes, obj, st
            eliminated += 1
            tried.clear()
    stats.update(elimination_attempts=attempts, routes_eliminated=eliminated)
    best_key = _key(problem, best, opts)
    stats["after_elimination"] = best_key[1:]
    polish = replace(opts, ils={**opts.ils, "temperature": _temperatures(problem, best, opts, tune),
                                **tune.get("polish_ils", {})})
    final = str(tune["final"])
    if final == "auto":
        final = "sisr" if plain else "rr,gls"
    phases = final.split(",")
    for n, phase in enumerate(phases):
        if _remaining(deadline) <= 0.2:
            break
        end = time.monotonic() + (deadline - time.monotonic()) / (len(phases) - n)
        fleet = sorted(k for k, (seq, _) in best.items() if seq)
        if phase == "sisr" and plain:
            routes, obj, st = _sisr(problem, fleet, plannable, best, candidates, opts, end, polish.ils["temperature"],
                                    objective, status)
        else:
            routes, obj, st = _single(problem, fleet, plannable, candidates, polish, end, stats,
                                      initial={k: best[k][0] for k in fleet},
                                      metaheuristic="iterated_local_search" if phase in ("rr", "sisr") else None)
        if st != "no_solution" and (key := _key(problem, routes, opts)) <= best_key:
            best, objective, status, best_key = routes, obj, st, key
        stats[f"after_{phase}"] = best_key[1:]
    return best, objective, status


def _sisr(problem, fleet, plannable, best, candidates, opts, deadline, temperatures, objective, status, **kw):
    """SISR from the routes `best` gives `fleet`, checked (`_checked`) like any other search's result."""
    got = sisr.polish(problem, fleet, plannable, {k: best[k][0] for k in fleet}, candidates, opts, deadline,
                      temperatures, **kw)
    return _checked(problem, got, objective, status)


def _checked(problem, routes: Mapping[int, Sequence[int]], objective, status):
    """SISR's routes in the strategies' shape, once the schedule code (the one that gives ETAs)
    agrees every route is on time; otherwise "no_solution", so the plan in hand is kept.
    (The objective is passed through: solve() re-costs the final plan anyway.)"""
    for k, seq in routes.items():
        if seq and schedule(problem, problem.technicians[k], [problem.visits[i] for i in seq]) is None:
            return {}, objective, "no_solution"
    return {k: (list(seq), []) for k, seq in routes.items()}, objective, status


def _temperatures(problem, routes, opts, tune) -> tuple[float, float]:
    """Simulated-annealing temperatures for the polishing ruin-and-recreate, in the objective's
    own units: `t_start` and `t_end` times the plan's mean arc cost. A slightly worse plan is then
    accepted often at first and hardly at the end whatever the scale of the costs (seconds, or
    Solomon distances x 1000, where it comes to about SISR's published 100 -> 1)."""
    _, n_routes, cost = _key(problem, routes, opts)
    return annealing_temperatures(cost, _served(routes) + n_routes, tune["t_start"], tune["t_end"])


def annealing_temperatures(plan_cost: float, arcs: int, t_start: float, t_end: float) -> tuple[float, float]:
    """`t_start` and `t_end` times the mean cost of the plan's `arcs` (stops plus one per route)."""
    mean_arc = plan_cost / max(1, arcs)
    return float(t_start) * mean_arc, float(t_end) * mean_arc


def _nearest_only(problem, candidates, keep: int):
    """Restrict each visit to the `keep` qualified technicians whose start is nearest."""
    out = {}
    for i, techs in candidates.items():
        v = problem.visits[i]
        if v.pinned_technician is not None or len(techs) <= keep:
            out[i] = techs
            continue
        d = problem.durations
        out[i] = sorted(techs, key=lambda k: int(d[problem.technicians[k].start_location, v.location])
                        + int(d[v.location, problem.technicians[k].end_location if problem.technicians[k].end_location is not None else v.location]))[:keep]
    return out


def _tech_distance(problem, techs):
    d = problem.durations
    locs = np.array([problem.technicians[k].start_location for k in techs])
    m = d[np.ix_(locs, locs)]
    return m + m.T


def _groups(problem, techs, size, rng):
    """Partition technicians into groups of about `size` whose starts are close together."""
    dist = _tech_distance(problem, techs)
    n = len(techs)
    k = max(1, round(n / size))
    seeds = [int(rng.integers(n))]
    for _ in range(1, k):
        seeds.append(int(np.argmax(dist[:, seeds].min(axis=1))))
    cap = -(-n // k)
    order = np.argsort(dist[:, seeds].min(axis=1))[::-1]  # hardest to place first
    members: list[list[int]] = [[] for _ in seeds]
    for t in order:
        for g in np.argsort(dist[t, seeds]):
            if len(members[g]) < cap:
                members[g].append(t)
                break
    return [[techs[t] for t in group] for group in members if group]


def _decomposed(problem, candidates, plannable, opts, deadline, stats, initial: Routes | None = None):
    """Big days: plan groups of nearby technicians separately, then repeatedly re-plan
    overlapping neighbourhoods (a technician and its nearest colleagues, their visits and the
    unserved visits they could do), warm-started from the current plan. Every sub-solve starts
    from the current routes, so the plan never gets worse."""
    tune = {"initial": 0.15, "group": GROUP_SIZE, "neigh": GROUP_SIZE, "slot": 0.2, "extra_nearest": 10,
            "sisr_share": SISR_SHARE, "t_start": 10.0, "t_end": 0.1, **opts.tuning}
    rng = np.random.default_rng(0)
    start = time.monotonic()
    budget = deadline - start
    techs = list(range(len(problem.technicians)))
    # The last part of the budget goes to SISR over the whole fleet, for what the kernel models.
    sisr_share = float(tune["sisr_share"]) if any(
        sisr.modelled_technician(t) for t in problem.technicians) else 0.0
    outer_deadline, deadline = deadline, deadline - sisr_share * budget
    groups = _groups(problem, techs, int(tune["group"]), rng)
    d = problem.durations
    start_loc = {k: problem.technicians[k].start_location for k in techs}
    group_of = {k: g for g, members in enumerate(groups) for k in members}
    jobs_of: list[list[int]] = [[] for _ in groups]
    for i in plannable:
        loc = problem.visits[i].location
        nearest = min(candidates[i], key=lambda k: int(d[start_loc[k], loc]))
        jobs_of[group_of[nearest]].append(i)
    routes: dict[int, tuple[list[int], list[int]]] = {k: ([], []) for k in techs}
    initial_end = start + tune["initial"] * budget
    if initial:  # warm start (e.g. the current plan): the neighbourhood rounds take it from there
        routes.update({k: (list(seq), []) for k, seq in initial.items()})
        groups = []
    for g, members in enumerate(groups):
        left = len(groups) - g
        slot_end = time.monotonic() + max(0.05, (initial_end - time.monotonic()) / left)
        sub_cands = {i: [k for k in candidates[i] if k in set(members)] for i in jobs_of[g]}
        visits = [i for i in jobs_of[g] if sub_cands[i]]
        if not visits:
            continue
        got, _, st = _single(problem, members, visits, sub_cands, opts, slot_end, stats)
        if st != "no_solution":
            routes.update(got)
    stats["after_initial"] = _served(routes)

    # Neighbourhood re-planning until the deadline. Unserved visits join a neighbourhood only when
    # one of its technicians is among their nearest qualified ones, which keeps sub-models small.
    near_cands = _nearest_only(problem, candidates, int(tune.get("extra_nearest", 20)))
    dist = _tech_distance(problem, techs)
    rounds = 0
    served_before = _served(routes)
    while _remaining(deadline) > 0.3:
        unserved = set(plannable) - {i for seq, _ in routes.values() for i in seq}
        seed = _pick_seed(problem, techs, routes, unserved, candidates, rng)
        near = [techs[t] for t in np.argsort(dist[techs.index(seed)])[: int(tune["neigh"])]]
        members = set(near)
        own = [i for k in near for i in routes[k][0] if is_visit(i)]
        extra = [i for i in unserved if any(k in members for k in near_cands[i])]
        visits = own + extra
        if not visits:
            rounds += 1
            continue
        sub_cands = {i: [k for k in candidates[i] if k in members] for i in visits}
        slot = min(_remaining(deadline), max(0.05, tune.get("slot", 0.3)))
        improved: list[bool] = []
        got, _, st = _single(problem, near, visits, sub_cands, opts, time.monotonic() + slot, stats,
                             initial={k: routes[k][0] for k in near}, metaheuristic=tune.get("round_mh"),
                             improved=improved)
        rounds += 1
        if st == "no_solution":
            continue
        if improved and improved[0]:
            for k in near:
                routes[k] = got.get(k, ([], []))
    stats.update(neighbourhood_rounds=rounds, served_initial=served_before, served_final=_served(routes))
    if sisr_share > 0:
        routes = _whole_fleet_sisr(problem, techs, plannable, routes, candidates, opts, outer_deadline, tune, stats)
    return routes, 0, "feasible"


def _whole_fleet_sisr(problem, techs, plannable, routes, candidates, opts, deadline, tune, stats):
    """SISR over every technician from the plan in hand, for what the kernel models (`_free`);
    the rest of the day stays as it is. Kept only when the schedule code agrees and it is no worse: as
    many priority points served, then as many visits, then no more cost."""
    kept_on_time, late = _on_time_as_hard(problem, techs, routes, opts)
    stats["late_visits_before_sisr"] = late
    free_techs, free_visits = _free(kept_on_time, techs, plannable, routes, opts)
    if not free_techs or not free_visits:
        stats["sisr"] = "nothing it models"
        return routes
    before = _day_key(problem, routes, opts)
    got, _, status = _sisr(kept_on_time, free_techs, free_visits, {k: routes[k] for k in free_techs}, candidates,
                           opts, deadline, _temperatures(problem, routes, opts, tune), 0, "feasible", stats=stats)
    if status == "no_solution":
        stats["sisr"] = "rejected by the schedule check"
        return routes
    merged = {**routes, **got}
    after = _day_key(problem, merged, opts)
    stats.update(before_sisr=before, after_sisr=after, sisr_technicians=len(free_techs))
    return merged if after <= before else routes


def _on_time_as_hard(problem, techs, routes, opts):
    """The problem with every visit that the plan serves by its SLA deadline, where that deadline could
    be missed, made to start by it (its deadline a hard bound and no longer soft): SISR, which has no
    lateness, then models those visits and keeps them on time. Visits served late, or not served, keep
    their soft deadline and so stay out of SISR's reach. Also returns how many are served late."""
    latest_end = max(problem.technicians[k].shift.end for k in techs)
    on_time: set[int] = set()
    late = 0
    for k in techs:
        seq = [i for i in routes[k][0] if is_visit(i)]
        if not any(sisr.binding_deadline(problem.visits[i], opts, latest_end) for i in seq) or \
                any(not is_visit(i) for i in routes[k][0]):
            continue
        timed = schedule(problem, problem.technicians[k], [problem.visits[i] for i in seq])
        if timed is None:
            continue
        by_id = {stop.visit_id: stop for stop in timed.stops if stop.kind == "visit"}
        on_time.update(i for i in seq if by_id[problem.visits[i].id].late == 0)
        late += sum(1 for i in seq if by_id[problem.visits[i].id].late > 0)
    if not on_time:
        return problem, late
    visits = list(problem.visits)
    for i in on_time:
        v = visits[i]
        if not sisr.binding_deadline(v, opts, latest_end):
            continue
        windows = tuple(TimeWindow(w.start, min(w.end, v.deadline)) for w in v.time_windows
                        if w.start <= v.deadline) or (TimeWindow(-(2**40), v.deadline),)
        visits[i] = replace(v, time_windows=windows, deadline=None)
    return replace(problem, visits=tuple(visits)), late


def _free(problem, techs, plannable, routes, opts) -> tuple[list[int], list[int]]:
    """The technicians whose routes hold only visits the kernel models (no pickups, no locked
    sequence...), and the visits it may move among them: theirs and the unserved ones it models."""
    latest_end = max(problem.technicians[k].shift.end for k in techs)
    modelled = {i for i in plannable if sisr.modelled_visit(problem.visits[i], opts, latest_end)}
    free_techs = [k for k in techs if sisr.modelled_technician(problem.technicians[k])
                  and all(is_visit(i) and i in modelled for i in routes[k][0])]
    held = {i for k in techs for i in routes[k][0] if is_visit(i)}
    mine = {i for k in free_techs for i in routes[k][0]}
    return free_techs, [i for i in plannable if i in modelled and (i in mine or i not in held)]


def _day_key(problem, routes, opts):
    """A day's plan compared as the objective does: priority-weighted work served first, then cost."""
    weight = sum(1 + problem.visits[i].priority for seq, _ in routes.values() for i in seq if is_visit(i))
    fewer_served, _n_routes, cost = _key(problem, routes, opts)
    return (-weight, fewer_served, cost)


def _pick_seed(problem, techs, routes, unserved, candidates, rng):
    """Mostly where unserved work piles up, sometimes anywhere (to also shorten travel)."""
    if unserved and rng.random() < 0.8:
        i = list(unserved)[int(rng.integers(len(unserved)))]
        return candidates[i][int(rng.integers(len(candidates[i])))]
    return techs[int(rng.integers(len(techs)))]
