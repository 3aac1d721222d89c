"""Callback plans: what happens after a job is completed. A survey message after a delay; no answer
in the window means a person phones; long-horizon check-in calls for the accounts that get them."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from care.customer_messages import SURVEY, tell_customer
from care.models import CallbackPlan, FollowUpTask, Survey, TaskKind
from care.tasks import create_task
from core.background import MESSAGES, defer
from core.i18n import gettext as _
from core.i18n import in_language_of
from core.reasons import named
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus

SEND_SURVEY = "care_send_survey"
SURVEY_DEADLINE = "care_survey_deadline"
# A survey is sent only for a job that is still done when its moment comes (not reopened meanwhile).
DONE_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.CLOSED})


@dataclass(frozen=True)
class PlanTerms:
    survey_delay: timedelta = timedelta(hours=24)
    answer_window: timedelta = timedelta(hours=48)
    checkin_days: tuple[int, ...] = field(default=(30, 90, 180))
    checkin_business_only: bool = True


DEFAULT_TERMS = PlanTerms()


def plan_terms_for(session: Session, product_line: str) -> PlanTerms:
    """The product line's plan, else the default row, else the built-in defaults (one query)."""
    row = session.scalar(select(CallbackPlan)
                         .where(or_(CallbackPlan.product_line == product_line, CallbackPlan.product_line.is_(None)))
                         .order_by(CallbackPlan.product_line.is_(None)).limit(1))
    if row is None:
        return DEFAULT_TERMS
    return PlanTerms(survey_delay=timedelta(minutes=row.survey_delay_minutes),
                     answer_window=timedelta(minutes=row.answer_window_minutes),
                     checkin_days=tuple(sorted(int(d) for d in row.checkin_days)),
                     checkin_business_only=row.checkin_business_only)


def start_callback_plan(session: Session, *, job: Job, now: datetime) -> Survey:
    """Called when a job is completed: schedule the survey and any check-in calls (in the caller's
    transaction, so a rolled-back completion schedules nothing)."""
    terms = plan_terms_for(session, job.asset.product_model.product_line)
    survey = Survey(job_id=job.id, token=secrets.token_urlsafe(24), created_at=now, send_at=now + terms.survey_delay,
                    answer_window_minutes=int(terms.answer_window.total_seconds() // 60), problem_areas=[],
                    comment="")
    session.add(survey)
    session.flush()
    defer(session, queue=MESSAGES, kind=SEND_SURVEY, payload={"survey_id": survey.id}, now=now, due_at=survey.send_at)
    _schedule_checkins(session, job=job, terms=terms, now=now)
    return survey


def _schedule_checkins(session: Session, *, job: Job, terms: PlanTerms, now: datetime) -> None:
    if not terms.checkin_days or (terms.checkin_business_only and not job.customer.is_business):
        return
    already = session.scalar(select(FollowUpTask.id).where(FollowUpTask.job_id == job.id,
                                                           FollowUpTask.kind == TaskKind.CHECK_IN).limit(1))
    if already is not None:
        return  # completed again after a reopening: the calendar of calls already stands
    for days in terms.checkin_days:
        create_task(session, kind=TaskKind.CHECK_IN, job=job, assignee=job.owner, now=now,
                    due_at=now + timedelta(days=days),
                    reason=f"{days}-day check-in after the {job.category.value.replace('_', ' ')} on "
                           f"{job.asset.product_model.name}: is everything still working?",
                    reason_code="check_in", reason_facts={"days": days, "category": job.category.value,
                                                          "model": named(job.asset.product_model)})


def survey_url(base_url: str, survey: Survey) -> str:
    return f"{base_url.rstrip('/')}/s/{survey.token}"


def send_survey(session: Session, *, survey_id: int, now: datetime, base_url: str) -> bool:
    """Work item: write the survey message to the outbox and open the answer window. Returns whether
    a message was queued (not when the job was reopened meanwhile or it was already sent)."""
    survey = session.scalar(select(Survey).where(Survey.id == survey_id).with_for_update())
    if survey is None or survey.sent_at is not None or survey.answered_at is not None:
        return False
    job = survey.job
    if job.status not in DONE_STATUSES:
        return False
    link = survey_url(base_url, survey)

    def invitation() -> tuple[str, str]:
        return (_("How did we do? Job %(number)s", number=job.number),
                _("Your service job %(number)s is complete. Please tell us how it went (one minute, no sign-in): "
                  "%(link)s", number=job.number, link=link))

    # The customer's language and channel; held through their quiet hours (the answer window then
    # starts when the message goes); nothing for a customer who opted out (the call still follows).
    message = tell_customer(session, job=job, purpose=SURVEY, text=invitation, now=now,
                            data={"survey_url": link})
    opens_at = message.not_before if message is not None and message.not_before is not None else now
    survey.sent_at = now
    defer(session, queue=MESSAGES, kind=SURVEY_DEADLINE, payload={"survey_id": survey.id}, now=now,
            due_at=opens_at + timedelta(minutes=survey.answer_window_minutes))
    session.flush()
    return True


def survey_deadline(session: Session, *, survey_id: int, now: datetime) -> FollowUpTask | None:
    """Work item: the answer window closed. Unanswered: the job's owner phones the customer."""
    survey = session.scalar(select(Survey).where(Survey.id == survey_id).with_for_update())
    if survey is None or survey.answered_at is not None or survey.unanswered_at is not None:
        return None
    job = survey.job
    survey.unanswered_at = now
    hours = survey.answer_window_minutes // 60
    return create_task(session, kind=TaskKind.PHONE_CALLBACK, job=job, assignee=job.owner, now=now,
                       survey_id=survey.id,
                       reason=in_language_of(job.owner, "No answer to the survey for job %(number)s within %(hours)s h: "
                                              "call %(name)s on %(phone)s and ask how the job went.",
                                              number=job.number, hours=hours, name=job.contact_name,
                                              phone=job.contact_phone),
                       reason_code="survey_unanswered",
                       reason_facts={"number": job.number, "hours": hours, "name": job.contact_name,
                                     "phone": job.contact_phone})
