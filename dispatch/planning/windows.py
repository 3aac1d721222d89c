"""Appointment windows: the arrival windows a customer may choose, offered from the live plan, and the
choice itself, which becomes a hard promise for every later plan.

A window is offered only where live insertion (the same `insert_visit` on the same day problem that
places a new job) finds a qualified technician arriving inside it, before the repair deadline. Each
day's problem is built once and every window of that day is tried on it; the search only reads.
Choosing re-checks the window, stores it, and places the job with live insertion honouring it (the day
problem gives the job's visit the stored window as its time window), in the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.events import publish
from core.geo import MatrixProvider
from core.i18n import gettext as _
from core.limits import has_control_characters
from core.regions import zone_of
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.errors import ReasonNeeded
from dispatch.jobs.events import JobWindowConfirmed
from dispatch.jobs.models import EventKind, Job, ResponseKind, needs_visit
from dispatch.jobs.reasons import english
from dispatch.jobs.response import record_response
from dispatch.jobs.services import record_event, transition_job
from dispatch.jobs.status import JobStatus
from dispatch.parts.pickups import parts_plan
from dispatch.planning.assignment import MAX_DAYS_AHEAD, dispatch_job, planned_routes
from dispatch.planning.day_problem import DayProblem, build_day_problem
from dispatch.planning.read import planned_jobs, qualified_technicians
from dispatch.routing.insertion import insert_visit
from dispatch.routing.model import TimeWindow
from dispatch.technicians.models import Technician
from dispatch.technicians.roster import days_between, working_day

DEFAULT_WINDOW_MINUTES = 120
# Before a technician sets off the customer may still choose, change or cancel the visit.
CHOOSABLE_STATUSES = frozenset({JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.WAITING_PARTS})
MIN_CANCEL_REASON, MAX_CANCEL_REASON = 5, 500


class WindowNotOffered(Exception):
    """The window asked for is not one the live plan offers (any more): taken meanwhile, past, after the
    repair deadline, or never a window of the offered shape."""


class WindowsClosed(Exception):
    """The job no longer takes a window: the technician is on the way, the work is done, or no visit is needed."""


@dataclass(frozen=True)
class OfferedWindow:
    start: datetime  # UTC
    end: datetime
    day: date  # the local day of the region
    # What insertion found: who would come and when (for staff; the customer sees the window only).
    technician_id: int
    eta: datetime


def takes_window(job: Job) -> bool:
    """A visit is still to come, and dispatch plans it: an appliance in no region is planned by a person."""
    return needs_visit(job) and job.status in CHOOSABLE_STATUSES and job.asset.region_id is not None


def offer_windows(session: Session, *, job: Job, now: datetime, provider: MatrixProvider, tz: ZoneInfo | None = None,
                  window_minutes: int = DEFAULT_WINDOW_MINUTES, only_day: date | None = None) -> list[OfferedWindow]:
    """Every window of `window_minutes` inside the working hours of each day from today to the repair
    deadline (region time) in which live insertion finds a feasible place, soonest first. Empty when the
    job takes no window. `only_day` limits the search to that day (a choice being re-checked)."""
    if not takes_window(job):
        return []
    tz = zone_of(job.asset.region, tz)
    today = now.astimezone(tz).date()
    model = job.asset.product_model
    candidates = qualified_technicians(session, region_id=job.asset.region_id, skill=model.repair_skill,
                                       min_level=model.min_skill_level, on=today)
    if not candidates:
        return []
    last_day = min(job.repair_by.astimezone(tz).date(), today + timedelta(days=MAX_DAYS_AHEAD))
    days = [only_day] if only_day is not None else days_between(today, last_day)
    offered: list[OfferedWindow] = []
    for day in days:
        if not today <= day <= last_day:
            continue
        slots = window_slots(candidates, day, tz, now=now, minutes=window_minutes, repair_by=job.repair_by)
        if not slots:
            continue
        day_problem = day_problem_for(session, job=job, day=day, tz=tz, now=now, provider=provider,
                                      candidates=candidates)
        offered += windows_on_day(day_problem, job_number=job.number, slots=slots)
    return offered


def windows_on_day(day_problem: DayProblem, *, job_number: str,
                   slots: list[tuple[datetime, datetime]]) -> list[OfferedWindow]:
    """The `slots` of the day in which live insertion places the job's visit on time: one day problem,
    one insertion per slot, the visit's time window set to the slot."""
    problem = day_problem.problem
    if not problem.technicians:
        return []
    routes = planned_routes(day_problem)
    visit = problem.visit_by_id[job_number]
    offered = []
    for start, end in slots:
        window = TimeWindow(day_problem.seconds(start), day_problem.seconds(end))
        found = insert_visit(problem, routes, replace(visit, time_windows=(window,)))
        if not found.feasible or found.late > 0:
            continue
        stop = next(s for s in found.route.stops if s.kind == "visit" and s.visit_id == job_number)
        if not window.contains(stop.start):
            continue
        offered.append(OfferedWindow(start=start, end=end, day=day_problem.day,
                                     technician_id=int(found.technician_id), eta=day_problem.at(stop.start)))
    return offered


def day_problem_for(session: Session, *, job: Job, day: date, tz: ZoneInfo, now: datetime,
                    provider: MatrixProvider, candidates: list[Technician]) -> DayProblem:
    """The day as live insertion sees it, with the job taken out of any route it holds (it is the one placed)."""
    routes = planned_jobs(session, technician_ids=[t.id for t in candidates], day=day)
    routes = {tid: [j for j in route if j.id != job.id] for tid, route in routes.items()}
    jobs = [job] + [planned for route in routes.values() for planned in route]
    return build_day_problem(day=day, tz=tz, now=now, provider=provider, technicians=candidates, routes=routes,
                             extra_jobs=[job], parts=parts_plan(session, jobs=jobs, technicians=candidates))


