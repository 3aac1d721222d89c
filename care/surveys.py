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
from core.i18n import N_, current_locale, in_language_of, use_locale
from core.i18n import gettext as _
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import EventKind, Job
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
            raise InvalidAnswer("rating", "The rating must be a whole number from 1 to 5.")
        if not isinstance(self.fixed, bool):
            raise InvalidAnswer("fixed", "Say whether the problem was fixed.")
        if len(self.comment) > MAX_COMMENT:
            raise InvalidAnswer("comment", f"The comment is too long (at most {MAX_COMMENT} characters).")

    @property
    def is_low(self) -> bool:
        return self.rating <= LOW_SCORE or not self.fixed


def survey_by_token(session: Session, token: str, *, for_update: bool = False) -> Survey:
    if len(token) not in TOKEN_LENGTHS:
        raise SurveyNotFound("No survey has this link.")
    query = select(Survey).where(Survey.token == token)
    if for_update:
        query = query.with_for_update()
    survey = session.scalar(query)
    if survey is None:
        raise SurveyNotFound("No survey has this link.")
    return survey


def answer_survey(session: Session, *, survey: Survey, answer: SurveyAnswer, now: datetime) -> Survey:
    """Record the customer's one answer and act on it. Raises before writing anything if the answer
    is invalid or the survey was already answered."""
    answer.check()
    if survey.answered_at is not None:
        raise SurveyAlreadyAnswered("This survey was already answered. Thank you!")
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

    def summary(reader) -> str:
        with use_locale(getattr(reader, "locale", None) or current_locale()):
            return _summary(job, answer)

    if product_fails and JobStatus.TRIAGED in ALLOWED_TRANSITIONS[job.status]:
        # Back to triaged: dispatch plans a follow-up visit (see dispatch.jobs._follow_in_dispatch).
        transition_job(session, job=job, to=JobStatus.TRIAGED, actor=CUSTOMER, now=now,
                       note=_("Reopened by the callback survey: %(summary)s", summary=summary(None)))
    reopened = (N_("The customer's answer reopened job %(number)s: %(summary)s. A follow-up visit is being "
                   "planned; keep the customer informed.") if product_fails else
                N_("The customer's answer reopened job %(number)s: %(summary)s. Their supervisor will call them; "
                   "follow the case to closure."))
    create_task(session, kind=TaskKind.CASE_REOPENED, job=job, assignee=job.owner, now=now, survey_id=survey.id,
                reason=in_language_of(job.owner, reopened, number=job.number, summary=summary(job.owner)))
    supervisor = least_busy_supervisor(session)
    if service_complaint:
        create_task(session, kind=TaskKind.SUPERVISOR_CALL, job=job, assignee=supervisor, now=now,
                    survey_id=survey.id,
                    reason=in_language_of(supervisor, "Call %(name)s (%(phone)s) in person about job %(number)s: "
                                          "%(summary)s.", name=job.contact_name, phone=job.contact_phone,
                                          number=job.number, summary=summary(supervisor)))
    if product_fails:
        create_task(session, kind=TaskKind.SUPERVISOR_REVIEW, job=job, assignee=supervisor, now=now,
                    survey_id=survey.id,
                    reason=in_language_of(supervisor, "The repair of job %(number)s did not hold: %(summary)s. "
                                          "Check the follow-up visit and whether the model has a recurring fault.",
                                          number=job.number, summary=summary(supervisor)))
    for manager in supervisors(session):
        channel, recipient = staff_address(manager)
        queue_message(session, channel=channel, purpose="low_score_alert", recipient=recipient, job=job, now=now,
                      subject=in_language_of(manager, "Low callback score on job %(number)s", number=job.number),
                      body=in_language_of(manager, "Job %(number)s (%(name)s): %(summary)s.", number=job.number,
                                          name=job.contact_name, summary=summary(manager)),
                      data={"job": job.number, "rating": answer.rating, "fixed": answer.fixed,
                            "problem_areas": sorted(a.value for a in areas)})
    return SurveyOutcome.FOLLOW_UP_VISIT if product_fails else SurveyOutcome.SUPERVISOR_CALL


_AREA_NAMES = {"product": N_("the product"), "punctuality": N_("punctuality"), "attitude": N_("attitude"),
               "communication": N_("communication")}


def _area_name(area) -> str:
    name = _AREA_NAMES.get(area.value)
    return _(name) if name else area.value


def _summary(job: Job, answer: SurveyAnswer) -> str:
    parts = [_("rated %(rating)s/5", rating=answer.rating), _("fixed") if answer.fixed else _("NOT fixed")]
    if answer.problem_areas:
        parts.append(_("problems: %(areas)s", areas=", ".join(sorted(_area_name(a) for a in answer.problem_areas))))
    if answer.comment.strip():
        parts.append(f'"{answer.comment.strip()[:200]}"')
    return "; ".join(parts)
