"""Routing benchmark: our OR-Tools core beside VROOM (pyvroom) and PyVRP, same inputs, same budget.

Part 1: Solomon (56) and Gehring-Homberger (8) VRPTW instances; hierarchical objective (fewest
        vehicles, then distance) given to every solver as a fixed cost per vehicle, or with
        `--objective distance` distance alone, as VROOM's own VRPTW benchmark runs it; with
        `--fleet bks` only the best-known number of vehicles (VROOM's "limited fleet" instances).
Part 2: a generated field-service day (1,000 jobs, 100 technicians, skills, lunch breaks, windows).
Part 3: live insertion latency of one new job into planned routes (50 technicians, 400 visits).
Days:   generated days of this product's shape (`synthetic.product_day`: staggered shifts, lunch
        breaks, daily caps, six skills with levels, 2-hour windows for a third of the jobs, urgent
        jobs), one per seed and size; ours and VROOM on the full day, PyVRP (no breaks in its model)
        and ours on the same day without breaks. Every answer is checked by
        scripts/route_validator.py, which shares no code with the solvers or our schedule code;
        served, priority served and travel come from it.

Every solver gets one thread and the same wall-clock limit. Results are re-evaluated with our own
schedule code (windows, shifts, breaks, capacity) from the visit sequences each solver returns, so
the numbers are comparable. Usage:

    python scripts/bench_routing.py --part all --time-limit 10
    python scripts/bench_routing.py --quick
    python scripts/bench_routing.py --part 1 --instances 'R1*,RC2*' --solvers ours,vroom
    python scripts/bench_routing.py --part 1 --fleet bks     # only the best-known number of vehicles
    python scripts/bench_routing.py --part days --day-seeds 1 2 3 4 5 --day-sizes 800x80 1200x120 --day-time-limit 20
    python scripts/bench_routing.py --part days --quick
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dispatch.routing import RoutingProblem, sisr, solve  # noqa: E402
from dispatch.routing.insertion import PlannedRoute, insert_visit  # noqa: E402
from dispatch.routing.schedule import schedule  # noqa: E402
from dispatch.routing.solomon import fixed_vehicle_cost, read_bks, read_solomon  # noqa: E402
from dispatch.routing.synthetic import field_service_day, product_day  # noqa: E402
from scripts.route_validator import validate  # noqa: E402

DEFAULT_DATA = Path("/work/shared/benchmarks")
FAMILIES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
SOLVERS = ("ours", "vroom", "pyvrp")
OURS_OPTIONS: dict = {}  # --ours-options: extra keyword arguments for solve() (experiments)


# ------------------------------------------------------------------------------------------
# Solver adapters: RoutingProblem in, {technician id: [visit ids]} out


@dataclass
class Outcome:
    solver: str
    routes: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


def _drop_penalty(problem: RoutingProblem, cost: np.ndarray, fixed: int) -> int:
    return len(problem.technicians) * fixed + (len(problem.visits) + len(problem.technicians)) * int(cost.max()) + 1


def run_ours(problem: RoutingProblem, time_limit: float, *, cost: str, fixed_cost: int, required: bool) -> Outcome:
    t0 = time.monotonic()
    result = solve(problem, time_limit=time_limit, cost=cost, vehicle_fixed_cost=fixed_cost, **OURS_OPTIONS)
    return Outcome("ours", {r.technician_id: r.visit_ids for r in result.routes}, time.monotonic() - t0)


def run_vroom(problem: RoutingProblem, time_limit: float, *, cost: str, fixed_cost: int, required: bool) -> Outcome:
    import vroom

    inp = vroom.Input()
    inp.set_durations_matrix("car", problem.durations)
    if cost == "distance":
        inp.set_costs_matrix("car", problem.distances)
    skill_ids: dict = {}

    def sid(name) -> int:
        return skill_ids.setdefault(name, len(skill_ids) + 1)

    leveled = _levels_matter(problem)
    typed = _service_varies(problem)

    def tech_skills(t) -> set[int]:
        if not leveled:
            return {sid(s) for s in t.skills}
        # A technician at level L holds (skill, 1) .. (skill, L): a job asking (skill, m) gets level >= m.
        return {sid((s, lvl)) for s, top in t.skills.items() for lvl in range(1, top + 1)}

    def job_skills(v) -> set[int]:
        if not leveled:
            return ({sid(v.required_skill)} if v.required_skill else set()) | {sid(s) for s in v.extra_skills}
        return ({sid((v.required_skill, v.min_skill_level))} if v.required_skill else set()) \
            | {sid((s, 1)) for s in v.extra_skills}

    type_of = {t.id: _profile_name(t) for t in problem.technicians} if typed else {}
    use_capacity = any(v.demand for v in problem.visits)
    for k, t in enumerate(problem.technicians):
        breaks = [vroom.Break(n + 1 + 1000 * k, time_windows=[vroom.TimeWindow(b.window.start, b.latest_start)],
                              service=b.duration) for n, b in enumerate(t.breaks)]
        kwargs = {}
        if use_capacity:
            kwargs["capacity"] = [t.capacity if t.capacity is not None else sum(v.demand for v in problem.visits)]
        if t.max_visits is not None:
            kwargs["max_tasks"] = t.max_visits
        inp.add_vehicle(vroom.Vehicle(
            k + 1, start=t.start_location, end=t.end_location, skills=tech_skills(t),
            time_window=vroom.TimeWindow(t.shift.start, t.shift.end), breaks=breaks,
            costs=vroom.VehicleCosts(fixed=fixed_cost), type=type_of.get(t.id, ""), **kwargs))
    representative = {type_of[t.id]: t for t in problem.technicians} if typed else {}
    for i, v in enumerate(problem.visits):
        bounds = v.start_bounds()
        windows = [vroom.TimeWindow(max(0, a), min(b, 2**31)) for a, b in bounds] if v.time_windows or v.earliest_start else []
        skills = job_skills(v)
        kwargs = {"delivery": [v.demand]} if use_capacity else {}
        if typed:
            kwargs["service_per_type"] = {name: t.service_seconds(v) for name, t in representative.items()}
        inp.add_job(vroom.Job(i + 1, location=v.location, default_service=v.service, skills=skills or None,
                              priority=v.priority, time_windows=windows, **kwargs))
    t0 = time.monotonic()
    sol = inp.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit))
    seconds = time.monotonic() - t0
    routes: dict[str, list[str]] = {}
    for route in sol.to_dict()["routes"]:
        tech = problem.technicians[route["vehicle"] - 1].id
        routes[tech] = [problem.visits[s["id"] - 1].id for s in route["steps"] if s["type"] == "job"]
    return Outcome("vroom", routes, seconds)


def run_pyvrp(problem: RoutingProblem, time_limit: float, *, cost: str, fixed_cost: int, required: bool) -> Outcome:
    """PyVRP has no skills and no breaks: skills become routing profiles in which a technician's
    arcs into jobs it cannot do are prohibitively long; each break is approximated by shortening
    the shift duration by the break length (breaks have no window there). With skill levels the
    profile is the technician's whole skill-level map, and where service time depends on the level
    it is added to the profile's arcs leaving the job (the job's own service is then 0, so its
    window still bounds the service start). A daily cap is one more load dimension (each job 1)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    size = problem.durations.shape[0]
    cost_matrix = problem.distances if cost == "distance" else problem.durations
    locations = [pyvrp.Location(0.0, 0.0) for _ in range(size)]
    depot_locs = sorted({t.start_location for t in problem.technicians}
                        | {t.end_location for t in problem.technicians if t.end_location is not None})
    depot_index = {loc: n for n, loc in enumerate(depot_locs)}
    depots = [pyvrp.Depot(loc) for loc in depot_locs]
    needs_profiles = any(v.required_skill or v.extra_skills for v in problem.visits)
    leveled, folded = _levels_matter(problem), _service_varies(problem)
    if folded and len({v.location for v in problem.visits} | set(depot_locs)) != len(problem.visits) + len(depot_locs):
        raise ValueError("level-dependent service in PyVRP needs one location per job")
    profiles: dict[frozenset, int] = {}
    members_of_profile: dict[int, object] = {}
    types = []
    use_capacity = any(v.demand for v in problem.visits)
    use_cap = any(t.max_visits is not None for t in problem.technicians)
    total_demand = sum(v.demand for v in problem.visits)
    groups: dict[tuple, list[int]] = {}
    for k, t in enumerate(problem.technicians):
        skills_key = (frozenset(t.skills.items()) if leveled else frozenset(t.skills)) if needs_profiles else frozenset()
        prof = profiles.setdefault(skills_key, len(profiles))
        members_of_profile.setdefault(prof, t)
        key = (t.start_location, t.end_location, t.shift.start, t.shift.end, sum(b.duration for b in t.breaks),
               t.capacity, t.max_visits, prof)
        groups.setdefault(key, []).append(k)
    type_members = []
    for (start, end, s0, s1, brk, cap, most, prof), members in groups.items():
        capacity = ([cap if cap is not None else total_demand] if use_capacity else []) \
            + ([most if most is not None else len(problem.visits)] if use_cap else [])
        types.append(pyvrp.VehicleType(
            num_available=len(members), capacity=capacity,
            start_depot=depot_index[start], end_depot=depot_index[end if end is not None else start],
            fixed_cost=fixed_cost, tw_early=s0, tw_late=s1, shift_duration=(s1 - s0) - brk, profile=prof))
        type_members.append(members)
    penalty = _drop_penalty(problem, cost_matrix, fixed_cost)
    clients = []
    for v in problem.visits:
        bounds = v.start_bounds()
        early = max(0, bounds[0][0]) if (v.time_windows or v.earliest_start) else 0
        late = min(bounds[-1][1], 2**62) if v.time_windows else 2**62
        optional = not required
        delivery = ([v.demand] if use_capacity else []) + ([1] if use_cap else [])
        clients.append(pyvrp.Client(v.location, delivery=delivery, service_duration=0 if folded else v.service,
                                    tw_early=early, tw_late=late, required=not optional,
                                    prize=penalty * (1 + v.priority) if optional else 0))
    dist_mats, dur_mats = [], []
    for skills, prof in sorted(profiles.items(), key=lambda kv: kv[1]):
        dist = np.array(cost_matrix, dtype=np.int64, copy=True)
        dur = np.array(problem.durations, dtype=np.int64, copy=True)
        if folded:
            tech = members_of_profile[prof]
            rows = np.fromiter((v.location for v in problem.visits), dtype=np.int64, count=len(problem.visits))
            dur[rows, :] += np.fromiter((tech.service_seconds(v) for v in problem.visits), dtype=np.int64,
                                        count=len(problem.visits))[:, None]
        if needs_profiles:
            if leveled:
                tech = members_of_profile[prof]
                banned = [v.location for v in problem.visits if not tech.can_do(v)]
            else:
                banned = [v.location for v in problem.visits
                          if (v.required_skill and v.required_skill not in skills) or any(s not in skills for s in v.extra_skills)]
            dist[:, banned] = 10**9
            dur[:, banned] = 10**6  # longer than any shift, small enough that penalties stay in int64
        if needs_profiles or folded:
            np.fill_diagonal(dist, 0)
            np.fill_diagonal(dur, 0)
        dist_mats.append(dist)
        dur_mats.append(dur)
    data = pyvrp.ProblemData(locations=locations, clients=clients, depots=depots, vehicle_types=types,
                             distance_matrices=dist_mats, duration_matrices=dur_mats)
    t0 = time.monotonic()
    params = pyvrp.SolveParams()
    prizes = [c.prize for c in clients]
    if max(prizes, default=0) > 0:
        # PyVRP's penalties for excess load and time warp are capped (1e5 by default), far below
        # the prize that makes serving a job worth any travel: it would break caps and windows for
        # prizes. A fixed penalty at the largest prize makes a violation never pay; it is not let
        # grow beyond, as penalty x time warp over banned arcs would overflow int64.
        top = max(prizes) + 1
        params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(min_penalty=top, max_penalty=top))
    res = pyvrp.solve(data, MaxRuntime(time_limit), seed=1, collect_stats=False, display=False, params=params)
    seconds = time.monotonic() - t0
    routes: dict[str, list[str]] = {}
    used = [0] * len(types)
    for route in res.best.routes():
        vt = route.vehicle_type()
        tech = problem.technicians[type_members[vt][used[vt]]].id
        used[vt] += 1
        routes[tech] = [problem.visits[a.idx].id for a in route.schedule() if a.is_client()]
    return Outcome("pyvrp", routes, seconds)


