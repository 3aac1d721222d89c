"""Reading the live plan from the database: which jobs sit in which technician's day, in order, who is
qualified, what still waits for dispatch, and a region's day as the dispatcher sees it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.regions import Region, zone_of
from dispatch.jobs.errors import JobNotFound
from dispatch.jobs.models import DispatchState, Job
from dispatch.jobs.status import ROUTED_STATUSES, JobStatus
from dispatch.technicians.models import Technician, TechnicianSkill
from dispatch.technicians.roster import WorkingDay, working_day

PRIORITY_WEIGHT = {"urgent": 100, "high": 70, "normal": 40, "low": 10}


def planned_jobs(session: Session, *, technician_ids: list[int], day: date) -> dict[int, list[Job]]:
    """Each technician's routed jobs on `day`, in route order, with the appliance and model the day
    problem reads (in the same query, not one per job)."""
    routes: dict[int, list[Job]] = {tid: [] for tid in technician_ids}
    if not technician_ids:
        return routes
    for job in session.scalars(_planned_jobs_query(), {"technician_ids": list(technician_ids), "day": day}):
        routes[job.technician_id].append(job)
    return routes


# The statements of every dispatch are built once (on first use: the catalogue's models import this
# package), so SQLAlchemy finds their compiled form without deriving a cache key from a new statement.

@cache
def _planned_jobs_query():
    from dispatch.catalog.models import Asset

    return (select(Job).where(Job.technician_id.in_(bindparam("technician_ids", expanding=True)),
                              Job.plan_day == bindparam("day"), Job.status.in_(ROUTED_STATUSES))
            .options(joinedload(Job.asset, innerjoin=True).joinedload(Asset.product_model, innerjoin=True))
            .order_by(Job.technician_id, Job.route_position, Job.id))


def job_to_dispatch(session: Session, number: str) -> Job:
    """The job by number, locked (concurrent changes to one job take turns), with what dispatching it
    reads in the same query: its appliance's model and region, and the customer told of the plan."""
    job = session.scalar(_job_to_dispatch_query(), {"number": number})
    if job is None:
        raise JobNotFound(number)
    return job


@cache
def _job_to_dispatch_query():
    from dispatch.catalog.models import Asset

    appliance = joinedload(Job.asset, innerjoin=True)
    return select(Job).where(Job.number == bindparam("number")).with_for_update(of=Job).options(
        appliance.joinedload(Asset.product_model, innerjoin=True), appliance.joinedload(Asset.region),
        joinedload(Job.customer, innerjoin=True))


def qualified_technicians(session: Session, *, region_id: int | None, skill: str, min_level: int = 1,
                          on: date | None = None, lock: bool = False) -> list[Technician]:
    """Technicians of the region with the skill at `min_level` or above, certified on `on` (any
    certification when None), in id order. With `lock`, their rows are locked (FOR UPDATE) so that
    concurrent assignments touching the same people take turns. A certification that lapses on a
    later day is checked again for that day (dispatch.technicians.qualification)."""
    query = _qualified_query(certified_on=on is not None, in_region=region_id is not None, lock=lock)
    return list(session.scalars(query, {"skill": skill, "min_level": min_level, "on": on,
                                        "region_id": region_id}).unique())


@cache
def _qualified_query(*, certified_on: bool, in_region: bool, lock: bool):
    query = (select(Technician).join(TechnicianSkill, TechnicianSkill.technician_id == Technician.id)
             .where(TechnicianSkill.skill == bindparam("skill"), TechnicianSkill.level >= bindparam("min_level"))
             .order_by(Technician.id).options(*_WHAT_A_DAY_PROBLEM_READS))
    if certified_on:
        query = query.where(or_(TechnicianSkill.certified_until.is_(None),
                                TechnicianSkill.certified_until >= bindparam("on")))
    if in_region:
        query = query.where(Technician.region_id == bindparam("region_id"))
    return query.with_for_update(of=Technician) if lock else query


# Every day problem reads each candidate's calendar and skills: three queries, not three per person;
# the name of the one a job goes to comes with the rows.
_WHAT_A_DAY_PROBLEM_READS = (selectinload(Technician.shifts), selectinload(Technician.days_off),
                             selectinload(Technician.skills), joinedload(Technician.user, innerjoin=True))


def region_technicians(session: Session, *, region_id: int, lock: bool = False) -> list[Technician]:
    """Every technician of the region, in id order, with their calendars and skills loaded (locked with
    `lock`): the people among whom work already planned may move."""
    query = (select(Technician).where(Technician.region_id == region_id).order_by(Technician.id)
             .options(*_WHAT_A_DAY_PROBLEM_READS))
    if lock:
        query = query.with_for_update(of=Technician)
    return list(session.scalars(query).unique())


def jobs_waiting_for_dispatch(session: Session, *, region_id: int) -> list[Job]:
    from dispatch.catalog.models import Asset

    return list(session.scalars(
        select(Job).join(Asset, Job.asset_id == Asset.id)
        .where(Asset.region_id == region_id, Job.dispatch_state.in_([DispatchState.PENDING, DispatchState.UNASSIGNABLE]),
               Job.status.in_([JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.WAITING_PARTS]))
        .options(selectinload(Job.asset).selectinload(Asset.product_model))
        .order_by(Job.repair_by)))


@dataclass
class TechnicianDay:
    technician: Technician
    hours: WorkingDay | None
    jobs: list[Job]


def region_day(session: Session, *, region: Region, day: date,
               tz: ZoneInfo | None = None) -> tuple[list[TechnicianDay], list[Job]]:
    """The region's technicians' hours and routes on `day`, in the region's own time zone; the
    technicians' names, calendars and skills come with them (a board of twenty people is not twenty
    queries more than a board of two)."""
    tz = zone_of(region, tz)
    technicians = list(session.scalars(select(Technician).where(Technician.region_id == region.id)
                                       .order_by(Technician.id)
                                       .options(selectinload(Technician.user), selectinload(Technician.shifts),
                                                selectinload(Technician.days_off), selectinload(Technician.skills))))
    routes = planned_jobs(session, technician_ids=[t.id for t in technicians], day=day)
    days = [TechnicianDay(t, working_day(t, day, tz), routes[t.id]) for t in technicians]
    return days, jobs_waiting_for_dispatch(session, region_id=region.id)
