"""Faults measured against what is out there: a model sold by the hundred thousand has more faults than
one sold by the hundred, so the dashboard's fault counts are also read per thousand appliances
installed (the installed base), per model and per part (the models whose bill of materials holds it).

The installed base of a period is every registered appliance installed (or, where that is not known,
bought) before the period ends; an appliance with neither date was registered, so it counts. A rate
over a base too small to mean anything is shown but not ranked above the rates that do mean something.
Nothing here writes; a fixed number of grouped selects whatever the number of jobs and appliances.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from core.i18n import current_locale, local_name
from dispatch.catalog.models import Asset, ProductModel, model_parts
from dispatch.jobs.models import Job, JobCategory
from inventory.models import MovementKind, Part, StockMovement

FAULT_CATEGORIES = (JobCategory.QUALITY_DEFECT, JobCategory.INSTALLATION)
MIN_BASE_TO_RANK = 20
PER = 1000
SHOWN = 10


@dataclass(frozen=True)
class FaultRate:
    """Fault jobs of the period on `installed` appliances, per thousand installed."""
    id: int
    name: str
    code: str
    installed: int
    jobs: int

    @property
    def per_thousand(self) -> float | None:
        return PER * self.jobs / self.installed if self.installed else None

    @property
    def ranked(self) -> bool:
        return self.installed >= MIN_BASE_TO_RANK


@dataclass(frozen=True)
class FaultRates:
    models: list[FaultRate]
    parts: list[FaultRate]


def _installed_by(period_end: date):
    """Appliances in the installed base at the end of the period."""
    known = func.coalesce(Asset.installed_on, Asset.purchase_date)
    return or_(known.is_(None), known <= period_end)


def _ranked(rates: list[FaultRate]) -> list[FaultRate]:
    return sorted(rates, key=lambda r: (not r.ranked, -(r.per_thousand or 0), -r.jobs, r.code))[:SHOWN]


def fault_rates(session: Session, *, lo: datetime, hi: datetime, end: date) -> FaultRates:
    """Models and parts with fault jobs reported in [lo, hi), by faults per thousand installed."""
    faulty = and_(Job.reported_at >= lo, Job.reported_at < hi, Job.category.in_(FAULT_CATEGORIES))
    return FaultRates(models=_model_rates(session, faulty, end), parts=_part_rates(session, faulty, end))


def _model_rates(session: Session, faulty, end: date) -> list[FaultRate]:
    jobs = (select(Asset.product_model_id.label("model_id"), func.count().label("jobs"))
            .select_from(Job).join(Asset, Asset.id == Job.asset_id).where(faulty)
            .group_by(Asset.product_model_id).subquery("jobs"))
    installed = (select(Asset.product_model_id.label("model_id"), func.count().label("installed"))
                 .where(_installed_by(end)).group_by(Asset.product_model_id).subquery("installed"))
    rows = session.execute(
        select(ProductModel.id, ProductModel.code, ProductModel.name, ProductModel.name_zh,
               func.coalesce(installed.c.installed, 0), jobs.c.jobs)
        .join(jobs, jobs.c.model_id == ProductModel.id)
        .outerjoin(installed, installed.c.model_id == ProductModel.id))
    return _ranked([FaultRate(id=model_id, name=local_name(SimpleNamespace(name=name, name_zh=name_zh)), code=code,
                              installed=int(base), jobs=int(n))
                    for model_id, code, name, name_zh, base, n in rows])


def _part_rates(session: Session, faulty, end: date) -> list[FaultRate]:
    """A part's faults are the fault jobs that used it; its base, the installed appliances of the models
    whose bill of materials holds it (each appliance once, whatever the part's count in it)."""
    jobs = (select(StockMovement.part_id.label("part_id"), func.count(distinct(Job.id)).label("jobs"))
            .select_from(StockMovement).join(Job, Job.id == StockMovement.job_id)
            .where(StockMovement.kind == MovementKind.CONSUMPTION, faulty)
            .group_by(StockMovement.part_id).subquery("jobs"))
    installed = (select(model_parts.c.part_id.label("part_id"), func.count(distinct(Asset.id)).label("installed"))
                 .select_from(model_parts).join(Asset, Asset.product_model_id == model_parts.c.product_model_id)
                 .where(_installed_by(end)).group_by(model_parts.c.part_id).subquery("installed"))
    chinese = current_locale() == "zh_CN"
    rows = session.execute(
        select(Part.id, Part.sku, Part.name, Part.name_zh, func.coalesce(installed.c.installed, 0), jobs.c.jobs)
        .join(jobs, jobs.c.part_id == Part.id)
        .outerjoin(installed, installed.c.part_id == Part.id))
    return _ranked([FaultRate(id=part_id, name=(name_zh if chinese else "") or name, code=sku,
                              installed=int(base), jobs=int(n))
                    for part_id, sku, name, name_zh, base, n in rows])