def _levels_matter(problem: RoutingProblem) -> bool:
    """Skill levels decide who may go (a minimum level) or how long a job takes."""
    return any(v.min_skill_level > 1 for v in problem.visits) or _service_varies(problem)


def _service_varies(problem: RoutingProblem) -> bool:
    needed = {v.required_skill for v in problem.visits if v.required_skill}
    return any(level != 2 for t in problem.technicians for s, level in t.skills.items() if s in needed)


def _profile_name(tech) -> str:
    return ",".join(f"{s}={lvl}" for s, lvl in sorted(tech.skills.items()))


RUNNERS = {"ours": run_ours, "vroom": run_vroom, "pyvrp": run_pyvrp}


def run(solver: str, problem: RoutingProblem, time_limit: float, **kw) -> Outcome:
    try:
        return RUNNERS[solver](problem, time_limit, **kw)
    except Exception as exc:  # a peer that crashes is reported, not fatal
        return Outcome(solver, {}, 0.0, f"{type(exc).__name__}: {exc}")


@dataclass
class Evaluated:
    served: int
    vehicles: int
    travel: int
    distance: int | None
    infeasible_routes: int


def evaluate(problem: RoutingProblem, routes: dict[str, list[str]]) -> Evaluated:
    techs = problem.technician_by_id
    visits = problem.visit_by_id
    served = vehicles = travel = distance = bad = 0
    for tech_id, ids in routes.items():
        if not ids:
            continue
        tech = techs[tech_id]
        route = schedule(problem, tech, [visits[v] for v in ids])
        vehicles += 1
        served += len(ids)
        locs = [tech.start_location] + [visits[v].location for v in ids] + (
            [tech.end_location] if tech.end_location is not None else [])
        travel += int(sum(problem.durations[a, b] for a, b in zip(locs, locs[1:])))
        if problem.distances is not None:
            distance += int(sum(problem.distances[a, b] for a, b in zip(locs, locs[1:])))
        if route is None:
            bad += 1
    return Evaluated(served, vehicles, travel, distance if problem.distances is not None else None, bad)


