"""Demo service history for the dashboard: eight weeks of completed jobs with their visits, parts
fitted, callback surveys and answers, and a few open follow-up tasks, so the service dashboard shows
real numbers and trends the moment `make run` starts.

The history is written as it would have been recorded (statuses and audit events at their past
times), but without queuing work: nothing here makes the scheduler send an old survey today.
"""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.callbacks import DEFAULT_TERMS, DONE_STATUSES
from care.models import FollowUpTask, ProblemArea, Survey, SurveyOutcome, TaskKind
from core.users import Role, User
from core.work_queue import WorkItem
from demo import texts
from dispatch.catalog.models import Asset
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import VISIT_CATEGORIES, Channel, DispatchState, EventKind, Job, ResponseKind
from dispatch.jobs.services import record_event
from dispatch.jobs.status import JobStatus
from dispatch.jobs.work import DISPATCH_JOB
from dispatch.technicians.models import Technician
from inventory import ledger
from inventory.reasons import reason as stock_reason

# Faults whose words the classifier knows, so the fault analytics have something to say.
# What customers write in the survey, (English, Chinese): each in the language of the customer.
COMMENTS_GOOD = [("Quick and friendly, thank you", "师傅很专业，态度也好"), ("Fixed in half an hour", "半小时就修好了"),
                 ("", "")]
COMMENTS_BAD = {ProblemArea.PRODUCT: ("It broke again two days later", "修好两天又坏了"),
                ProblemArea.PUNCTUALITY: ("Came three hours late", "比约定时间晚到了三个小时"),
                ProblemArea.ATTITUDE: ("The technician was rude", "师傅态度很差"),
                ProblemArea.COMMUNICATION: ("Nobody told me when", "一直没人通知我什么时候上门")}


def _in_language(pair: tuple[str, str], job: Job) -> str:
    return pair[1] if texts.language_of(job.contact_name) == "zh" else pair[0]


