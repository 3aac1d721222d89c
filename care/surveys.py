"""Answering a callback survey, and what a bad answer sets off.

A low score (3 or less) or "not fixed" reopens the case to its owner and alerts a supervisor. The two
ways a customer is lost are handled apart: a product that still fails (lost confidence) gets another
visit through dispatch; a complaint about the service or the people (lost trust) gets a supervisor's
personal call, never one more automated message.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import LOW_SCORE, SERVICE_AREAS, ProblemArea, Survey, SurveyOutcome, TaskKind
from care.outbox import queue_message, staff_address
from care.tasks import create_task, least_busy_supervisor, supervisors
from core.i18n import current_locale, in_language_of, use_locale
from core.i18n import gettext as _
from core.reasons import LISTED, SEVERAL
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import EventKind, Job
from dispatch.jobs.reasons import english, explain, reason
from dispatch.jobs.services import record_event, transition_job
from dispatch.jobs.status import ALLOWED_TRANSITIONS, JobStatus

MAX_COMMENT = 2000
TOKEN_LENGTHS = range(16, 65)


class SurveyNotFound(Exception):
    pass


class SurveyAlreadyAnswered(Exception):
    pass


class InvalidAnswer(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SurveyAnswer:
    rating: int
    fixed: bool
    problem_areas: tuple[ProblemArea, ...] = ()
    comment: str = ""

    def check(self) -> None:
        if isinstance(self.rating, bool) or not isinstance(self.rating, int) or not 1 <= self.rating <= 5:
            raise InvalidAnswer("rating", _("The rating must be a whole number from 1 to 5."))
        if not isinstance(self.fixed, bool):
            raise InvalidAnswer("fixed", _("Say whether the problem was fixed."))
        if len(self.comment) > MAX_COMMENT:
            raise InvalidAnswer("comment", _("The comment is too long (at most %(max)s characters).", max=MAX_COMMENT))

    @property
    def is_low(self) -> bool:
        return self.rating <= LOW_SCORE or not self.fixed


def survey_by_token(session: Session, token: str, *, for_update: bool = False) -> Survey:
    if len(token) not in TOKEN_LENGTHS:
        raise SurveyNotFound(_("No survey has this link."))
    query = select(Survey).where(Survey.token == token)
    if for_update:
        query = query.with_for_update()
    survey = session.scalar(query)
    if survey is None:
        raise SurveyNotFound(_("No survey has this link."))
    return survey


def answer_survey(session: Session, *, survey: Survey, answer: SurveyAnswer, now: datetime) -> Survey:
    """Record the customer's one answer and act on it. Raises before writing anything if the answer
    is invalid or the survey was already answered."""
    answer.check()
    if survey.answered_at is not None:
        raise SurveyAlreadyAnswered(_("This survey was already answered. Thank you!"))
    survey.answered_at, survey.rating, survey.fixed = now, answer.rating, answer.fixed
    survey.problem_areas = sorted({a.value for a in answer.problem_areas})
    survey.comment = answer.comment.strip()
    job = survey.job
    record_event(job, kind=EventKind.SURVEY_ANSWERED, actor=CUSTOMER, now=now, note=survey.comment,
                 data={"rating": answer.rating, "fixed": answer.fixed, "problem_areas": survey.problem_areas})
    survey.outcome = _act_on_bad_answer(session, survey, job, answer, now) if answer.is_low else SurveyOutcome.SATISFIED
    session.flush()
    return survey


def _act_on_bad_answer(session: Session, survey: Survey, job: Job, answer: SurveyAnswer,
                       now: datetime) -> SurveyOutcome:
    areas = set(answer.problem_areas)
    product_fails = not answer.fixed or ProblemArea.PRODUCT in areas
    # A low score naming no product fault is a judgement on the service: lost trust.
    service_complaint = bool(areas & SERVICE_AREAS) or not product_fails
    said = summary_reason(answer)

    def summary(reader) -> str:
        with use_locale(getattr(reader, "locale", None) or current_locale()):
            return explain(said["code"], said)

    if product_fails and JobStatus.TRIAGED in ALLOWED_TRANSITIONS[job.status]:
        # Back to triaged: dispatch plans a follow-up visit (see dispatch.jobs._follow_in_dispatch).
        facts = {"summary": said}
        transition_job(session, job=job, to=JobStatus.TRIAGED, actor=CUSTOMER, now=now,
                       note=english("reopened_by_survey", facts), note_code="reopened_by_survey", note_facts=facts)
    _task(session, TaskKind.CASE_REOPENED, job, job.owner, survey, now,
          "case_reopened_visit" if product_fails else "case_reopened_call", number=job.number, summary=said)
    supervisor = least_busy_supervisor(session)
    if service_complaint:
        _task(session, TaskKind.SUPERVISOR_CALL, job, supervisor, survey, now, "supervisor_call",
              name=job.contact_name, phone=job.contact_phone, number=job.number, summary=said)
    if product_fails:
        _task(session, TaskKind.SUPERVISOR_REVIEW, job, supervisor, survey, now, "supervisor_review",
              number=job.number, summary=said)
    for manager in supervisors(session):
        channel, recipient = staff_address(manager)
        queue_message(session, channel=channel, purpose="low_score_alert", recipient=recipient, job=job, now=now,
                      subject=in_language_of(manager, "Low callback score on job %(number)s", number=job.number),
                      body=in_language_of(manager, "Job %(number)s (%(name)s): %(summary)s.", number=job.number,
                                          name=job.contact_name, summary=summary(manager)),
                      data={"job": job.number, "rating": answer.rating, "fixed": answer.fixed,
                            "problem_areas": sorted(a.value for a in areas)})
    return SurveyOutcome.FOLLOW_UP_VISIT if product_fails else SurveyOutcome.SUPERVISOR_CALL


def _task(session: Session, kind: TaskKind, job: Job, assignee, survey: Survey, now: datetime, code: str,
          **facts) -> None:
    """A follow-up task whose reason is stored as a code with its facts, and as text in the assignee's language."""
    with use_locale(getattr(assignee, "locale", None) or current_locale()):
        text = explain(code, facts)
    create_task(session, kind=kind, job=job, assignee=assignee, now=now, survey_id=survey.id, reason=text,
                reason_code=code, reason_facts=facts)


def summary_reason(answer: SurveyAnswer) -> dict:
    """What the customer said, as a reason (dispatch.jobs.reasons) a page says in its reader's language."""
    parts = [reason("survey_rated", rating=answer.rating),
             reason("survey_fixed" if answer.fixed else "survey_not_fixed")]
    if answer.problem_areas:
        parts.append(reason("survey_problems", areas=reason(
            LISTED, items=[reason(f"area_{area.value}") for area in sorted(set(answer.problem_areas),
                                                                           key=lambda a: a.value)])))
    if answer.comment.strip():
        parts.append(reason("survey_comment", comment=answer.comment.strip()[:200]))
    return reason(SEVERAL, reasons=parts)
