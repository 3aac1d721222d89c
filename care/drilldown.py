"""The jobs behind a number of the service dashboard: for each number it shows, the same selection the
dashboard counted (care.dashboard's facts, answers and fault rows, care.kpis' job sets), narrowed to a
row's regions, technicians or model, so that the count on the dashboard and the rows listed agree."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from care.dashboard import FAULT_CATEGORIES, _facts, _low, _satisfied
from care.kpis import JOB_SETS
from care.models import AlertKind, SlaAlert, SlaClock, Survey
from core.i18n import current_locale, local_name
from core.i18n import gettext as _
from core.regions import Region
from core.users import User
from dispatch.catalog.models import Asset, Customer, ProductModel
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician
from inventory.models import MovementKind, Part, StockMovement

FACTS = {
    "jobs": lambda facts: true(),
    "response": lambda facts: facts.c.response_ok.is_not(None),
    "response_kept": lambda facts: facts.c.response_ok == 1,
    "response_missed": lambda facts: facts.c.response_ok == 0,
    "repair": lambda facts: facts.c.repair_ok.is_not(None),
    "repair_kept": lambda facts: facts.c.repair_ok == 1,
    "repair_missed": lambda facts: facts.c.repair_ok == 0,
}
ANSWERS = {"answered": lambda: true(), "satisfied": lambda: _satisfied() == 1, "low": lambda: _low() == 1}
FAULTS = ("faults", "fault_repeats")
WHATS = frozenset([*FACTS, *ANSWERS, *FAULTS, "breaches", *JOB_SETS])
MAX_LISTED = 500


class UnknownNumber(ValueError):
    """No dashboard number of that name."""


@dataclass(frozen=True)
class Group:
    """A table row's groups: region ids (None for jobs with no region), technician ids, model ids,
    part ids (the jobs that used one of the parts)."""
    regions: Sequence[int | None] | None = None
    technicians: Sequence[int] | None = None
    models: Sequence[int] | None = None
    parts: Sequence[int] | None = None

    @property
    def any(self) -> bool:
        return any(ids is not None for ids in (self.regions, self.technicians, self.models, self.parts))


@dataclass(frozen=True)
class JobLine:
    number: str
    customer: str
    status: JobStatus
    reported_at: datetime


def jobs_behind(session: Session, *, what: str, lo: datetime, hi: datetime, now: datetime, group: Group = Group(),
                clock: str | None = None, cause: str | None = None):
    """A select of `job_id`, one row per thing counted (a job; an answer; a breach alert)."""
    if what not in WHATS:
        raise UnknownNumber(what)
    if clock is not None and clock not in set(SlaClock):
        raise UnknownNumber(clock)
    in_period = and_(Job.reported_at >= lo, Job.reported_at < hi)
    if what in FACTS:
        facts = _facts(lo, hi, now=now)
        rows = select(facts.c.job_id.label("job_id")).where(FACTS[what](facts))
    elif what in ANSWERS:
        # The headline counts every answer of the period; a table row those to the period's own jobs.
        answered = and_(Survey.answered_at >= lo, Survey.answered_at < hi, ANSWERS[what](),
                        in_period if group.any else true())
        rows = select(Survey.job_id.label("job_id")).join(Job, Job.id == Survey.job_id).where(answered)
    elif what in FAULTS:
        faulty = and_(in_period, Job.category.in_(FAULT_CATEGORIES))
        if what == "fault_repeats":
            again = select(Job.asset_id).where(faulty).group_by(Job.asset_id).having(func.count() > 1)
            faulty = and_(faulty, Job.asset_id.in_(again))
        rows = select(Job.id.label("job_id")).where(faulty)
    elif what == "breaches":
        rows = select(SlaAlert.job_id.label("job_id")).where(
            SlaAlert.kind == AlertKind.BREACH, SlaAlert.at >= lo, SlaAlert.at < hi,
            SlaAlert.clock == clock if clock else true(), SlaAlert.cause == cause if cause else true())
    else:
        rows = select(Job.id.label("job_id")).where(JOB_SETS[what](session, lo, hi, now))
    if not group.any:
        return rows
    counted = rows.subquery("counted")
    narrowed = select(counted.c.job_id).join(Job, Job.id == counted.c.job_id).join(Asset, Asset.id == Job.asset_id)
    if group.regions is not None:
        ids = [i for i in group.regions if i is not None]
        narrowed = narrowed.where(or_(Asset.region_id.in_(ids),
                                      Asset.region_id.is_(None) if None in group.regions else false()))
    if group.technicians is not None:
        narrowed = narrowed.where(Job.technician_id.in_(list(group.technicians)))
    if group.models is not None:
        narrowed = narrowed.where(Asset.product_model_id.in_(list(group.models)))
    if group.parts is not None:
        narrowed = narrowed.where(Job.id.in_(select(StockMovement.job_id).where(
            StockMovement.kind == MovementKind.CONSUMPTION, StockMovement.part_id.in_(list(group.parts)))))
    return narrowed


def group_names(session: Session, group: Group) -> list[str]:
    """The names a reader sees for a row's groups, as the dashboard's tables name them."""
    names: list[str] = []
    if group.regions is not None:
        ids = [i for i in group.regions if i is not None]
        names += sorted(set(session.scalars(select(Region.name).where(Region.id.in_(ids)))))
        if None in group.regions:
            names.append(_("No region"))
    if group.technicians is not None:
        names += sorted(set(session.scalars(select(User.display_name).join(Technician, Technician.user_id == User.id)
                                            .where(Technician.id.in_(list(group.technicians))))))
    if group.models is not None:
        names += [f"{local_name(model)} ({model.code})" for model in session.scalars(
            select(ProductModel).where(ProductModel.id.in_(list(group.models))).order_by(ProductModel.code))]
    if group.parts is not None:
        chinese = current_locale() == "zh_CN"
        names += [f"{(part.name_zh if chinese else '') or part.name} ({part.sku})" for part in session.scalars(
            select(Part).where(Part.id.in_(list(group.parts))).order_by(Part.sku))]
    return names


def list_jobs(session: Session, rows, *, limit: int = MAX_LISTED) -> tuple[int, list[JobLine]]:
    """How many rows `rows` (from jobs_behind) counts, and the first `limit` of them, oldest report first."""
    counted = rows.subquery("counted")
    total = int(session.scalar(select(func.count()).select_from(counted)) or 0)
    lines = [JobLine(number=number, customer=customer, status=status, reported_at=reported_at)
             for number, customer, status, reported_at in session.execute(
                 select(Job.number, Customer.name, Job.status, Job.reported_at).select_from(counted)
                 .join(Job, Job.id == counted.c.job_id).join(Customer, Customer.id == Job.customer_id)
                 .order_by(Job.reported_at, Job.id).limit(limit))]
    return total, lines
