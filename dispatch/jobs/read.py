"""Reading jobs: searching them, the latest escalations, and the jobs whose promises are in danger (the
response or repair deadline is near or past, or the plan finishes the visit after the repair
deadline): what the dispatcher looks at first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from core.regions import Region
from dispatch.catalog.models import Asset, Customer
from dispatch.jobs.models import JOB_IS_OPEN, Channel, Escalation, EscalationState, Job, JobCategory, SlaPause
from dispatch.jobs.search import SearchQuery, job_matches, open_first
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician

# How early a deadline counts as near: a response is a phone call away, a repair needs a visit.
RESPONSE_MARGIN = timedelta(minutes=30)
REPAIR_MARGIN = timedelta(hours=4)


@dataclass(frozen=True)
class JobAtRisk:
    job: Job
    deadline: datetime
    reason: str


def _held_before(deadline):
    """The job waits for the customer, and began waiting before `deadline`: that clock stands still,
    and its stored deadline moves when the wait ends (dispatch.jobs.clocks)."""
    return exists().where(SlaPause.job_id == Job.id, SlaPause.ended_at.is_(None), SlaPause.started_at < deadline)


def jobs_at_risk(session: Session, *, region: Region, now: datetime, limit: int = 200) -> list[JobAtRisk]:
    """Read from the stored deadlines alone (the same values the SLA watch, the pages and the
    dashboard read); clocks standing still for the customer are not in danger."""
    respond_soon = and_(Job.responded_at.is_(None), Job.respond_by <= now + RESPONSE_MARGIN,
                        ~_held_before(Job.respond_by))
    repair_soon = and_(Job.repair_by <= now + REPAIR_MARGIN, ~_held_before(Job.repair_by))
    planned_late = and_(Job.planned_end.is_not(None), Job.planned_end > Job.repair_by)
    # Who does each job comes with it: the board names them, and a technician lent from another
    # region is not among the people the board has already read.
    rows = session.scalars(
        select(Job).join(Asset, Job.asset_id == Asset.id)
        .where(Asset.region_id == region.id, JOB_IS_OPEN,
               or_(respond_soon, repair_soon, planned_late))
        .options(selectinload(Job.technician).selectinload(Technician.user))
        .order_by(Job.repair_by).limit(limit))
    rows = list(rows)
    held = _running_pauses(session, [job.id for job in rows])
    return sorted((_assess(job, now, held.get(job.id)) for job in rows), key=lambda risk: risk.deadline)


def _running_pauses(session: Session, job_ids: list[int]) -> dict[int, datetime]:
    if not job_ids:
        return {}
    return dict(session.execute(select(SlaPause.job_id, SlaPause.started_at)
                                .where(SlaPause.job_id.in_(job_ids), SlaPause.ended_at.is_(None))).all())


def _assess(job: Job, now: datetime, paused_since: datetime | None) -> JobAtRisk:
    def held(deadline: datetime) -> bool:
        return paused_since is not None and paused_since < deadline

    if job.responded_at is None and job.respond_by <= now + RESPONSE_MARGIN and not held(job.respond_by):
        verb = "response overdue since" if job.respond_by <= now else "respond by"
        return JobAtRisk(job, job.respond_by, verb)
    if job.repair_by <= now + REPAIR_MARGIN and not held(job.repair_by):
        return JobAtRisk(job, job.repair_by, "repair overdue since" if job.repair_by <= now else "repair by")
    return JobAtRisk(job, job.repair_by, "planned to finish after the repair deadline")



def job_search(*, status: list[JobStatus] | None = None, category: JobCategory | None = None,
               channel: Channel | None = None, owner_id: int | None = None, serial: str | None = None,
               phone: str | None = None, reported_from: datetime | None = None,
               reported_to: datetime | None = None, matching: SearchQuery | None = None) -> Select[tuple[Job]]:
    """Jobs by exact filters, newest first; with `matching` (the agent's one search box), only the jobs
    it finds, open ones first."""
    query = select(Job)
    if matching is not None or serial or phone:
        query = query.join(Asset, Job.asset_id == Asset.id).join(Customer, Job.customer_id == Customer.id)
    if matching is not None:
        query = query.where(job_matches(matching))
    if status:
        query = query.where(Job.status.in_(status))
    if category:
        query = query.where(Job.category == category)
    if channel:
        query = query.where(Job.channel == channel)
    if owner_id is not None:
        query = query.where(Job.owner_user_id == owner_id)
    if serial:
        query = query.where(Asset.serial == serial)
    if phone:
        query = query.where((Customer.phone == phone) | (Job.contact_phone == phone))
    if reported_from:
        query = query.where(Job.reported_at >= reported_from)
    if reported_to:
        query = query.where(Job.reported_at < reported_to)
    if matching is not None:
        return query.order_by(open_first(), Job.reported_at.desc(), Job.id.desc())
    return query.order_by(Job.reported_at.desc(), Job.id.desc())



# The escalations a filter shows: "active" (the default) is every one not yet resolved.
ESCALATION_FILTERS = ("active", *(state.value for state in EscalationState), "all")


def latest_escalations(session: Session, *, region_id: int | None = None, state: str = "active",
                       limit: int = 200) -> list[Escalation]:
    """Escalations in `state` (one of ESCALATION_FILTERS), newest first; with `region_id`, only those
    of the region's jobs."""
    query = select(Escalation).options(selectinload(Escalation.job), selectinload(Escalation.acknowledged_by),
                                       selectinload(Escalation.resolved_by))
    if state == "active":
        query = query.where(Escalation.resolved_at.is_(None))
    elif state == EscalationState.OPEN:
        query = query.where(Escalation.resolved_at.is_(None), Escalation.acknowledged_at.is_(None))
    elif state == EscalationState.ACKNOWLEDGED:
        query = query.where(Escalation.resolved_at.is_(None), Escalation.acknowledged_at.is_not(None))
    elif state == EscalationState.RESOLVED:
        query = query.where(Escalation.resolved_at.is_not(None))
    if region_id is not None:
        query = query.join(Job, Job.id == Escalation.job_id).join(Asset, Asset.id == Job.asset_id) \
            .where(Asset.region_id == region_id)
    return list(session.scalars(query.order_by(Escalation.raised_at.desc()).limit(limit)))


# --- the agent's queues: open cases by who owns them -----------------------------------------------

def unowned_jobs() -> Select[tuple[Job]]:
    """New reports nobody owns yet (self-service: a QR label, the web), the longest waiting first."""
    return select(Job).where(JOB_IS_OPEN, Job.owner_user_id.is_(None)).order_by(Job.reported_at, Job.id)


def jobs_owned_by(user_id: int) -> Select[tuple[Job]]:
    """One person's open cases, the most urgent promise first."""
    return select(Job).where(JOB_IS_OPEN, Job.owner_user_id == user_id).order_by(Job.respond_by, Job.id)


def team_jobs(*, except_user_id: int) -> Select[tuple[Job]]:
    """Colleagues' open cases, the most urgent promise first."""
    return select(Job).where(JOB_IS_OPEN, Job.owner_user_id.is_not(None), Job.owner_user_id != except_user_id) \
        .order_by(Job.respond_by, Job.id)