# ------------------------------------------------------------------------------------------
# Part 1: Solomon and Gehring-Homberger


def family(name: str) -> str:
    base = name.split("_")[0].upper()
    head = base.rstrip("0123456789")
    digits = base[len(head):]
    return head + (digits[0] if digits else "")


def fleet_problem(problem: RoutingProblem, vehicles: int | None) -> RoutingProblem:
    """`problem` with only its first `vehicles` vehicles (all of them when None).

    VROOM's "limited fleet" protocol (vroom-scripts, benchmarks/VRPTW): with the instance's whole
    fleet, a solver that spends one more vehicle than the best known solution can undercut its
    distance, and its gap then compares unlike plans. With exactly the best-known fleet, a plan
    that serves every customer uses the same number of vehicles, so its gap compares like with like
    (a solver that cannot serve everyone gets no gap).
    """
    if vehicles is None:
        return problem
    return replace(problem, technicians=problem.technicians[:vehicles])


def part1(args, solvers) -> dict:
    data = Path(args.data)
    bks = read_bks(data / "solomon" / "bks.csv")
    bks.update(read_bks(data / "homberger" / "bks.csv"))
    files = sorted((data / "solomon").glob("*.txt")) + sorted((data / "homberger").glob("*.txt"))
    if args.instances:
        pats = [p.strip().upper() for p in args.instances.split(",")]
        files = [f for f in files if any(fnmatch.fnmatch(f.stem.upper(), p) for p in pats)]
    if args.quick and not args.instances:
        files = [f for f in files if f.stem.upper() in ("C101", "R101", "RC201")]
    rows = []
    print(f"\n== Part 1: {len(files)} VRPTW instances, {args.time_limit:g} s each, {args.objective} objective, "
          f"{'best-known' if args.fleet == 'bks' else 'full'} fleet, solvers {', '.join(solvers)}", flush=True)
    for path in files:
        inst = read_solomon(path)
        name = inst.name
        bv, bd = bks.get(name, (None, None))
        fixed = fixed_vehicle_cost(inst) if args.objective == "hierarchical" else 0
        problem = fleet_problem(inst.problem, bv if args.fleet == "bks" else None)
        for solver in solvers:
            out = run(solver, problem, args.time_limit, cost="distance", fixed_cost=fixed, required=True)
            ev = evaluate(inst.problem, out.routes)
            dist = inst.exact_distance(out.routes.values())
            full = out.error is None and ev.served == inst.customers and ev.infeasible_routes == 0
            row = {"instance": name, "family": family(name), "size": inst.customers, "solver": solver,
                   "vehicles": ev.vehicles, "bks_vehicles": bv, "distance": round(dist, 2), "bks_distance": bd,
                   "gap": round(100 * (dist - bd) / bd, 3) if bd and full else None, "served": ev.served,
                   "fully_served": full, "infeasible_routes": ev.infeasible_routes,
                   "seconds": round(out.seconds, 2), "error": out.error}
            rows.append(row)
            gap = f"{row['gap']:6.2f}%" if row["gap"] is not None else "   n/a "
            print(f"  {name:8} {solver:6} veh {ev.vehicles:3}/{bv:<3} dist {dist:9.2f} (bks {bd:9.2f}) gap {gap} "
                  f"served {ev.served}/{inst.customers}{'' if ev.infeasible_routes == 0 else f' INFEASIBLE {ev.infeasible_routes}'}"
                  f" {out.seconds:5.1f}s{'  ' + out.error if out.error else ''}", flush=True)
    return {"rows": rows}