def load_service_history(session: Session, *, now: datetime, tz: ZoneInfo, seed: int = 7, weeks: int = 8,
                         per_day: int = 3) -> int:
    """Completed jobs over the past `weeks`; returns how many. Call before today's open reports."""
    rng = random.Random(seed * 31 + 1)
    assets = list(session.scalars(select(Asset).order_by(Asset.id)))
    technicians = list(session.scalars(select(Technician).order_by(Technician.id)))
    agents = list(session.scalars(select(User).where(User.role == Role.AGENT).order_by(User.id)))
    manager = session.scalar(select(User).where(User.role == Role.MANAGER).order_by(User.id).limit(1))
    # Some appliances fail again: the at-risk list and the repeat counts need them.
    troubled = rng.sample(assets, k=max(3, len(assets) // 40))
    # One region and one technician do worse, so "worst" has a clear answer.
    slow_region = technicians[2].region_id if len(technicians) > 2 else None
    slow_technician = technicians[4].id if len(technicians) > 4 else None
    created = 0
    used_assets: set[int] = set()
    for days_ago in range(weeks * 7, 0, -1):
        for _ in range(rng.randrange(per_day - 1, per_day + 2)):
            reported_at = now - timedelta(days=days_ago, minutes=rng.randrange(0, 10 * 60))
            asset = rng.choice(troubled) if rng.random() < 0.15 else rng.choice(assets)
            if asset.id in used_assets and asset not in troubled:
                continue
            used_assets.add(asset.id)
            created += _one_job(session, rng, asset=asset, reported_at=reported_at, now=now, tz=tz,
                                technicians=technicians, agents=agents, manager=manager,
                                slow=(asset.region_id == slow_region), slow_technician=slow_technician,
                                late_improvement=days_ago < 21)
    _forget_dispatch_requests(session)
    session.flush()
    return created


def _one_job(session: Session, rng: random.Random, *, asset: Asset, reported_at: datetime, now: datetime, tz,
             technicians, agents, manager, slow: bool, slow_technician: int | None, late_improvement: bool) -> int:
    owner = rng.choice(agents) if agents and rng.random() < 0.5 else None
    actor = Actor.staff(owner) if owner else CUSTOMER
    fault = texts.fault_text(rng, asset.product_model, texts.language_of(asset.customer.name),
                             repairs_only=True)
    result = report_fault(session, asset=asset, actor=actor, now=reported_at, tz=tz,
                          report=FaultReport(channel=Channel.PHONE if owner else Channel.QR, fault_text=fault,
                                             contact_name=asset.customer.name, contact_phone=asset.customer.phone))
    job = result.job
    if not result.created or job.category not in VISIT_CATEGORIES:
        return 0
    region_techs = [t for t in technicians if t.region_id == asset.region_id] or technicians
    technician = rng.choice(region_techs)
    # Response: usually within the 2 h; a slow region misses more often, and the last weeks improve.
    miss_response = rng.random() < (0.25 if slow else 0.06) * (0.5 if late_improvement else 1)
    responded_at = reported_at + timedelta(minutes=rng.randrange(130, 300) if miss_response else rng.randrange(5, 110))
    late_tech = technician.id == slow_technician
    miss_repair = rng.random() < (0.35 if late_tech else 0.22 if slow else 0.08)
    resolved_at = reported_at + (timedelta(hours=rng.randrange(76, 120)) if miss_repair
                                 else timedelta(hours=rng.randrange(3, 60)))
    resolved_at = min(now - timedelta(hours=2), resolved_at)
    # Triage and assignment are automatic and prompt, and are no response: that is a person calling the
    # customer (an agent, or the technician setting off, whichever comes first).
    set_off = resolved_at - timedelta(minutes=90)
    caller = owner or (rng.choice(agents) if agents else None) or manager
    by_call = caller is not None and responded_at < set_off
    responded_at = responded_at if by_call else set_off
    system, tech = Actor(label="system"), Actor.staff(technician.user)
    steps = [(reported_at + timedelta(minutes=1), JobStatus.TRIAGED, system),
             (reported_at + timedelta(minutes=2), JobStatus.ASSIGNED, system),
             (set_off, JobStatus.EN_ROUTE, tech), (resolved_at - timedelta(minutes=60), JobStatus.ON_SITE, tech),
             (resolved_at, JobStatus.COMPLETED, tech)]
    if by_call:
        steps.append((responded_at, None, Actor.staff(caller)))
    for at, status, actor in sorted(steps, key=lambda step: step[0]):
        if status is None:
            record_event(job, kind=EventKind.CONTACTED, actor=actor, now=at, data={"channel": "phone", "response": True},
                         note="Called the customer: a technician is coming.")
            continue
        record_event(job, kind=EventKind.STATUS_CHANGED, actor=actor, now=at, from_status=job.status, to_status=status)
        job.status = status
    job.responded_by_user_id = caller.id if by_call else technician.user_id
    job.response_kind = ResponseKind.CONTACT if by_call else ResponseKind.ACCEPTED
    job.responded_at, job.resolved_at, job.updated_at = responded_at, resolved_at, resolved_at
    job.technician_id, job.plan_day = technician.id, resolved_at.astimezone(tz).date()
    job.dispatch_state = DispatchState.NOT_NEEDED
    _fit_a_part(session, rng, job=job, technician=technician, at=resolved_at - timedelta(minutes=30))
    _survey(session, rng, job=job, done_at=resolved_at, now=now, late=miss_repair or miss_response or late_tech,
            manager=manager)
    if job.resolved_at < now - timedelta(days=14) and rng.random() < 0.7:
        record_event(job, kind=EventKind.STATUS_CHANGED, actor=Actor(label="system"), now=resolved_at + timedelta(days=7),
                     from_status=JobStatus.COMPLETED, to_status=JobStatus.CLOSED)
        job.status = JobStatus.CLOSED
    return 1


def _fit_a_part(session: Session, rng: random.Random, *, job: Job, technician: Technician, at: datetime) -> None:
    """Most repairs fit a part from the van: it is stocked (a receipt) and fitted (a consumption)."""
    parts = job.asset.product_model.parts
    if not parts or technician.van is None or rng.random() < 0.35:
        return
    # The first listed part of a model fails most: the analytics should find a pattern.
    part = parts[0] if rng.random() < 0.6 else rng.choice(parts)
    ledger.receive(session, warehouse=technician.van, part=part, quantity=1, actor="demo", now=at - timedelta(days=1),
                   reason=stock_reason("van_stock"))
    ledger.consume(session, warehouse=technician.van, part=part, quantity=1, actor=technician.user.username, now=at,
                   job_id=job.id, from_reservation=False, reason=stock_reason("fitted_at_job", job=job.number))


def _survey(session: Session, rng: random.Random, *, job: Job, done_at: datetime, now: datetime, late: bool,
            manager: User | None) -> None:
    terms = DEFAULT_TERMS
    send_at = done_at + terms.survey_delay
    survey = Survey(job_id=job.id, token=secrets.token_urlsafe(24), created_at=done_at, send_at=send_at,
                    answer_window_minutes=int(terms.answer_window.total_seconds() // 60), problem_areas=[], comment="")
    session.add(survey)
    if send_at > now:
        return  # still to be sent (the scheduler would; demo history queues no work)
    survey.sent_at = send_at
    if rng.random() < 0.2:  # about one in five never answers: a person phones them
        if send_at + terms.answer_window <= now:
            survey.unanswered_at = send_at + terms.answer_window
            _task(session, job, survey, TaskKind.PHONE_CALLBACK, job.owner, survey.unanswered_at, now,
                  f"No answer to the survey for job {job.number} within 48 h: call {job.contact_name}.")
        return
    answered_at = send_at + timedelta(minutes=rng.randrange(10, 600))
    bad = rng.random() < (0.35 if late else 0.06)
    if not bad:
        survey.rating, survey.fixed, survey.comment = rng.choice([4, 5, 5, 5]), True, \
            _in_language(rng.choice(COMMENTS_GOOD), job)
        survey.outcome = SurveyOutcome.SATISFIED
    else:
        area = rng.choice([ProblemArea.PRODUCT, ProblemArea.PUNCTUALITY, ProblemArea.ATTITUDE, ProblemArea.COMMUNICATION])
        survey.rating, survey.fixed = rng.choice([1, 2, 3]), area != ProblemArea.PRODUCT
        survey.problem_areas, survey.comment = [area.value], _in_language(COMMENTS_BAD[area], job)
        survey.outcome = SurveyOutcome.FOLLOW_UP_VISIT if area == ProblemArea.PRODUCT else SurveyOutcome.SUPERVISOR_CALL
        kind = TaskKind.SUPERVISOR_REVIEW if area == ProblemArea.PRODUCT else TaskKind.SUPERVISOR_CALL
        _task(session, job, survey, kind, manager, answered_at, now,
              f"Job {job.number}: rated {survey.rating}/5 — {survey.comment}.")
    survey.answered_at = answered_at
    record_event(job, kind=EventKind.SURVEY_ANSWERED, actor=CUSTOMER, now=answered_at, note=survey.comment,
                 data={"rating": survey.rating, "fixed": survey.fixed, "problem_areas": survey.problem_areas})


def _task(session: Session, job: Job, survey: Survey, kind: TaskKind, assignee: User | None, at: datetime,
          now: datetime, reason: str) -> None:
    session.flush()
    # Older tasks were dealt with at the time; the last week's are still waiting for someone.
    done = at < now - timedelta(days=7)
    session.add(FollowUpTask(kind=kind, job_id=job.id, customer_id=job.customer_id, survey_id=survey.id,
                             assignee_user_id=assignee.id if assignee else None, reason=reason, created_at=at,
                             due_at=at, done_at=at + timedelta(hours=3) if done else None,
                             done_by_user_id=(assignee.id if assignee else None) if done else None,
                             outcome="resolved" if done else None,
                             outcome_note="Called; the customer was satisfied with the follow-up" if done else ""))


def _forget_dispatch_requests(session: Session) -> None:
    """Intake queued a dispatch request for each past job; they are history now, not work."""
    session.flush()
    numbers = set(session.scalars(select(Job.number).where(Job.status.in_(DONE_STATUSES))))
    for item in session.scalars(select(WorkItem).where(WorkItem.kind == DISPATCH_JOB, WorkItem.done_at.is_(None))):
        if item.payload.get("job") in numbers:
            session.delete(item)
