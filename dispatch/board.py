"""Dispatcher views of a region's day and the dispatcher's manual moves (lock, unlock, reassign)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.geo import MatrixProvider
from core.regions import Region
from dispatch.assignment import AssignmentOutcome, dispatch_job
from dispatch.audit import Actor
from dispatch.jobs import record_event
from dispatch.models import Asset, DispatchState, Escalation, EventKind, Job, Technician
from dispatch.planning import unplace_job
from dispatch.roster import WorkingDay, working_day
from dispatch.route_map import MapRoute, MapStop, RouteMap
from dispatch.routes import STARTED_STATUSES, jobs_waiting_for_dispatch, planned_jobs


class RegionNotFound(Exception):
    pass


class CannotMove(Exception):
    """The job cannot go where the dispatcher asked (skill, shift, started work, or no room)."""


class NotPlanned(Exception):
    pass


@dataclass
class TechnicianDay:
    technician: Technician
    hours: WorkingDay | None
    jobs: list[Job]


def region_by_code(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise RegionNotFound(f"No region {code!r}.")
    return region


def region_day(session: Session, *, region: Region, day: date, tz: ZoneInfo) -> tuple[list[TechnicianDay], list[Job]]:
    technicians = list(session.scalars(select(Technician).where(Technician.region_id == region.id)
                                       .order_by(Technician.id)))
    routes = planned_jobs(session, technician_ids=[t.id for t in technicians], day=day)
    days = [TechnicianDay(t, working_day(t, day, tz), routes[t.id]) for t in technicians]
    return days, jobs_waiting_for_dispatch(session, region_id=region.id)


def map_route(technician: Technician, jobs: list[Job], *, tz: ZoneInfo,
              start: tuple[float, float] | None = None) -> MapRoute:
    """A technician's jobs in route order, labelled with their ETAs, from `start` (default: home)."""
    return MapRoute(name=technician.user.display_name, start=start or (technician.home_lat, technician.home_lon),
                    stops=[MapStop(j.latitude, j.longitude, j.number,
                                   j.planned_start.astimezone(tz).strftime("%H:%M") if j.planned_start else "")
                           for j in jobs])


def route_map_of(days: list[TechnicianDay], waiting: list[Job], *, title: str, tz: ZoneInfo) -> RouteMap:
    return RouteMap(title=title, routes=[map_route(d.technician, d.jobs, tz=tz) for d in days if d.jobs],
                    unassigned=[MapStop(j.latitude, j.longitude, j.number) for j in waiting])


def set_lock(session: Session, *, job: Job, locked: bool, actor: Actor, now: datetime) -> Job:
    if locked and job.dispatch_state != DispatchState.PLANNED:
        raise NotPlanned(f"Job {job.number} is not in anyone's route, so there is nothing to lock.")
    if job.assignment_locked != locked:
        job.assignment_locked = locked
        job.updated_at = now
        record_event(job, kind=EventKind.LOCKED if locked else EventKind.UNLOCKED, actor=actor, now=now,
                     data={"technician_id": job.technician_id, "day": job.plan_day.isoformat() if job.plan_day else None})
        session.flush()
    return job


def move_job(session: Session, *, job: Job, technician: Technician, actor: Actor, now: datetime, tz: ZoneInfo,
             provider: MatrixProvider) -> AssignmentOutcome:
    """Put the job into `technician`'s day (the earliest feasible day and the cheapest place in it).
    Refused, changing nothing, when the technician lacks the skill, does not work in time, or has no room."""
    if job.status in STARTED_STATUSES:
        raise CannotMove(f"Job {job.number} is already under way ({job.status.value}); it cannot move.")
    if technician.skill_level(job.asset.product_model.repair_skill) is None:
        raise CannotMove(f"{technician.user.display_name} does not have the "
                         f"'{job.asset.product_model.repair_skill}' skill this job needs.")
    if job.technician_id is not None:
        unplace_job(session, job, actor=actor, now=now, note=f"moved by {actor.label}")
    outcome = dispatch_job(session, job=job, now=now, tz=tz, provider=provider, actor=actor,
                           only_technician=technician)
    if not outcome.planned:
        raise CannotMove(f"{technician.user.display_name} has no room for job {job.number} before its repair "
                         f"deadline: {outcome.reason}.")
    return outcome


def open_escalations(session: Session, *, region_id: int | None = None, limit: int = 200) -> list[Escalation]:
    """Unresolved escalations, newest first; with `region_id`, only those of the region's jobs."""
    query = select(Escalation).where(Escalation.resolved_at.is_(None))
    if region_id is not None:
        query = query.join(Job, Job.id == Escalation.job_id).join(Asset, Asset.id == Job.asset_id) \
            .where(Asset.region_id == region_id)
    return list(session.scalars(query.order_by(Escalation.raised_at.desc()).limit(limit)))
