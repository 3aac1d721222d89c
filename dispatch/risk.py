"""Jobs whose promises are in danger: the response or repair deadline is near or past, or the plan
finishes the visit after the repair deadline. What the dispatcher looks at first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.regions import Region
from dispatch.models import JOB_IS_OPEN, Asset, Job

# How early a deadline counts as near: a response is a phone call away, a repair needs a visit.
RESPONSE_MARGIN = timedelta(minutes=30)
REPAIR_MARGIN = timedelta(hours=4)


@dataclass(frozen=True)
class JobAtRisk:
    job: Job
    deadline: datetime
    reason: str


def jobs_at_risk(session: Session, *, region: Region, now: datetime, limit: int = 200) -> list[JobAtRisk]:
    respond_soon = and_(Job.responded_at.is_(None), Job.respond_by <= now + RESPONSE_MARGIN)
    repair_soon = Job.repair_by <= now + REPAIR_MARGIN
    planned_late = and_(Job.planned_end.is_not(None), Job.planned_end > Job.repair_by)
    rows = session.scalars(
        select(Job).join(Asset, Job.asset_id == Asset.id)
        .where(Asset.region_id == region.id, JOB_IS_OPEN,
               or_(respond_soon, repair_soon, planned_late))
        .order_by(Job.repair_by).limit(limit))
    return sorted((_assess(job, now) for job in rows), key=lambda risk: risk.deadline)


def _assess(job: Job, now: datetime) -> JobAtRisk:
    if job.responded_at is None and job.respond_by <= now + RESPONSE_MARGIN:
        verb = "response overdue since" if job.respond_by <= now else "respond by"
        return JobAtRisk(job, job.respond_by, verb)
    if job.repair_by <= now + REPAIR_MARGIN:
        return JobAtRisk(job, job.repair_by, "repair overdue since" if job.repair_by <= now else "repair by")
    return JobAtRisk(job, job.repair_by, "planned to finish after the repair deadline")
