"""VROOM's documented JSON: read a problem (jobs, vehicles, matrices) and write a VROOM-style solution.

Supported input: jobs (id, location [lon, lat] or location_index, service (+ setup, added to
service), delivery/amount in one dimension, skills, priority, time_windows), vehicles (id, start /
start_index, end / end_index, capacity in one dimension, skills, time_window, breaks with
time_windows and service, max_tasks, costs.fixed) and `matrices` {profile: {durations, distances}}
(or the legacy top-level `matrix`). Shipments, pickups and vehicles without a start are refused
with `InvalidProblem`.

Without a matrix, travel comes from the coordinates: great-circle distance x 1.3 road factor at
30 km/h (`travel_from_coordinates`, on `core.geo`), times and distances rounded up.

VROOM skills are integers; the first skill of a job becomes `Visit.required_skill` (as a string),
the others `extra_skills`. VROOM has one level per skill, so every technician is level 2 (nominal
service time). A break's window bounds its START in VROOM; in our model it bounds the whole break,
so the window end is extended by the break's service on the way in and trimmed on the way out.

Parts: a solution's pickup stops (collecting a visit's parts at a depot) are written as VROOM
"pickup" steps whose `id` is the job they are for, with the depot's id as `description`; their
`service` is the collection time. Our problem with parts has no VROOM equivalent (VROOM shipments
cannot say "or from the van"), so `problem_to_vroom` refuses it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from core.geo import GreatCircleProvider

from .model import Break, InvalidProblem, RoutingProblem, Technician, TimeWindow, Visit
from .result import RoutingResult

HORIZON = 2**31 - 1  # VROOM's default: no time window means "any time"

# Travel when only coordinates are known (no road network): urban roads ~1.3x the great circle, 30 km/h.
COORDINATE_TRAVEL = GreatCircleProvider(road_factor=1.3, speed_kmh=30.0)


def travel_from_coordinates(lon_lat) -> tuple[np.ndarray, np.ndarray]:
    """(durations in whole seconds, distances in whole metres), both rounded up, between [lon, lat]
    points (VROOM's order; `core.geo` takes (lat, lon))."""
    points = np.asarray(lon_lat, dtype=float).reshape(-1, 2)
    matrix = COORDINATE_TRAVEL.matrix([(lat, lon) for lon, lat in points])
    return matrix.durations, matrix.distances


@dataclass(frozen=True)
class VroomInput:
    problem: RoutingProblem
    job_ids: Mapping[str, Any]  # our visit id -> the id as given in the JSON
    vehicle_ids: Mapping[str, Any]
    coordinates: list[list[float]] | None  # [location] -> [lon, lat] when the input used them
    fixed_cost: int = 0
    options: dict[str, Any] = field(default_factory=dict)


def read_vroom(source: str | Path | Mapping[str, Any]) -> VroomInput:
    data = json.loads(Path(source).read_text()) if isinstance(source, (str, Path)) else source
    if data.get("shipments"):
        raise InvalidProblem("VROOM shipments are not supported")
    jobs, vehicles = data.get("jobs", []), data.get("vehicles", [])
    if not vehicles:
        raise InvalidProblem("a VROOM problem needs at least one vehicle")
    matrices = data.get("matrices") or {}
    profile = vehicles[0].get("profile", "car")
    durations = distances = None
    if profile in matrices:
        durations = matrices[profile].get("durations")
        distances = matrices[profile].get("distances")
    elif matrices:
        first = next(iter(matrices.values()))
        durations, distances = first.get("durations"), first.get("distances")
    elif "matrix" in data:
        durations = data["matrix"]

    coords: list[list[float]] = []
    coord_index: dict[tuple[float, float], int] = {}

    def location(obj: Mapping[str, Any], index_key: str, coord_key: str) -> int | None:
        if durations is not None:
            if index_key not in obj:
                if coord_key in obj:
                    raise InvalidProblem(f"with a matrix every location needs {index_key!r}")
                return None
            return int(obj[index_key])
        if coord_key not in obj:
            return None
        key = (float(obj[coord_key][0]), float(obj[coord_key][1]))
        if key not in coord_index:
            coord_index[key] = len(coords)
            coords.append([key[0], key[1]])
        return coord_index[key]

    techs, vehicle_ids, fixed = [], {}, 0
    for veh in vehicles:
        vid = str(veh["id"])
        start = location(veh, "start_index", "start")
        end = location(veh, "end_index", "end")
        if start is None:
            raise InvalidProblem(f"vehicle {vid}: a start location is required")
        tw = veh.get("time_window", [0, HORIZON])
        shift = TimeWindow(int(tw[0]), int(tw[1]))
        breaks = []
        for brk in veh.get("breaks", []):
            windows = brk.get("time_windows") or [[shift.start, shift.end]]
            service = int(brk.get("service", 0))
            a, b = int(windows[0][0]), int(windows[0][1])
            breaks.append(Break(TimeWindow(a, min(b + service, shift.end)), service))
        capacity = veh.get("capacity")
        if capacity is not None and len(capacity) > 1:
            raise InvalidProblem(f"vehicle {vid}: only one capacity dimension is supported")
        fixed = max(fixed, int(veh.get("costs", {}).get("fixed", 0)))
        techs.append(Technician(
            id=vid, start_location=start, end_location=end, shift=shift, breaks=tuple(breaks),
            skills={str(s): 2 for s in veh.get("skills", [])}, max_visits=veh.get("max_tasks"),
            capacity=int(capacity[0]) if capacity else None))
        vehicle_ids[vid] = veh["id"]

    visits, job_ids = [], {}
    for job in jobs:
        jid = str(job["id"])
        loc = location(job, "location_index", "location")
        if loc is None:
            raise InvalidProblem(f"job {jid}: a location is required")
        if any(job.get("pickup", [])):
            raise InvalidProblem(f"job {jid}: pickups are not supported")
        amount = job.get("delivery", job.get("amount", []))
        if len(amount) > 1:
            raise InvalidProblem(f"job {jid}: only one capacity dimension is supported")
        skills = [str(s) for s in job.get("skills", [])]
        visits.append(Visit(
            id=jid, location=loc, service=int(job.get("service", 0)) + int(job.get("setup", 0)),
            time_windows=tuple(TimeWindow(int(a), int(b)) for a, b in job.get("time_windows", [])),
            required_skill=skills[0] if skills else None, extra_skills=tuple(skills[1:]),
            priority=int(job.get("priority", 0)), demand=int(amount[0]) if amount else 0))
        job_ids[jid] = job["id"]

    if durations is not None:
        dur = np.asarray(durations, dtype=np.int64)
        dist = np.asarray(distances, dtype=np.int64) if distances is not None else None
        coordinates = None
    else:
        if not coords:
            raise InvalidProblem("no matrix and no coordinates")
        dur, dist = travel_from_coordinates(coords)
        coordinates = coords
    problem = RoutingProblem(tuple(techs), tuple(visits), dur, dist)
    return VroomInput(problem, job_ids, vehicle_ids, coordinates, fixed, data.get("options", {}))


def write_vroom_solution(result: RoutingResult, vinput: VroomInput) -> dict[str, Any]:
    """The solution as VROOM prints it (`code`, `summary`, `unassigned`, `routes` with steps)."""
    problem = vinput.problem
    visits = problem.visit_by_id
    dur = problem.durations

    def where(loc: int | None) -> dict[str, Any]:
        if loc is None:
            return {}
        if vinput.coordinates is not None:
            return {"location": vinput.coordinates[loc]}
        return {"location_index": int(loc)}

    routes_out = []
    totals = {"cost": 0, "service": 0, "duration": 0, "waiting_time": 0, "distance": 0}
    for route in result.routes:
        steps, travelled, prev_loc = [], 0, None
        break_no = 0
        for stop in route.stops:
            if stop.kind == "break":
                step = {"type": "break", "id": break_no + 1, "arrival": stop.arrival, "duration": travelled,
                        "service": stop.departure - stop.start, "waiting_time": 0}
                break_no += 1
            else:
                if prev_loc is not None and stop.location is not None:
                    travelled += int(dur[prev_loc, stop.location])
                prev_loc = stop.location if stop.location is not None else prev_loc
                task = stop.kind in ("visit", "pickup")
                step = {"type": "job" if stop.kind == "visit" else stop.kind, "arrival": stop.arrival,
                        "duration": travelled, "service": stop.departure - stop.start if task else 0,
                        "waiting_time": stop.waiting, **where(stop.location)}
                if task:
                    step["id"] = vinput.job_ids.get(stop.visit_id, stop.visit_id)
                if stop.kind == "pickup":
                    step["description"] = stop.depot_id
                if stop.kind == "visit":
                    step["job"] = step["id"]
                    if stop.late:
                        step["late"] = stop.late
            steps.append(step)
        service = sum(s["service"] for s in steps if s["type"] in ("job", "pickup"))
        cost = route.travel_seconds + vinput.fixed_cost
        out = {"vehicle": vinput.vehicle_ids.get(route.technician_id, route.technician_id), "cost": cost,
               "service": service, "duration": route.travel_seconds, "waiting_time": route.waiting_seconds,
               "steps": steps}
        if route.distance is not None:
            out["distance"] = route.distance
            totals["distance"] += route.distance
        routes_out.append(out)
        totals["cost"] += cost
        totals["service"] += service
        totals["duration"] += route.travel_seconds
        totals["waiting_time"] += route.waiting_seconds
    unassigned = [{"id": vinput.job_ids.get(u.visit_id, u.visit_id), "type": "job", "reason": u.reason,
                   **where(visits[u.visit_id].location)} for u in result.unassigned]
    summary = {"cost": totals["cost"], "routes": len(routes_out), "unassigned": len(unassigned),
               "service": totals["service"], "duration": totals["duration"], "waiting_time": totals["waiting_time"],
               "computing_times": {"loading": 0, "solving": int(round(result.solve_seconds * 1000)), "routing": 0}}
    if problem.distances is not None:
        summary["distance"] = totals["distance"]
    code = 0 if result.status in ("feasible", "optimal", "empty") else 1
    return {"code": code, "status": result.status, "summary": summary, "unassigned": unassigned, "routes": routes_out}


def problem_to_vroom(problem: RoutingProblem, *, fixed_cost: int = 0) -> dict[str, Any]:
    """Our problem as VROOM input JSON (matrix based; skills are numbered in order of appearance).
    Problems with visits needing parts are refused (see the module docstring)."""
    if problem.needs_parts:
        raise InvalidProblem("visits needing parts (van or depot pickup) cannot be written as VROOM input")
    skill_ids: dict[str, int] = {}

    def sid(name: str) -> int:
        return skill_ids.setdefault(name, len(skill_ids) + 1)

    vehicles = []
    for t in problem.technicians:
        veh: dict[str, Any] = {"id": t.id, "start_index": t.start_location, "time_window": [t.shift.start, t.shift.end],
                               "skills": [sid(s) for s in t.skills]}
        if t.end_location is not None:
            veh["end_index"] = t.end_location
        if t.breaks:
            veh["breaks"] = [{"id": n + 1, "time_windows": [[b.window.start, b.latest_start]], "service": b.duration}
                             for n, b in enumerate(t.breaks)]
        if t.capacity is not None:
            veh["capacity"] = [t.capacity]
        if t.max_visits is not None:
            veh["max_tasks"] = t.max_visits
        if fixed_cost:
            veh["costs"] = {"fixed": fixed_cost}
        vehicles.append(veh)
    jobs = []
    for v in problem.visits:
        job: dict[str, Any] = {"id": v.id, "location_index": v.location, "service": v.service, "priority": v.priority}
        skills = ([v.required_skill] if v.required_skill else []) + list(v.extra_skills)
        if skills:
            job["skills"] = [sid(s) for s in skills]
        if v.time_windows:
            job["time_windows"] = [[w.start, w.end] for w in v.time_windows]
        if v.demand:
            job["delivery"] = [v.demand]
        jobs.append(job)
    matrices: dict[str, Any] = {"durations": problem.durations.tolist()}
    if problem.distances is not None:
        matrices["distances"] = problem.distances.tolist()
    # Skill numbers replace names, so the reader gives them back as "1", "2", ...: keep the map.
    return {"vehicles": vehicles, "jobs": jobs, "matrices": {"car": matrices},
            "skill_ids": {name: n for name, n in skill_ids.items()}}
