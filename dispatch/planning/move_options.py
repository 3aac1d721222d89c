"""The dispatcher's what-if before a move: for one job and one day, every technician who could take it,
ranked by the travel the job adds and how late it would be, with what the move does to the rest of
each one's day (visits that move, promised windows that would break).

The answers come from the code dispatch itself uses (the day problem of `build_day_problem`, the live
`insert_visit`), asked once per candidate with the job pinned to them; nothing is written or locked.
A place that breaks no window, starts on time and is found by the same insertion is what `move_job`
will then make on that day; anything else is shown with its reason and cannot be confirmed.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.geo import MatrixProvider
from core.regions import zone_of
from core.users import User
from dispatch.jobs.models import Job
from dispatch.jobs.status import ROUTED_STATUSES, STARTED_STATUSES
from dispatch.planning.assignment import MAX_DAYS_AHEAD, planned_routes
from dispatch.planning.day_problem import DayProblem
from dispatch.planning.read import region_technicians
from dispatch.planning.windows import day_problem_for
from dispatch.routing.insertion import FULL_REASON, insert_visit
from dispatch.routing.model import RoutingProblem, Visit
from dispatch.routing.result import NO_CAPACITY, NO_PART, UNREACHABLE, Route
from dispatch.technicians.models import Technician
from dispatch.technicians.qualification import qualifies
from dispatch.technicians.roster import working_day

# Why a candidate cannot take the job (the page words each one).
NOT_QUALIFIED, NOT_WORKING, SHIFT_OVER = "not_qualified", "not_working", "shift_over"
BREAKS_WINDOWS, LATE, NO_ROOM, FULL, NO_PARTS, OUT_OF_REACH = \
    "breaks_windows", "late", "no_room", "full", "no_parts", "out_of_reach"
# An ETA that moves by less than this is the same ETA to a customer.
SAME_ETA = timedelta(minutes=1)


@dataclass(frozen=True)
class VisitChange:
    """Another visit of the candidate's day whose ETA the move changes."""
    job: Job
    old_eta: datetime | None
    new_eta: datetime
    late: bool  # it would start after its repair deadline
    breaks_window: bool  # it would start outside its promised window


@dataclass(frozen=True)
class MoveOption:
    technician: Technician
    current: bool  # the job is in this technician's route now
    fingerprint: str  # of their route as read: a confirmation onto a changed day is refused
    added_travel_s: int | None = None
    eta: datetime | None = None
    late_s: int = 0  # seconds the job would start after its repair deadline allows
    changes: tuple[VisitChange, ...] = ()
    broken_windows: tuple[Job, ...] = ()  # promises this move would break (the job's own included)
    problem: str | None = None  # why it cannot be confirmed (one of the codes above), None when it can

    @property
    def movable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Excluded:
    technician: Technician
    why: str  # NOT_QUALIFIED, NOT_WORKING or SHIFT_OVER


@dataclass(frozen=True)
class MoveChoices:
    job: Job
    day: date
    first_day: date
    last_day: date
    not_before: datetime | None
    options: list[MoveOption]  # best first
    excluded: list[Excluded]


class MoveNotPossible(Exception):
    """The job cannot be moved at all (under way, or its appliance is in no region)."""


def move_days(job: Job, *, now: datetime, tz: ZoneInfo | None = None) -> tuple[date, date]:
    """The days a dispatcher may move the job to: from today to the last day live dispatch would search
    (its repair deadline, at most MAX_DAYS_AHEAD away), in the region's time zone. An overdue job still
    has today."""
    tz = zone_of(job.asset.region, tz)
    today = now.astimezone(tz).date()
    last = min(job.repair_by.astimezone(tz).date(), today + timedelta(days=MAX_DAYS_AHEAD))
    return today, max(today, last)


def route_fingerprints(session: Session, *, technician_ids: list[int], day: date) -> dict[int, str]:
    """A short digest of each technician's routed jobs on `day` as committed (columns, not ORM objects)."""
    rows = session.execute(
        select(Job.technician_id, Job.id, Job.status, Job.planned_start, Job.route_position)
        .where(Job.technician_id.in_(technician_ids), Job.plan_day == day, Job.status.in_(ROUTED_STATUSES))
        .order_by(Job.technician_id, Job.route_position, Job.id)).all() if technician_ids else []
    parts: dict[int, list[str]] = {tid: [] for tid in technician_ids}
    for tid, job_id, status, start, position in rows:
        parts[tid].append(f"{job_id}:{status}:{start.isoformat() if start else ''}:{position}")
    return {tid: hashlib.sha256("|".join(p).encode()).hexdigest()[:16] for tid, p in parts.items()}