def summarise1(rows, solvers) -> list[dict]:
    groups = [(f, lambda r, f=f: r["size"] == 100 and r["family"] == f) for f in FAMILIES]
    groups += [("Solomon all", lambda r: r["size"] == 100), ("Homberger 200", lambda r: r["size"] == 200),
               ("Homberger 400", lambda r: r["size"] == 400), ("all", lambda r: True)]
    out = []
    for label, pred in groups:
        for solver in solvers:
            sel = [r for r in rows if r["solver"] == solver and pred(r)]
            if not sel:
                continue
            gaps = [r["gap"] for r in sel if r["gap"] is not None]
            at_bks = [r["gap"] for r in sel if r["gap"] is not None and r["vehicles"] == r["bks_vehicles"]]
            out.append({
                "group": label, "solver": solver, "n": len(sel),
                "fully_served": sum(r["fully_served"] for r in sel),
                "mean_gap": round(statistics.fmean(gaps), 2) if gaps else None,
                "mean_gap_at_bks_fleet": round(statistics.fmean(at_bks), 2) if at_bks else None,
                "n_at_bks_fleet": len(at_bks),
                "vehicles": sum(r["vehicles"] for r in sel), "bks_vehicles": sum(r["bks_vehicles"] or 0 for r in sel),
                "extra_vehicles": sum(r["vehicles"] - (r["bks_vehicles"] or 0) for r in sel),
                "mean_seconds": round(statistics.fmean(r["seconds"] for r in sel), 2),
                "max_seconds": round(max(r["seconds"] for r in sel), 2),
            })
    return out


