"""Writing plans back to jobs, and re-optimising a region's day (request → solve → preview → apply).

A solve never changes a job by itself: it produces a proposal stored on a PlanRun. Applying it checks
that the routes it started from are unchanged (a fingerprint), so a plan computed before a new
assignment cannot silently overwrite it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.background import DISPATCH, ROUTING, defer
from core.db import sqlite_begin_mode
from core.events import publish
from core.geo import MatrixProvider
from core.i18n import gettext as _
from core.regions import Region, zone_of
from dispatch.jobs.audit import SYSTEM, Actor
from dispatch.jobs.events import JobsPlaced
from dispatch.jobs.models import DispatchState, EventKind, Job
from dispatch.jobs.reasons import reason
from dispatch.jobs.services import record_event, transition_job
from dispatch.jobs.status import ROUTED_STATUSES, JobStatus
from dispatch.jobs.work import DISPATCH_JOB, PLAN_REGION
from dispatch.parts.pickups import follow_plan, parts_plan
from dispatch.planning.day_problem import DayProblem, build_day_problem
from dispatch.planning.errors import PlanBreaksWindows, PlanNotReady, PlanStale
from dispatch.planning.models import PlanRun, PlanStatus
from dispatch.planning.promises import broken_windows, promised_on_day
from dispatch.planning.read import jobs_waiting_for_dispatch, planned_jobs
from dispatch.routing import RoutingResult, solve
from dispatch.routing.model import RoutingProblem, Visit
from dispatch.routing.result import NO_CAPACITY, NO_PART, NO_SKILL, PINNED_INVALID, UNREACHABLE, Unassigned
from dispatch.routing.schedule import schedule
from dispatch.technicians.models import Technician

# A customer whose arrival moves by more than this is counted in the plan's preview.
ETA_MOVE_WORTH_TELLING = timedelta(minutes=30)


def mark_stale(session: Session, plan_id: int) -> None:
    """Record that a plan can no longer be applied (kept even when the refused request rolls back)."""
    session.get(PlanRun, plan_id).status = PlanStatus.STALE


@dataclass(frozen=True)
class RouteChange:
    job: Job
    technician: Technician
    position: int
    start: datetime
    end: datetime
    # False when the day problem shows the job needs no parts: then there is nothing to move into a van.
    needs_parts: bool = True


def place_job(session: Session, change: RouteChange, *, day: date, actor: Actor, now: datetime, note: str,
              note_code: str | None = None, note_facts: dict | None = None) -> None:
    """Put a job at a position in a technician's day with its ETA; moves it to `assigned` if needed
    and records the change (only when technician, day or position really changed). `note` is the
    English text; `note_code` and `note_facts` the same as a reason (dispatch.jobs.reasons)."""
    _place(session, change, day=day, actor=actor, now=now, note=note, note_code=note_code, note_facts=note_facts)
    publish(session, JobsPlaced(jobs=(change.job,), actor=actor, now=now))


def place_jobs(session: Session, changes: Sequence[RouteChange], *, day: date, actor: Actor, now: datetime,
               notes: Callable[[Job], dict]) -> None:
    """`place_job` for every job of the routes a change wrote, with one event for those that moved. A
    job left exactly where it was (same technician, day, position and times, planned and assigned)
    is not written again: a route's other visits keep their place when a new one goes at its end.
    `notes(job)`: the `note`, `note_code` and `note_facts` of its event."""
    placed = []
    for change in changes:
        if _already_there(change, day):
            if change.needs_parts:
                follow_plan(session, job=change.job, actor=actor, now=now)  # the van may hold its part by now
            continue
        _place(session, change, day=day, actor=actor, now=now, **notes(change.job))
        placed.append(change.job)
    if placed:
        publish(session, JobsPlaced(jobs=tuple(placed), actor=actor, now=now))


def _already_there(change: RouteChange, day: date) -> bool:
    job = change.job
    return (job.dispatch_state == DispatchState.PLANNED and job.status in ROUTED_STATUSES
            and job.dispatch_note == "" and job.dispatch_note_code is None and job.dispatch_note_facts is None
            and (job.technician_id, job.plan_day, job.route_position, job.planned_start, job.planned_end)
            == (change.technician.id, day, change.position, change.start, change.end))


def _place(session: Session, change: RouteChange, *, day: date, actor: Actor, now: datetime, note: str,
           note_code: str | None = None, note_facts: dict | None = None) -> None:
    job = change.job
    moved = (job.technician_id, job.plan_day, job.route_position) != (change.technician.id, day, change.position)
    first_time = job.dispatch_state != DispatchState.PLANNED or job.technician_id is None
    job.technician, job.technician_id = change.technician, change.technician.id
    job.plan_day, job.route_position = day, change.position
    job.planned_start, job.planned_end = change.start, change.end
    job.dispatch_state, job.dispatch_note = DispatchState.PLANNED, ""
    job.dispatch_note_code = job.dispatch_note_facts = None
    # Both steps are written with the placement itself (the next read flushes them all at once).
    if job.status == JobStatus.REPORTED:
        transition_job(session, job=job, to=JobStatus.TRIAGED, actor=actor, now=now, note="classified and accepted",
                       note_code="classified_and_accepted", note_facts={}, flush=False)
    if job.status in (JobStatus.TRIAGED, JobStatus.WAITING_PARTS):
        transition_job(session, job=job, to=JobStatus.ASSIGNED, actor=actor, now=now,
                       note=f"assigned to {change.technician.user.display_name}", note_code="assigned_to",
                       note_facts={"technician": change.technician.user.display_name}, flush=False)
    if change.needs_parts:
        follow_plan(session, job=job, actor=actor, now=now)
    if moved:
        record_event(job, kind=EventKind.PLANNED if first_time else EventKind.REPLANNED, actor=actor, now=now,
                     note=note, note_code=note_code, note_facts=note_facts,
                     data={"technician": change.technician.user.username, "day": day.isoformat(),
                                      "position": change.position, "eta": change.start.isoformat()})
    job.updated_at = now


def unplace_job(session: Session, job: Job, *, actor: Actor, now: datetime, note: str, note_code: str | None = None,
                note_facts: dict | None = None) -> None:
    """Take a job out of its technician's day (back to waiting for dispatch). `note` is the English
    text; `note_code` and `note_facts` the same as a reason (dispatch.jobs.reasons) for pages."""
    if job.status == JobStatus.ASSIGNED:
        transition_job(session, job=job, to=JobStatus.TRIAGED, actor=actor, now=now, note=note, note_code=note_code,
                       note_facts=note_facts)
    job.clear_plan()
    job.dispatch_state, job.dispatch_note = DispatchState.PENDING, note
    job.dispatch_note_code, job.dispatch_note_facts = note_code, note_facts
    job.updated_at = now


# --- re-optimisation of a region's day ------------------------------------------------------------

def new_plan(session: Session, *, region: Region, day: date, time_limit_s: float, apply_when_done: bool,
             requested_by: str, now: datetime) -> PlanRun:
    """A plan for the caller to solve itself with `run_plan`."""
    plan = PlanRun(region=region, day=day, status=PlanStatus.QUEUED, time_limit_s=time_limit_s,
                   apply_when_done=apply_when_done, requested_by=requested_by, requested_at=now, result={}, error="",
                   baseline="")
    session.add(plan)
    session.flush()
    return plan


def request_plan(session: Session, *, region: Region, day: date, time_limit_s: float, apply_when_done: bool,
                 requested_by: str, now: datetime) -> PlanRun:
    """A plan queued for the worker to solve. A plan of the same kind still waiting for the region's day
    is that plan: at most one waits per region, however often the clock or the board asks."""
    waiting = session.scalar(select(PlanRun).where(
        PlanRun.region_id == region.id, PlanRun.day == day, PlanRun.status == PlanStatus.QUEUED,
        PlanRun.apply_when_done.is_(apply_when_done)).order_by(PlanRun.id).limit(1))
    if waiting is not None:
        return waiting
    plan = new_plan(session, region=region, day=day, time_limit_s=time_limit_s, apply_when_done=apply_when_done,
                    requested_by=requested_by, now=now)
    # One solve at a time per region: two would plan the same technicians.
    defer(session, queue=ROUTING, kind=PLAN_REGION, payload={"plan_id": plan.id}, now=now, lock=f"region-{region.id}")
    return plan


def _region_day(session: Session, *, region_id: int, day: date, tz: ZoneInfo, now: datetime,
                provider: MatrixProvider) -> tuple[DayProblem, list[Job]]:
    technicians = list(session.scalars(select(Technician).where(Technician.region_id == region_id)
                                       .order_by(Technician.id)))
    routes = planned_jobs(session, technician_ids=[t.id for t in technicians], day=day)
    # Every job of the region still waiting for a visit is offered to this day's plan.
    waiting = jobs_waiting_for_dispatch(session, region_id=region_id)
    jobs = waiting + [job for route in routes.values() for job in route]
    return build_day_problem(day=day, tz=tz, now=now, provider=provider, technicians=technicians, routes=routes,
                             extra_jobs=waiting,
                             parts=parts_plan(session, jobs=jobs, technicians=technicians)), waiting


def fingerprint(day_problem: DayProblem, waiting: list[Job]) -> str:
    parts = sorted(f"{tid}:{','.join(route)}" for tid, route in day_problem.routes.items())
    parts += sorted(f"w:{job.number}:{job.status.value}" for job in waiting)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _current_travel(day_problem: DayProblem) -> int:
    """Travel seconds of the routes as they stand, for the before/after comparison."""
    problem, total = day_problem.problem, 0
    visits = problem.visit_by_id
    for tech in problem.technicians:
        route = schedule(problem, tech, [visits[v] for v in day_problem.routes.get(tech.id, []) if v in visits])
        total += route.travel_seconds if route else 0
    return total


def run_plan(session: Session, *, plan: PlanRun, now: datetime, tz: ZoneInfo | None = None,
             provider: MatrixProvider) -> PlanRun:
    """Solve the plan's region day; the day is read in the region's time zone (`tz` is only a fallback).

    It commits the session twice, so that the solve runs with no transaction open: a solve takes
    seconds to minutes, and a transaction held that long would hold SQLite's write lock (every report
    would wait behind it) or PostgreSQL's row locks. The plan is marked running, the day is read in a
    read-only transaction, the solve runs, and the result is written in a new transaction; applying
    it checks the fingerprint of the routes it was read from, so what changed meanwhile is not
    overwritten."""
    tz = zone_of(plan.region, tz)
    plan.status, plan.started_at = PlanStatus.RUNNING, now
    session.commit()
    with sqlite_begin_mode("DEFERRED"):
        day_problem, waiting = _region_day(session, region_id=plan.region_id, day=plan.day, tz=tz, now=now,
                                           provider=provider)
        baseline, travel_before = fingerprint(day_problem, waiting), _current_travel(day_problem)
        _load_what_the_summary_reads(day_problem)
        promised = promised_on_day(day_problem)
        session.commit()
    # Warm-started from the routes as they stand: the search begins from today's promises and
    # moves a customer only where that pays.
    result = solve(day_problem.problem, time_limit=plan.time_limit_s,
                   initial_routes={tid: route for tid, route in day_problem.routes.items() if route})
    plan.baseline = baseline
    plan.result = plan_summary(day_problem, result, travel_before=travel_before)
    plan.result["served_before"] = sum(len(route) for route in day_problem.routes.values())
    plan.result["changes"] = plan_changes(day_problem, result, day=plan.day)
    plan.result["moved_over_30_min"] = sum(1 for change in plan.result["changes"] if change["moved_minutes"] is not None
                                           and abs(change["moved_minutes"]) > ETA_MOVE_WORTH_TELLING.total_seconds() / 60)
    plan.result["broken_windows"] = broken_windows(day_problem, result, promised)
    plan.status, plan.finished_at = PlanStatus.DONE, now
    session.flush()
    if plan.apply_when_done:
        if improves_the_day(plan.result):
            apply_plan(session, plan=plan, now=now, tz=tz, provider=provider, actor=SYSTEM)
        else:
            plan.result = {**plan.result, "kept_current_routes": True}
            session.flush()
    return plan


def improves_the_day(summary: dict) -> bool:
    """An automatic re-plan is applied only when it serves more visits, or as many with less travel:
    applying one that is merely different would move customers' times for nothing. One that breaks a
    confirmed appointment window never improves anything."""
    if summary.get("broken_windows"):
        return False
    before = (summary["served_before"], -summary["travel_seconds_before"])
    return (summary["served"], -summary["travel_seconds"]) > before


def plan_changes(day_problem: DayProblem, result: RoutingResult, *, day: date) -> list[dict]:
    """Every job whose technician or start the plan would change, with before and after: what the
    dispatcher weighs before applying it (and whom the customers' messages would reach)."""
    after: dict[str, tuple[int, datetime]] = {}
    for route in result.routes:
        for stop in route.stops:
            if stop.kind == "visit":
                after[stop.visit_id] = (int(route.technician_id), day_problem.at(stop.start))
    names = {int(tid): technician.user.display_name for tid, technician in day_problem.technicians.items()}
    changes = []
    for number, job in day_problem.jobs.items():
        routed = job.status in ROUTED_STATUSES and job.plan_day == day and job.planned_start is not None
        before = (job.technician_id, job.planned_start) if routed else None
        new = after.get(number)
        if before is not None and new is not None and before[0] == new[0] \
                and abs(new[1] - before[1]) < timedelta(minutes=1):
            continue
        if before is None and new is None:
            continue
        changes.append({
            "job": number,
            "technician_before": names.get(before[0]) if before else None,
            "start_before": before[1].isoformat() if before else None,
            "technician_after": names.get(new[0]) if new else None,
            "start_after": new[1].isoformat() if new else None,
            "moved_minutes": round((new[1] - before[1]).total_seconds() / 60) if before and new else None,
        })
    return sorted(changes, key=lambda change: change["job"])


def _load_what_the_summary_reads(day_problem: DayProblem) -> None:
    """Technicians' names are read while the day's transaction is open, not lazily after the solve."""
    for technician in day_problem.technicians.values():
        _ = technician.user.display_name


def plan_summary(day_problem: DayProblem, result: RoutingResult, *, travel_before: int) -> dict:
    technicians = day_problem.technicians
    return {
        "status": result.status,
        "solve_seconds": round(result.solve_seconds, 3),
        "served": result.num_served,
        "travel_seconds_before": travel_before,
        "travel_seconds": result.travel_seconds,
        "distance_m": result.distance,
        "routes": [{"technician_id": int(r.technician_id), "technician": technicians[r.technician_id].user.display_name,
                    "travel_seconds": r.travel_seconds,
                    "stops": [{"job": s.visit_id, "start": day_problem.at(s.start).isoformat(),
                               "end": day_problem.at(s.departure).isoformat(),
                               "lat": day_problem.jobs[s.visit_id].latitude, "lon": day_problem.jobs[s.visit_id].longitude}
                              for s in r.stops if s.kind == "visit"],
                    "start": list(_start_of(technicians[r.technician_id]))}
                   for r in result.routes if r.visit_ids],
        # reason_code/_facts: the page says the reason in its language (older plans keep only `reason`).
        "unassigned": [{"job": u.visit_id, "reason": u.reason,
                        **_left_out(u, day_problem.problem)} for u in result.unassigned],
    }


def _left_out(unassigned: Unassigned, problem: RoutingProblem) -> dict:
    """Why the plan leaves a visit out, as the stored reason_code and reason_facts (dispatch.jobs.reasons)."""
    visit = problem.visit_by_id.get(unassigned.visit_id)
    if visit is None:
        return {}
    found = _left_out_reason(unassigned.code, visit, problem)
    if found is None:
        return {}
    code = found.pop("code")
    return {"reason_code": code, "reason_facts": found}


def _left_out_reason(code: str, visit: Visit, problem: RoutingProblem) -> dict | None:
    pinned = visit.pinned_technician
    if code == PINNED_INVALID or (code == UNREACHABLE and pinned is not None):
        technician = problem.technician_by_id.get(pinned)
        if technician is None:
            return reason("left_out_pinned_unknown", technician=pinned)
        if not technician.can_do(visit):
            return reason("left_out_pinned_lacks_skill", technician=pinned, skill=visit.required_skill)
        return reason("left_out_pinned_unreachable", technician=pinned)
    if code == NO_SKILL:
        why = reason("left_out_no_skill_level", skill=visit.required_skill, level=visit.min_skill_level) \
            if visit.min_skill_level > 1 else reason("left_out_no_skill", skill=visit.required_skill)
        return reason("left_out_also_skills", why=why, skills=", ".join(visit.extra_skills)) \
            if visit.extra_skills else why
    if code == NO_PART:
        return reason("left_out_no_part", parts=", ".join(visit.needs_parts))
    if code == UNREACHABLE:
        return reason("left_out_unreachable")
    if code == NO_CAPACITY:
        return reason("left_out_no_capacity")
    return None


def _start_of(technician: Technician) -> tuple[float, float]:
    return technician.home_lat, technician.home_lon


def apply_plan(session: Session, *, plan: PlanRun, now: datetime, tz: ZoneInfo | None = None,
               provider: MatrixProvider, actor: Actor) -> PlanRun:
    if plan.status != PlanStatus.DONE:
        raise PlanNotReady(f"Plan {plan.id} is {plan.status.value}; only a finished plan can be applied.")
    if plan.result.get("broken_windows"):
        plan.status = PlanStatus.STALE
        session.flush()
        raise PlanBreaksWindows(_("Plan %(id)s would break the appointment windows promised for %(jobs)s; it cannot "
                                  "be applied.", id=plan.id, jobs=", ".join(plan.result["broken_windows"])))
    tz = zone_of(plan.region, tz)
    # Lock the region's technicians so no live assignment slips in between the check and the write.
    technicians = list(session.scalars(select(Technician).where(Technician.region_id == plan.region_id)
                                       .order_by(Technician.id).with_for_update()))
    # The session may still hold the jobs it read before the solve (sessions keep objects across
    # commits): read the day as the database holds it now, or the staleness check compares the past
    # with itself and the plan overwrites what live dispatch did meanwhile.
    session.expire_all()
    day_problem, waiting = _region_day(session, region_id=plan.region_id, day=plan.day, tz=tz, now=now,
                                       provider=provider)
    if fingerprint(day_problem, waiting) != plan.baseline:
        plan.status = PlanStatus.STALE
        session.flush()
        raise PlanStale(f"The routes of {plan.region.code} on {plan.day} changed after plan {plan.id} was computed; "
                        "request a new plan.")
    by_id = {t.id: t for t in technicians}
    changes = [RouteChange(day_problem.jobs[stop["job"]], by_id[route["technician_id"]], position,
                           datetime.fromisoformat(stop["start"]), datetime.fromisoformat(stop["end"]),
                           needs_parts=day_problem.needs_parts(stop["job"]))
               for route in plan.result["routes"] for position, stop in enumerate(route["stops"])]
    place_jobs(session, changes, day=plan.day, actor=actor, now=now,
               notes=lambda _job: {"note": f"re-optimisation plan {plan.id}", "note_code": "reoptimisation_plan",
                                   "note_facts": {"plan": plan.id}})
    placed = {change.job.number for change in changes}
    for number, job in day_problem.jobs.items():
        if number not in placed and job.status in ROUTED_STATUSES and job.plan_day == plan.day:
            unplace_job(session, job, actor=actor, now=now, note=f"left out by re-optimisation plan {plan.id}",
                        note_code="left_out_by_plan", note_facts={"plan": plan.id})
            defer(session, queue=DISPATCH, kind=DISPATCH_JOB, payload={"job": job.number}, now=now)
    plan.status = PlanStatus.APPLIED
    session.flush()
    return plan
