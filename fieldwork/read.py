"""A technician's day as their phone shows it: jobs in route order with ETAs, what each needs, the van's stock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from core.users import User
from dispatch.jobs.models import Job
from dispatch.parts.services import parts_for_job, parts_for_jobs
from dispatch.planning.read import planned_jobs
from dispatch.technicians.models import Technician
from dispatch.technicians.roster import WorkingDay, working_day
from fieldwork.navigation import NavigationLinks, navigation_links
from fieldwork.updates import accepted_job_ids, allowed_actions
from inventory.models import JobPart, Part, StockLevel


@dataclass(frozen=True)
class JobCard:
    job: Job
    accepted: bool
    actions: list[str]
    parts: list[JobPart]
    navigation: NavigationLinks


@dataclass(frozen=True)
class FieldDay:
    technician: Technician
    day: date
    hours: WorkingDay | None
    cards: list[JobCard]


def technician_of(session: Session, user: User) -> Technician | None:
    return session.scalar(select(Technician).where(Technician.user_id == user.id))


def job_card(session: Session, technician: Technician, job: Job, *, accepted: bool | None = None,
             parts: list[JobPart] | None = None) -> JobCard:
    if accepted is None:
        accepted = job.id in accepted_job_ids(session, technician, [job.id])
    return JobCard(job=job, accepted=accepted, actions=allowed_actions(job, accepted=accepted),
                   parts=parts_for_job(session, job) if parts is None else parts,
                   navigation=navigation_links(job.latitude, job.longitude, job.address))


def field_day(session: Session, technician: Technician, *, day: date, tz: ZoneInfo) -> FieldDay:
    jobs = planned_jobs(session, technician_ids=[technician.id], day=day)[technician.id]
    ids = [job.id for job in jobs]
    accepted, parts = accepted_job_ids(session, technician, ids), parts_for_jobs(session, ids)
    cards = [job_card(session, technician, job, accepted=job.id in accepted, parts=parts.get(job.id, []))
             for job in jobs]
    return FieldDay(technician=technician, day=day, hours=working_day(technician, day, tz), cards=cards)


def van_stock(session: Session, technician: Technician) -> list[StockLevel]:
    """What the technician's van holds that is free to fit (on hand and not promised to another job)."""
    if technician.van_warehouse_id is None:
        return []
    return list(session.scalars(select(StockLevel).join(Part, Part.id == StockLevel.part_id)
                                .where(StockLevel.warehouse_id == technician.van_warehouse_id,
                                       StockLevel.on_hand > StockLevel.reserved)
                                .order_by(Part.sku).options(contains_eager(StockLevel.part))))