def head_to_head(rows, solvers) -> list[dict]:
    """Per instance, who is better under the hierarchical objective: more customers served (with
    `--fleet bks` not everyone may fit), fewer vehicles, then less distance (within 0.01 %); a
    plan with an infeasible route or an error loses."""
    if "ours" not in solvers:
        return []
    by = {(r["instance"], r["solver"]): r for r in rows}
    out = []
    for peer in solvers:
        if peer == "ours":
            continue
        wins = ties = losses = 0
        for name in sorted({r["instance"] for r in rows}):
            a, b = by.get((name, "ours")), by.get((name, peer))
            if a is None or b is None:
                continue
            ka, kb = _hierarchical_key(a), _hierarchical_key(b)
            if ka[:3] == kb[:3] and abs(ka[3] - kb[3]) <= 1e-4 * max(ka[3], kb[3]):
                ties += 1
            elif ka < kb:
                wins += 1
            else:
                losses += 1
        out.append({"ours_vs": peer, "ours_better": wins, "tie": ties, "peer_better": losses})
    return out


def _hierarchical_key(row: dict) -> tuple:
    return (row["error"] is not None or row["infeasible_routes"] > 0, -row["served"], row["vehicles"], row["distance"])


def print_table(title: str, rows: list[dict], columns: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    widths = [max(len(head), *(len(_fmt(r.get(key))) for r in rows)) for key, head in columns]
    print("  ".join(head.ljust(w) for (key, head), w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(_fmt(r.get(key)).ljust(w) for (key, _), w in zip(columns, widths)))


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


GAP_CHART_TITLE = "VRPTW distance gap by family (label: gap %, vehicles vs best known)"
BKS_FLEET_CHART_TITLE = ("VRPTW distance gap by family, best-known fleet only\n"
                         "(label: gap %, vehicles vs best known, instances with every customer served)")


def chart(summary: list[dict], solvers, path: Path, title: str = GAP_CHART_TITLE) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [g for g in (*FAMILIES, "Solomon all", "Homberger 200", "Homberger 400")
              if any(s["group"] == g for s in summary)]
    fig, ax = plt.subplots(figsize=(11, 4.8))
    width = 0.8 / max(1, len(solvers))
    for n, solver in enumerate(solvers):
        vals = []
        for g in labels:
            row = next((s for s in summary if s["group"] == g and s["solver"] == solver), None)
            vals.append(row["mean_gap"] if row and row["mean_gap"] is not None else np.nan)
        xs = np.arange(len(labels)) + (n - (len(solvers) - 1) / 2) * width
        bars = ax.bar(xs, vals, width, label=solver)
        for x, v, g in zip(xs, vals, labels):
            row = next((s for s in summary if s["group"] == g and s["solver"] == solver), None)
            if row and not np.isnan(v):
                # With --fleet bks not every instance gets every customer served, and the gap is
                # the mean over those that do: say over how many.
                served = "" if row["fully_served"] == row["n"] else f"\n{row['fully_served']}/{row['n']}"
                ax.annotate(f"{v:.2f}\n{row['extra_vehicles']:+d}v{served}", (x, v), ha="center",
                            va="bottom" if v >= 0 else "top", fontsize=7)
        del bars
    ax.axhline(0, color="black", linewidth=0.8)
    ax.margins(y=0.18)  # room for the labels above the tallest bars
    # Two-word group names on two lines: "Homberger 200" and "Homberger 400" would run together.
    ax.set_xticks(np.arange(len(labels)), [label.replace(" ", "\n") for label in labels])
    ax.set_ylabel("mean distance gap to best known (%)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------------
# Part 2: generated field-service day


def part2(args, solvers) -> list[dict]:
    jobs, techs = (200, 20) if args.quick else (1000, 100)
    day = field_service_day(jobs=jobs, technicians=techs, seed=args.seed)
    limit = args.day_time_limit or (5.0 if args.quick else 30.0)
    print(f"\n== Part 2: field-service day, {jobs} jobs, {techs} technicians, seed {args.seed}, {limit:g} s", flush=True)
    rows = []
    for solver in solvers:
        out = run(solver, day.problem, limit, cost="duration", fixed_cost=0, required=False)
        ev = evaluate(day.problem, out.routes)
        row = {"solver": solver, "jobs": jobs, "served": ev.served, "technicians_used": ev.vehicles,
               "travel_hours": round(ev.travel / 3600, 2), "travel_min_per_job": round(ev.travel / 60 / max(1, ev.served), 2),
               "infeasible_routes": ev.infeasible_routes, "seconds": round(out.seconds, 2), "error": out.error}
        rows.append(row)
        print(f"  {solver:6} served {ev.served}/{jobs} travel {ev.travel / 3600:7.2f} h  technicians {ev.vehicles}"
              f"  infeasible routes {ev.infeasible_routes}  {out.seconds:5.1f}s {out.error or ''}", flush=True)
    return rows


# ------------------------------------------------------------------------------------------
# Part "days": generated days of this product's shape, every answer checked by one validator

# PyVRP cannot model a break with a window, so it gets the day without breaks, and so do the
# solvers compared with it there.
BREAKLESS = ("pyvrp",)


def parse_size(text: str) -> tuple[int, int]:
    jobs, _, techs = text.lower().partition("x")
    if not (jobs.isdigit() and techs.isdigit() and int(jobs) > 0 and int(techs) > 0):
        raise argparse.ArgumentTypeError(f"size {text!r} is not JOBSxTECHNICIANS, e.g. 800x80")
    return int(jobs), int(techs)


def without_breaks(problem: RoutingProblem) -> RoutingProblem:
    return replace(problem, technicians=tuple(replace(t, breaks=()) for t in problem.technicians))


def day_plan(solvers, nobreak_solvers) -> list[tuple[str, str]]:
    """(variant, solver) in run order: the full day for every solver that models breaks, the day
    without breaks for PyVRP and for those listed to meet it there."""
    plan = [("full", s) for s in solvers if s not in BREAKLESS]
    plan += [("no breaks", s) for s in solvers if s in nobreak_solvers or s in BREAKLESS]
    return plan


def part_days(args, solvers) -> list[dict]:
    plan = day_plan(solvers, [s.strip() for s in args.nobreak_solvers.split(",") if s.strip()])
    limit = args.day_time_limit
    print(f"\n== Days: seeds {' '.join(map(str, args.day_seeds))}, sizes "
          f"{' '.join(f'{j}x{t}' for j, t in args.day_sizes)}, {limit:g} s each, one thread; runs: "
          f"{', '.join(f'{s} ({v})' for v, s in plan)}", flush=True)
    rows = []
    for jobs, techs in args.day_sizes:
        for seed in args.day_seeds:
            full = product_day(jobs=jobs, technicians=techs, seed=seed).problem
            problems = {"full": full, "no breaks": without_breaks(full)}
            for variant, solver in plan:
                problem = problems[variant]
                out = run(solver, problem, limit, cost="duration", fixed_cost=0, required=False)
                check = validate(problem, out.routes)
                row = {"day": f"{jobs}x{techs} s{seed}", "jobs": jobs, "technicians": techs, "seed": seed,
                       "variant": variant, "solver": solver, "served": check.served,
                       "priority_served": check.priority_served, "travel_hours": round(check.travel / 3600, 2),
                       "travel": check.travel, "violations": check.violation_count,
                       "violation_kinds": check.summary() if check.violation_count else "",
                       "seconds": round(out.seconds, 2), "error": out.error}
                rows.append(row)
                print(f"  {row['day']:14} {variant:9} {solver:6} served {check.served:4}/{jobs} priority "
                      f"{check.priority_served:6} travel {check.travel / 3600:7.2f} h violations "
                      f"{check.violation_count} {row['violation_kinds']} {out.seconds:5.1f}s {out.error or ''}",
                      flush=True)
    return rows


def _versus(a: float, b: float, more_is_better: bool, tolerance: float = 0.0) -> str:
    if abs(a - b) <= tolerance * max(abs(a), abs(b)):
        return "tie"
    return "win" if (a > b) == more_is_better else "loss"


def days_summary(rows: list[dict]) -> list[dict]:
    """Ours against each peer on the same day and variant: served, priority served, travel (a tie
    within 0.1 %), and on how many days ours serves at least as many with no more travel. A run
    with violations or an error counts as serving nothing."""
    by = {(r["day"], r["variant"], r["solver"]): r for r in rows}
    out = []
    pairs = sorted({(r["variant"], r["solver"]) for r in rows if r["solver"] != "ours"})
    for variant, peer in pairs:
        tally = {"served": Counter(), "priority": Counter(), "travel": Counter()}
        both = days = 0
        for (day, var, solver), theirs in by.items():
            ours = by.get((day, var, "ours"))
            if var != variant or solver != peer or ours is None:
                continue
            days += 1
            so, sp = _usable(ours, "served"), _usable(theirs, "served")
            tally["served"][_versus(so, sp, True)] += 1
            tally["priority"][_versus(_usable(ours, "priority_served"), _usable(theirs, "priority_served"), True)] += 1
            tally["travel"][_versus(ours["travel"], theirs["travel"], False, 1e-3)] += 1
            both += so >= sp and ours["travel"] <= theirs["travel"] * (1 + 1e-3)
        line = {"ours_vs": peer, "variant": variant, "days": days}
        for key, t in tally.items():
            line[key] = f"{t['win']}/{t['tie']}/{t['loss']}"
        line["served_and_travel"] = f"{both}/{days}"
        out.append(line)
    return out


def _usable(row: dict, key: str) -> int:
    return 0 if row["error"] or row["violations"] else row[key]


# ------------------------------------------------------------------------------------------
# Part 3: live insertion latency


def part3(args) -> dict:
    n_tech, n_open, trials = (10, 80, 30) if args.quick else (50, 400, args.insertions)
    day = field_service_day(jobs=n_open + trials, technicians=n_tech, seed=args.seed + 1)
    problem = day.problem
    base_visits = problem.visits[:n_open]
    base = RoutingProblem(problem.technicians, base_visits, problem.durations, problem.distances)
    plan_limit = 3.0 if args.quick else 20.0
    print(f"\n== Part 3: live insertion, {n_tech} technicians, {n_open} open visits (planned in {plan_limit:g} s), "
          f"{trials} insertions", flush=True)
    planned = solve(base, time_limit=plan_limit)
    rng = random.Random(args.seed)
    routes = []
    for t in problem.technicians:
        r = planned.route_of(t.id)
        ids = r.visit_ids if r else []
        locked = rng.randint(0, min(2, len(ids)))  # the first stops are started / pinned
        routes.append(PlannedRoute(t.id, ids, locked=locked))
    latencies, placed, reasons = [], 0, {}
    candidates = list(problem.visits[n_open:])
    for visit in candidates:
        t0 = time.perf_counter()
        res = insert_visit(problem, routes, visit)
        latencies.append((time.perf_counter() - t0) * 1000)
        if res.feasible:
            placed += 1
        else:
            reasons[res.reason] = reasons.get(res.reason, 0) + 1
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(round(q * (len(latencies) - 1))))]  # noqa: E731
    row = {"technicians": n_tech, "open_visits": n_open, "planned_served": planned.num_served,
           "insertions": len(latencies), "feasible": placed,
           "p50_ms": round(pct(0.5), 1), "p95_ms": round(pct(0.95), 1), "max_ms": round(latencies[-1], 1),
           "mean_ms": round(statistics.fmean(latencies), 1)}
    print(f"  planned {planned.num_served}/{n_open} open visits; insertions feasible {placed}/{len(latencies)}"
          f"; reasons for the rest: {reasons}", flush=True)
    return row


# ------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", default="all", choices=["1", "2", "3", "days", "all"],
                        help="'all' is 1, 2 and 3; 'days' runs on its own")
    parser.add_argument("--day-seeds", type=int, nargs="+", default=None, help="days part: seeds (default 1..5)")
    parser.add_argument("--day-sizes", type=parse_size, nargs="+", default=None,
                        help="days part: JOBSxTECHNICIANS (default 800x80 1200x120)")
    parser.add_argument("--nobreak-solvers", default="ours,pyvrp",
                        help="days part: who also solves the day without breaks (PyVRP always does)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per VRPTW instance (part 1)")
    parser.add_argument("--day-time-limit", type=float, default=None, help="seconds for the day (part 2, default 30)")
    parser.add_argument("--instances", default="", help="comma-separated globs, e.g. 'C1*,R2*,r1_4_1'")
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--quick", action="store_true", help="few instances, short limits (smoke test)")
    parser.add_argument("--insertions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=str(ROOT / "out" / "bench"))
    parser.add_argument("--objective", default="hierarchical", choices=["hierarchical", "distance"],
                        help="part 1: fewest vehicles then distance (a fixed cost per vehicle), or distance "
                             "alone (VROOM's own VRPTW benchmark: vehicles cost nothing)")
    parser.add_argument("--fleet", default="full", choices=["full", "bks"],
                        help="part 1: the instance's whole fleet, or only as many vehicles as the best known "
                             "solution (VROOM's 'limited fleet' protocol: gaps compare like with like)")
    parser.add_argument("--ours-options", default="", help="JSON object of extra solve() options (experiments)")
    args = parser.parse_args(argv)
    if args.ours_options:
        OURS_OPTIONS.update(json.loads(args.ours_options))
    if args.quick and args.time_limit == 10.0:
        args.time_limit = 2.0
    if args.part == "days":
        args.day_seeds = args.day_seeds or ([1, 2] if args.quick else [1, 2, 3, 4, 5])
        args.day_sizes = args.day_sizes or ([(120, 12)] if args.quick else [(800, 80), (1200, 120)])
        args.day_time_limit = args.day_time_limit or (2.0 if args.quick else 20.0)
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = set(solvers) - set(SOLVERS)
    if unknown:
        parser.error(f"unknown solvers: {', '.join(sorted(unknown))}")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict = {"args": vars(args)}
    started = time.monotonic()
    if "ours" in solvers:
        # numba compiles our SISR polish on first use (seconds, once per machine, then cached):
        # build time, like the peers' C++, so it is done before any timed solve.
        print(f"compiled or loaded our SISR kernel in {sisr.warm_up():.1f} s", flush=True)

    if args.part in ("1", "all"):
        p1 = part1(args, solvers)
        summary = summarise1(p1["rows"], solvers)
        report["part1"] = {"rows": p1["rows"], "summary": summary}
        print_table("Part 1 summary (gap on distance vs best known, among fully served instances; "
                    "'gap@bks fleet' only where the vehicle count equals the best known)", summary,
                    [("group", "group"), ("solver", "solver"), ("n", "n"), ("fully_served", "fully served"),
                     ("mean_gap", "mean gap %"), ("mean_gap_at_bks_fleet", "gap@bks fleet %"),
                     ("n_at_bks_fleet", "n@bks fleet"), ("vehicles", "vehicles"), ("bks_vehicles", "bks veh"),
                     ("extra_vehicles", "extra veh"), ("mean_seconds", "mean s"), ("max_seconds", "max s")])
        h2h = head_to_head(p1["rows"], solvers)
        report["part1"]["head_to_head"] = h2h
        if h2h:
            print_table("Part 1 head to head, hierarchical (more served, fewer vehicles, then distance), "
                        "per instance", h2h,
                        [("ours_vs", "ours vs"), ("ours_better", "ours better"), ("tie", "tie"),
                         ("peer_better", "peer better")])
        png = chart(summary, solvers, out_dir / "routing_gaps.png",
                    BKS_FLEET_CHART_TITLE if args.fleet == "bks" else GAP_CHART_TITLE)
        print(f"\nchart: {png}")
    if args.part in ("2", "all"):
        rows = part2(args, solvers)
        report["part2"] = rows
        print_table("Part 2: field-service day", rows,
                    [("solver", "solver"), ("jobs", "jobs"), ("served", "served"), ("technicians_used", "technicians"),
                     ("travel_hours", "travel h"), ("travel_min_per_job", "travel min/job"),
                     ("infeasible_routes", "infeasible routes"), ("seconds", "wall s"), ("error", "error")])
    if args.part == "days":
        rows = part_days(args, solvers)
        report["days"] = {"rows": rows, "summary": days_summary(rows)}
        for day in dict.fromkeys(r["day"] for r in rows):
            print_table(f"Day {day} ({args.day_time_limit:g} s, one thread; checked by scripts/route_validator.py)",
                        [r for r in rows if r["day"] == day],
                        [("variant", "variant"), ("solver", "solver"), ("served", "served"),
                         ("priority_served", "priority served"), ("travel_hours", "travel h"),
                         ("violations", "violations"), ("violation_kinds", "kinds"), ("seconds", "wall s"),
                         ("error", "error")])
        print_table("Days summary: ours vs each peer, same day and variant (win/tie/loss; travel tie within 0.1 %)",
                    report["days"]["summary"],
                    [("ours_vs", "ours vs"), ("variant", "variant"), ("days", "days"), ("served", "served"),
                     ("priority", "priority served"), ("travel", "travel"),
                     ("served_and_travel", "served >= and travel <=")])
    if args.part in ("3", "all"):
        row = part3(args)
        report["part3"] = row
        print_table("Part 3: live insertion latency", [row],
                    [("technicians", "technicians"), ("open_visits", "open visits"), ("insertions", "insertions"),
                     ("feasible", "feasible"), ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("max_ms", "max ms"),
                     ("mean_ms", "mean ms")])
    path = out_dir / f"routing_{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    print(f"\nresults: {path}  (total {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
