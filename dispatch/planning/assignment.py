"""Live dispatch: a new job goes into the best feasible place in a qualified technician's day.

Search order: today first, then each following day up to the job's repair deadline; the first day
with a feasible place wins (the customer is served soonest), and on that day the place that adds the
least travel. Started work never moves. The chosen technician's row is locked and their route checked
before it is written, so two jobs dispatched at once can never be planned into overlapping slots.
When nobody qualified can do the job before its deadline, the job is marked unassignable with the
reason and raised to the dispatchers.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import publish
from core.geo import MatrixProvider
from core.regions import zone_of
from dispatch.jobs.audit import SYSTEM, Actor
from dispatch.jobs.events import JobUnassignable
from dispatch.jobs.models import DispatchState, Escalation, EventKind, Job, Priority, needs_visit
from dispatch.jobs.reasons import english, reason
from dispatch.jobs.services import record_event
from dispatch.jobs.status import ROUTED_STATUSES
from dispatch.parts.pickups import parts_plan
from dispatch.planning.day_problem import build_day_problem
from dispatch.planning.read import planned_jobs, qualified_technicians, region_technicians
from dispatch.planning.services import RouteChange, place_jobs
from dispatch.routing.displacement import make_room
from dispatch.routing.insertion import FULL_REASON, Insertion, PlannedRoute, insert_visit
from dispatch.routing.model import Pickup, Visit
from dispatch.routing.result import NO_CAPACITY, NO_PART, NO_SKILL, UNREACHABLE, Route
from dispatch.technicians.models import Technician
from dispatch.technicians.roster import days_between

# How far ahead a job may be planned when its deadline allows (a week covers any normal promise).
MAX_DAYS_AHEAD = 7
# Unlocked searches before the one that locks every candidate technician.
SEARCH_ATTEMPTS = 3


@dataclass(frozen=True)
class AssignmentOutcome:
    planned: bool
    technician: Technician | None = None
    day: date | None = None
    eta: datetime | None = None
    reason: str = ""


def dispatch_job(session: Session, *, job: Job, now: datetime, tz: ZoneInfo | None = None, provider: MatrixProvider,
                 actor: Actor = SYSTEM, only_technician: Technician | None = None,
                 on_day: date | None = None, not_before: datetime | None = None) -> AssignmentOutcome:
    """Plan `job` into the best feasible slot (or, with `only_technician`, into that person's day; with
    `on_day`, on that day only, even when the job is planned already: its appointment window moved; with
    `not_before`, starting no earlier than that: a dispatcher's choice, not stored as a promise).
    Days, shifts and deadlines are read in the job's region's time zone (`tz` serves a job whose
    appliance has no region).

    The search (travel times included) runs without locking anyone: only the technician it chose is
    locked, and their route is checked to be the one the search read. When another dispatch changed
    it meanwhile the search runs again; the last attempt locks every candidate first, as a search
    that cannot lose the race."""
    if not needs_visit(job):
        job.dispatch_state = DispatchState.NOT_NEEDED
        session.flush()
        return AssignmentOutcome(False, reason="no visit is needed")
    if job.dispatch_state == DispatchState.PLANNED and only_technician is None and on_day is None:
        return AssignmentOutcome(True, job.technician, job.plan_day, job.planned_start)
    for attempt in range(SEARCH_ATTEMPTS):
        locked = attempt == SEARCH_ATTEMPTS - 1
        outcome = _search_and_place(session, job=job, now=now, tz=tz, provider=provider, actor=actor,
                                    only_technician=only_technician, lock_candidates=locked, on_day=on_day,
                                    not_before=not_before)
        if outcome is not None:
            return outcome
        # The chosen technician's route changed under the search: read everything afresh.
        session.expire_all()
    raise AssertionError("a search with every candidate locked always places or refuses")


def _search_and_place(session: Session, *, job: Job, now: datetime, tz: ZoneInfo | None, provider: MatrixProvider,
                      actor: Actor, only_technician: Technician | None,
                      lock_candidates: bool, on_day: date | None = None,
                      not_before: datetime | None = None) -> AssignmentOutcome | None:
    """The outcome, or None when the place found is no longer free (only without `lock_candidates`)."""
    tz = zone_of(job.asset.region, tz)
    today = now.astimezone(tz).date()
    model = job.asset.product_model
    skill, min_level = model.repair_skill, model.min_skill_level
    # Certified today at the model's level; a certification lapsing on a later day is dropped for
    # that day when its problem is built (dispatch.technicians.qualification).
    candidates = qualified_technicians(session, region_id=job.asset.region_id, skill=skill, min_level=min_level,
                                       on=today, lock=lock_candidates)
    needed = f"the '{skill}' skill" + (f" at level {min_level} or above" if min_level > 1 else "") + \
        " with a valid certification"
    if only_technician is not None:
        candidates = [t for t in candidates if t.id == only_technician.id]
        if not candidates:
            return AssignmentOutcome(False, reason=f"{only_technician.user.display_name} does not have "
                                                   f"{needed} in this region")
    if not candidates:
        code, facts = ("no_skill_level_in_region", {"skill": skill, "level": min_level}) if min_level > 1 \
            else ("no_skill_in_region", {"skill": skill})
        return _unassignable(session, job, now=now, actor=actor, code=code, facts=facts)

    last_day = min(job.repair_by.astimezone(tz).date(), today + timedelta(days=MAX_DAYS_AHEAD))
    reasons: list[dict] = []  # each day's cause, as a reason (dispatch.jobs.reasons)
    for day in [on_day] if on_day is not None else days_between(today, last_day):
        routes = planned_jobs(session, technician_ids=[t.id for t in candidates], day=day)
        routes = {tid: [j for j in route if j.id != job.id] for tid, route in routes.items()}
        jobs = [job] + [planned for route in routes.values() for planned in route]
        day_problem = build_day_problem(day=day, tz=tz, now=now, provider=provider, technicians=candidates,
                                        routes=routes, extra_jobs=[job],
                                        parts=parts_plan(session, jobs=jobs, technicians=candidates))
        if not day_problem.problem.technicians:
            reasons.append(reason("day_nobody_working", day=day.isoformat()))
            continue
        visit = day_problem.problem.visit_by_id[job.number]
        if not_before is not None:
            visit = replace(visit, earliest_start=max(visit.earliest_start or 0, day_problem.seconds(not_before)))
        current = planned_routes(day_problem)
        found = insert_visit(day_problem.problem, current, visit)
        new_visit = next((s for s in found.route.stops if s.kind == "visit" and s.visit_id == job.number), None) \
            if found.feasible else None
        if new_visit is None or new_visit.late > 0:
            made = _make_room(session, job=job, day=day, tz=tz, now=now, provider=provider,
                              lock=lock_candidates) if job.priority == Priority.URGENT and only_technician is None \
                else None
            if made is None:
                reasons.append(_day_cause(day, found, visit) if new_visit is None
                               else reason("day_late", day=day.isoformat()))
                continue
            wide, read, room = made
            return _place_routes(session, wide, read, room.routes, job=job, day=day, actor=actor, now=now,
                                 check=not lock_candidates)
        return _place_routes(session, day_problem, routes, {found.technician_id: found.route}, job=job, day=day,
                             actor=actor, now=now, check=not lock_candidates)
    if only_technician is not None or on_day is not None:
        return AssignmentOutcome(False, reason="; ".join(english(r["code"], r) for r in reasons)
                                 or "no feasible place")
    return _unassignable(session, job, now=now, actor=actor, code="no_place_before_deadline", facts={"days": reasons})


def _make_room(session: Session, *, job: Job, day: date, tz: ZoneInfo, now: datetime, provider: MatrixProvider,
               lock: bool):
    """Urgent work with no on-time place: the day of every technician of the region (a visit moved to make
    room may go to anyone able to do it, qualified for the urgent job or not), and the cheapest room made
    by moving one not-yet-started visit of lower priority within its windows; None when there is none."""
    everyone = region_technicians(session, region_id=job.asset.region_id, lock=lock)
    routes = planned_jobs(session, technician_ids=[t.id for t in everyone], day=day)
    routes = {tid: [j for j in route if j.id != job.id] for tid, route in routes.items()}
    jobs = [job] + [planned for route in routes.values() for planned in route]
    wide = build_day_problem(day=day, tz=tz, now=now, provider=provider, technicians=everyone, routes=routes,
                             extra_jobs=[job], parts=parts_plan(session, jobs=jobs, technicians=everyone))
    room = make_room(wide.problem, planned_routes(wide), wide.problem.visit_by_id[job.number])
    return None if room is None else (wide, routes, room)


def _place_routes(session: Session, day_problem, read: dict[int, list[Job]], changed: dict[str, Route], *, job: Job,
                  day: date, actor: Actor, now: datetime, check: bool) -> AssignmentOutcome | None:
    """Write each changed technician's route (the new job's, and another's when room was made), after
    locking them in id order and, when `check`, finding their routes as the search read them; None
    when one changed meanwhile."""
    technicians = sorted((day_problem.technicians[tid] for tid in changed), key=lambda t: t.id)
    if check and not all(_route_still_as_read(session, t, day, job, read.get(t.id, [])) for t in technicians):
        return None
    changes = [RouteChange(day_problem.jobs[stop.visit_id], technician, position, day_problem.at(stop.start),
                           day_problem.at(stop.departure), needs_parts=day_problem.needs_parts(stop.visit_id))
               for technician in technicians
               for position, stop in enumerate(s for s in changed[str(technician.id)].stops if s.kind == "visit")]
    place_jobs(session, changes, day=day, actor=actor, now=now,
               notes=lambda placed: _placement_note(placed.number == job.number, job))
    session.flush()
    arrival = next(change for change in changes if change.job.number == job.number)
    return AssignmentOutcome(True, arrival.technician, day, arrival.start)


def _route_signature(jobs) -> list[tuple]:
    return [(j.id, j.status, j.planned_start, j.planned_end, j.route_position) for j in jobs]


def _route_still_as_read(session: Session, technician: Technician, day: date, job: Job, read: list[Job]) -> bool:
    """Lock `technician` and check their route on `day` is the one the search placed `job` into. The
    check reads columns, not ORM objects, so it sees what other transactions committed. When the
    route changed, the lock is let go (with its savepoint), so the next search again holds none."""
    savepoint = session.begin_nested()
    session.execute(select(Technician.id).where(Technician.id == technician.id).with_for_update())
    now_planned = session.execute(
        select(Job.id, Job.status, Job.planned_start, Job.planned_end, Job.route_position)
        .where(Job.technician_id == technician.id, Job.plan_day == day, Job.status.in_(ROUTED_STATUSES),
               Job.id != job.id)
        .order_by(Job.route_position, Job.id)).all()
    if [tuple(row) for row in now_planned] == _route_signature(read):
        savepoint.commit()
        return True
    savepoint.rollback()
    return False


def _placement_note(is_new: bool, job: Job) -> dict:
    """The event note of a job placed by live insertion: the new job itself, or one moved to make room."""
    if is_new:
        return {"note": "live insertion", "note_code": "live_insertion", "note_facts": {}}
    return {"note": f"made room for {job.number}", "note_code": "made_room_for", "note_facts": {"job": job.number}}


def _day_cause(day: date, found: Insertion, visit: Visit) -> dict:
    """Why `visit` found no place on `day`, as a reason with its facts."""
    at = day.isoformat()
    if found.code == NO_SKILL:
        return reason("day_no_skill_level", day=at, skill=visit.required_skill, level=visit.min_skill_level) \
            if visit.min_skill_level > 1 else reason("day_no_skill", day=at, skill=visit.required_skill)
    if found.code == NO_PART:
        return reason("day_no_part", day=at, parts=", ".join(visit.needs_parts))
    if found.code == UNREACHABLE:
        return reason("day_unreachable", day=at)
    if found.code == NO_CAPACITY and found.reason == FULL_REASON:
        return reason("day_full", day=at)
    return reason("day_no_room", day=at)


def planned_routes(day_problem) -> list[PlannedRoute]:
    """Each technician's current order with the pickups it already makes (parts collected right before
    the visit that needs them); visits pinned in sequence (work under way) are locked."""
    problem = day_problem.problem
    visits, techs = problem.visit_by_id, problem.technician_by_id
    routes = []
    for tech_id, visit_ids in day_problem.routes.items():
        ids = [v for v in visit_ids if v in visits]
        locked = next((k for k, v in enumerate(ids) if visits[v].pinned_sequence is None), len(ids))
        stops: list[str | Pickup] = []
        for k, visit_id in enumerate(ids):
            visit = visits[visit_id]
            depots = problem.depots_for(visit)
            if k >= locked and tech_id in techs and not techs[tech_id].holds_parts(visit) and depots:
                stops.append(Pickup(depots[0].id, visit_id))
            stops.append(visit_id)
        routes.append(PlannedRoute(tech_id, stops, locked=locked))
    return routes


def _unassignable(session: Session, job: Job, *, now: datetime, actor: Actor, code: str,
                  facts: dict) -> AssignmentOutcome:
    text = english(code, facts)
    already = job.dispatch_state == DispatchState.UNASSIGNABLE and job.dispatch_note == text
    job.dispatch_state, job.dispatch_note = DispatchState.UNASSIGNABLE, text
    job.dispatch_note_code, job.dispatch_note_facts = code, facts
    if not already:
        session.add(Escalation(job=job, kind="unassignable", reason=text, reason_code=code, reason_facts=facts,
                               raised_at=now))
        record_event(job, kind=EventKind.ESCALATED, actor=actor, now=now, note=text, note_code=code, note_facts=facts)
        publish(session, JobUnassignable(job=job, actor=actor, now=now))
    session.flush()
    return AssignmentOutcome(False, reason=text)
