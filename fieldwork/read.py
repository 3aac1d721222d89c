"""A technician's day as their phone shows it: jobs in route order with ETAs, what each needs, the van's stock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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
from inventory.models import JobPart, JobPartState, Part, StockLevel


@dataclass(frozen=True)
class JobCard:
    job: Job
    accepted: bool
    actions: list[str]
    parts: list[JobPart]
    navigation: NavigationLinks


# The agenda looks this many days ahead of today: far enough to prepare tomorrow's parts, near enough
# that the plan still means something.
AGENDA_DAYS_AHEAD = 6


class DayOutOfRange(ValueError):
    """A day the technician's agenda does not show."""


@dataclass(frozen=True)
class FittableParts:
    """What a technician can record as fitted: parts reserved for the job, then the van's parts on the
    appliance model's bill of materials, then the van's other parts."""
    reserved: list[JobPart]
    model: list[StockLevel]
    other: list[StockLevel]


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


def agenda_days(today: date) -> list[date]:
    return [today + timedelta(days=n) for n in range(AGENDA_DAYS_AHEAD + 1)]


def agenda_day(raw: str | None, *, today: date) -> date:
    """The day asked for (ISO date), today when none; DayOutOfRange for garbage or a day the agenda
    does not show."""
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        day = None
    if day is None or not today <= day <= today + timedelta(days=AGENDA_DAYS_AHEAD):
        raise DayOutOfRange(raw[:40])
    return day


def short_address(address: str) -> str:
    """Enough of an address to tell visits apart in a list: the district and street without the city,
    building and flat ("苏州市姑苏区人民路12号5幢301室" → "姑苏区人民路12号", "12 Renmin Road, Building 5,
    Suzhou" → "12 Renmin Road")."""
    text = address.strip()
    if "," in text:
        return text.split(",", 1)[0].strip()[:60]
    for mark in ("省", "市"):
        head, found, rest = text.partition(mark)
        if found and rest and len(head) <= 8:
            text = rest
    number_end = text.find("号")
    return (text[:number_end + 1] if number_end > 0 else text)[:60]


def fittable_parts(card: JobCard, van: list[StockLevel]) -> FittableParts:
    reserved = [line for line in card.parts if line.state == JobPartState.RESERVED]
    reserved_ids = {line.part_id for line in reserved}
    on_bill = {part.id for part in card.job.asset.product_model.parts}
    free = [level for level in van if level.part_id not in reserved_ids]
    return FittableParts(reserved=reserved, model=[level for level in free if level.part_id in on_bill],
                         other=[level for level in free if level.part_id not in on_bill])
