"""Tables of the close-the-loop domain: callback plans, surveys, the message outbox, follow-up tasks,
and the SLA watch's alerts (its pauses are dispatch.jobs.models.SlaPause)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum
from core.users import User
from dispatch.catalog.models import Customer
from dispatch.jobs.models import Job, SlaPause  # noqa: F401 (SlaPause lives with the deadlines it moves)

# A rating of this or less (of 5) is a low score: the case goes back to its owner. 4 and 5 are satisfied.
LOW_SCORE = 3

class CallbackPlan(Base):
    """How a product line's customers are called back after a job. The row with `product_line` NULL
    applies when none is more specific; with no rows at all the built-in defaults apply."""

    __tablename__ = "callback_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_line: Mapped[str | None] = mapped_column(String(60), unique=True)
    survey_delay_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    answer_window_minutes: Mapped[int] = mapped_column(Integer, default=48 * 60)
    # Long-horizon check-in calls, in days after the installation or repair.
    checkin_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    checkin_business_only: Mapped[bool] = mapped_column(Boolean, default=True)


class ProblemArea(enum.StrEnum):
    """What went wrong, as the customer tells it: the product itself, or the people and the service."""

    PRODUCT = "product"
    PUNCTUALITY = "punctuality"
    ATTITUDE = "attitude"
    COMMUNICATION = "communication"


SERVICE_AREAS = frozenset({ProblemArea.PUNCTUALITY, ProblemArea.ATTITUDE, ProblemArea.COMMUNICATION})


class SurveyOutcome(enum.StrEnum):
    SATISFIED = "satisfied"
    FOLLOW_UP_VISIT = "follow_up_visit"    # the product still fails: dispatch plans another visit
    SUPERVISOR_CALL = "supervisor_call"    # a service or people complaint: a supervisor calls in person


class Survey(Base):
    """One callback survey for one completion of a job, reached by an unguessable token."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    send_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answer_window_minutes: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    fixed: Mapped[bool | None] = mapped_column(Boolean)
    problem_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[SurveyOutcome | None] = mapped_column(string_enum(SurveyOutcome, 20))
    # Set when the answer window closed unanswered and a phone callback was handed to a person.
    unanswered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    job: Mapped[Job] = relationship()

    @property
    def is_low(self) -> bool:
        return self.answered_at is not None and (self.rating is not None and self.rating <= LOW_SCORE
                                                 or self.fixed is False)


class MessageChannel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"   # SMS gateways and chat apps are reached through the webhook


class DeliveryState(enum.StrEnum):
    PENDING = "pending"        # waiting for a worker (first try or a retry)
    # Claimed (committed) by a worker that is sending it now; `next_attempt_at` is then the end of its
    # lease, after which another worker may take it over (the worker died mid-send).
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"          # gave up after the last retry
    UNDELIVERABLE = "undeliverable"  # no notifier configured for the channel: nothing to retry
    # Held (quiet hours) and replaced by newer news before it left: the customer gets only the newer one.
    SUPERSEDED = "superseded"


class OutboxMessage(Base):
    """A message to a customer or a colleague, written in the transaction that caused it and sent
    later by a work item, so a request never waits on a mail server and a rollback sends nothing."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[MessageChannel] = mapped_column(string_enum(MessageChannel, 16))
    purpose: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    state: Mapped[DeliveryState] = mapped_column(string_enum(DeliveryState, 16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # PENDING: when the next try is due; SENDING: when the sending worker's lease runs out.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Held until then (a customer's quiet hours): no worker sends it earlier, whatever work item asks.
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TaskKind(enum.StrEnum):
    PHONE_CALLBACK = "phone_callback"      # the survey went unanswered: the owner calls
    CASE_REOPENED = "case_reopened"        # a bad answer put the case back with its owner
    SUPERVISOR_CALL = "supervisor_call"    # a service complaint: a supervisor calls in person
    SUPERVISOR_REVIEW = "supervisor_review"  # a product still failing: a supervisor is told and checks
    CHECK_IN = "check_in"                  # long-horizon call weeks or months after the job


class TaskOutcome(enum.StrEnum):
    RESOLVED = "resolved"            # reached, and nothing more is needed
    FOLLOW_UP = "follow_up"          # reached; further work was arranged (say what in the note)
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"


class FollowUpTask(Base):
    """Something a person must do for a customer, with who, by when, and how it ended."""

    __tablename__ = "follow_up_tasks"
    __table_args__ = (Index("ix_follow_up_tasks_assignee_open", "assignee_user_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(string_enum(TaskKind, 24))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    # None: nobody owns it yet (a self-service case with no agent); any agent may take it.
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    # `reason` as a code with its facts (dispatch.jobs.reasons), for pages in the reader's language; None
    # on rows written before codes were stored.
    reason_code: Mapped[str | None] = mapped_column(String(48))
    reason_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[TaskOutcome | None] = mapped_column(string_enum(TaskOutcome, 16))
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    job: Mapped[Job | None] = relationship()
    customer: Mapped[Customer] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_user_id])


class SlaClock(enum.StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


class AlertKind(enum.StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class SlaAlert(Base):
    """A warning before, or a breach of, one clock of one job; unique, so the watch acts only once."""

    __tablename__ = "sla_alerts"
    __table_args__ = (UniqueConstraint("job_id", "clock", "kind", name="uq_sla_alerts_job_clock_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    clock: Mapped[SlaClock] = mapped_column(string_enum(SlaClock, 16))
    kind: Mapped[AlertKind] = mapped_column(string_enum(AlertKind, 16))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    cause: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    # `detail` as a reason with its facts (dispatch.jobs.reasons), for pages in the reader's language;
    # None on rows written before.
    detail_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    job: Mapped[Job] = relationship()