def window_slots(technicians: list[Technician], day: date, tz: ZoneInfo, *, now: datetime, minutes: int,
                 repair_by: datetime) -> list[tuple[datetime, datetime]]:
    """Windows of `minutes` back to back from the first technician's start to the last one's end that
    day, starting no earlier than now and no later than the repair deadline (UTC bounds)."""
    hours = [h for h in (working_day(t, day, tz) for t in technicians) if h is not None]
    if not hours:
        return []
    first, last = min(h.start for h in hours), max(h.end for h in hours)
    step = timedelta(minutes=minutes)
    slots, start = [], first
    while start + step <= last:
        if start >= now and start < repair_by:
            slots.append((start.astimezone(ZoneInfo("UTC")), (start + step).astimezone(ZoneInfo("UTC"))))
        start += step
    return slots


def choose_window(session: Session, *, job: Job, start: datetime, end: datetime, actor: Actor, now: datetime,
                  provider: MatrixProvider, tz: ZoneInfo | None = None,
                  window_minutes: int = DEFAULT_WINDOW_MINUTES) -> OfferedWindow:
    """Confirm the window [start, end) for the job's visit and place the job inside it with live insertion.
    Choosing another window reschedules (the customer is told the window changed). Refused, changing
    nothing, when the window is not offered now. Call with the job's row locked (get_job for_update)."""
    if not takes_window(job):
        raise WindowsClosed(_("Job %(number)s no longer takes an appointment window.", number=job.number))
    if start.tzinfo is None or end.tzinfo is None:
        raise WindowNotOffered(_("A window's times must say their time zone."))
    if end - start != timedelta(minutes=window_minutes) or start < now:
        raise WindowNotOffered(_("This window is not offered: choose one of the windows shown."))
    if (job.window_start, job.window_end) == (start, end):
        return _kept(job, start, end)
    day = start.astimezone(zone_of(job.asset.region, tz)).date()
    offered = offer_windows(session, job=job, now=now, provider=provider, tz=tz, window_minutes=window_minutes,
                            only_day=day)
    chosen = next((w for w in offered if (w.start, w.end) == (start, end)), None)
    if chosen is None:
        raise WindowNotOffered(_("This window is no longer available: choose another one."))
    before = job.window_start, job.window_end, job.window_confirmed_by, job.window_confirmed_by_user_id, \
        job.window_confirmed_at, job.updated_at
    changed = job.window_start is not None
    # Stored (and flushed: a search that lost a race re-reads every row) before the job is placed,
    # since the day problem reads it as the visit's hard time window.
    _store(job, start, end, actor=actor, now=now)
    session.flush()
    outcome = dispatch_job(session, job=job, now=now, tz=tz, provider=provider, actor=actor, on_day=day)
    if not outcome.planned:
        (job.window_start, job.window_end, job.window_confirmed_by, job.window_confirmed_by_user_id,
         job.window_confirmed_at, job.updated_at) = before
        session.flush()
        raise WindowNotOffered(_("This window is no longer available: choose another one."))
    zone = zone_of(job.asset.region, tz)
    facts = {"day": day.isoformat(), "start": f"{start.astimezone(zone):%H:%M}", "end": f"{end.astimezone(zone):%H:%M}"}
    code = "window_changed" if changed else "window_chosen"
    record_event(job, kind=EventKind.WINDOW_CONFIRMED, actor=actor, now=now, note=english(code, facts),
                 note_code=code, note_facts=facts,
                 data={"start": start.isoformat(), "end": end.isoformat(), "changed": changed,
                       "before": {"start": before[0].isoformat(), "end": before[1].isoformat()} if changed else None})
    if actor == CUSTOMER or actor.user is not None:
        record_response(job, kind=ResponseKind.WINDOW_CONFIRMED, actor=actor, now=now)
    publish(session, JobWindowConfirmed(job=job, start=start, end=end, changed=changed, actor=actor, now=now))
    session.flush()
    return OfferedWindow(start=start, end=end, day=day, technician_id=outcome.technician.id, eta=outcome.eta)


def _kept(job: Job, start: datetime, end: datetime) -> OfferedWindow:
    """Choosing the window already confirmed changes nothing (a double tap, a retried request)."""
    return OfferedWindow(start=start, end=end, day=job.plan_day or start.date(), technician_id=job.technician_id or 0,
                         eta=job.planned_start or start)


def _store(job: Job, start: datetime, end: datetime, *, actor: Actor, now: datetime) -> None:
    job.window_start, job.window_end = start, end
    job.window_confirmed_by = actor.label
    job.window_confirmed_by_user_id = actor.user.id if actor.user is not None else None
    job.window_confirmed_at = now
    job.updated_at = now


def cancel_visit(session: Session, *, job: Job, reason: str, actor: Actor, now: datetime) -> None:
    """The customer (or an agent for them) cancels the request before the technician sets off, saying why;
    the parts held for it go back through the status event."""
    if job.status not in CHOOSABLE_STATUSES:
        raise WindowsClosed(_("Job %(number)s can no longer be cancelled here: the technician is on the way or "
                              "the work is done.", number=job.number))
    reason = " ".join((reason or "").split())
    if not MIN_CANCEL_REASON <= len(reason) <= MAX_CANCEL_REASON or has_control_characters(reason):
        raise ReasonNeeded(_("Say why the job is cancelled (%(min)s to %(max)s characters).",
                             min=MIN_CANCEL_REASON, max=MAX_CANCEL_REASON))
    transition_job(session, job=job, to=JobStatus.CANCELLED, actor=actor, now=now, note=reason)