def move_options(session: Session, *, job: Job, day: date, now: datetime, provider: MatrixProvider,
                 tz: ZoneInfo | None = None, not_before: datetime | None = None) -> MoveChoices:
    """Who could take `job` on `day` (starting no earlier than `not_before` when given) and at what cost;
    the region's other technicians are listed as excluded with the reason."""
    if job.status in STARTED_STATUSES:
        raise MoveNotPossible(f"Job {job.number} is already under way ({job.status.value}); it cannot move.")
    if job.asset.region_id is None:
        raise MoveNotPossible(f"Job {job.number}'s appliance is in no service region.")
    tz = zone_of(job.asset.region, tz)
    first, last = move_days(job, now=now, tz=tz)
    model = job.asset.product_model
    everyone = region_technicians(session, region_id=job.asset.region_id)
    # Names for the page in one query, not one per technician (held here: the session keeps rows only
    # while someone refers to them).
    names = {user.id: user for user in session.scalars(select(User).where(User.id.in_([t.user_id for t in everyone])))}
    for technician in everyone:
        set_committed_value(technician, "user", names[technician.user_id])
    excluded, candidates = [], []
    for technician in everyone:
        if not qualifies(technician, skill=model.repair_skill, min_level=model.min_skill_level, day=day):
            excluded.append(Excluded(technician, NOT_QUALIFIED))
        elif working_day(technician, day, tz) is None:
            excluded.append(Excluded(technician, NOT_WORKING))
        else:
            candidates.append(technician)
    options: list[MoveOption] = []
    if candidates:
        day_problem = day_problem_for(session, job=job, day=day, tz=tz, now=now, provider=provider,
                                      candidates=candidates)
        excluded += [Excluded(_by_id(candidates, tid), SHIFT_OVER)
                     for tid in day_problem.skipped]
        fingerprints = route_fingerprints(session, technician_ids=[t.id for t in candidates], day=day)
        visit = day_problem.problem.visit_by_id[job.number]
        if not_before is not None:
            visit = replace(visit, earliest_start=max(visit.earliest_start or 0, day_problem.seconds(not_before)))
        for routing_tech in day_problem.problem.technicians:
            technician = day_problem.technicians[routing_tech.id]
            options.append(_option(day_problem, job, visit, technician, fingerprints[technician.id]))
    options.sort(key=lambda o: (not o.movable, o.added_travel_s is None, o.added_travel_s or 0, o.late_s,
                                o.technician.id))
    return MoveChoices(job=job, day=day, first_day=first, last_day=last, not_before=not_before,
                       options=options, excluded=excluded)


def _by_id(technicians: list[Technician], tid: str) -> Technician:
    return next(t for t in technicians if str(t.id) == tid)


def _option(day_problem: DayProblem, job: Job, visit: Visit, technician: Technician, fingerprint: str) -> MoveOption:
    tid = str(technician.id)
    current = job.technician_id == technician.id and job.plan_day == day_problem.day
    pinned = replace(visit, pinned_technician=tid)
    routes = planned_routes(day_problem)
    found = insert_visit(day_problem.problem, routes, pinned)
    if found.feasible:
        return _placed(day_problem, job, technician, fingerprint, current, found.route, found.added_travel)
    # The hard windows left no place: the same insertion without them tells which promises stand in the way.
    relaxed = _without_windows(day_problem.problem)
    loose = insert_visit(relaxed, routes, replace(pinned, time_windows=()))
    if loose.feasible:
        shown = _placed(day_problem, job, technician, fingerprint, current, loose.route, loose.added_travel)
        if shown.broken_windows:
            return shown
    return MoveOption(technician, current, fingerprint, problem=_problem_of(found))


def _placed(day_problem: DayProblem, job: Job, technician: Technician, fingerprint: str, current: bool,
            route: Route, added_travel: int | None) -> MoveOption:
    visits = day_problem.problem.visit_by_id
    eta, late_s, changes, broken = None, 0, [], []
    for stop in route.stops:
        if stop.kind != "visit":
            continue
        other = day_problem.jobs[stop.visit_id]
        new_eta = day_problem.at(stop.start)
        outside = bool(visits[stop.visit_id].time_windows) and \
            not any(w.contains(stop.start) for w in visits[stop.visit_id].time_windows)
        if outside:
            broken.append(other)
        if other.id == job.id:
            eta, late_s = new_eta, stop.late
            continue
        if other.planned_start is None or abs(new_eta - other.planned_start) >= SAME_ETA:
            changes.append(VisitChange(other, other.planned_start, new_eta, stop.late > 0, outside))
    problem = BREAKS_WINDOWS if broken else LATE if late_s > 0 else None
    return MoveOption(technician, current, fingerprint, added_travel, eta, late_s, tuple(changes), tuple(broken),
                      problem)


def _without_windows(problem: RoutingProblem) -> RoutingProblem:
    return RoutingProblem(problem.technicians, tuple(replace(v, time_windows=()) for v in problem.visits),
                          problem.durations, problem.distances, problem.depots)


def _problem_of(found) -> str:
    if found.code == NO_PART:
        return NO_PARTS
    if found.code == UNREACHABLE:
        return OUT_OF_REACH
    if found.code == NO_CAPACITY and found.reason == FULL_REASON:
        return FULL
    return NO_ROOM
