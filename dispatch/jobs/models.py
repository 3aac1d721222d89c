"""Tables of jobs: the work order with its SLA policy, its audit trail of events and its escalations,
and the enumerations its columns hold."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum
from core.users import User
from dispatch.catalog.models import Asset, Customer
from dispatch.jobs.status import OPEN_STATUSES, JobStatus
from dispatch.technicians.models import Technician


class JobCategory(enum.StrEnum):
    QUALITY_DEFECT = "quality_defect"
    USAGE_QUESTION = "usage_question"
    RETURN_EXCHANGE = "return_exchange"
    INSTALLATION = "installation"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class EntitlementKind(enum.StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    FREE_REPAIR = "free_repair"
    PAID_REPAIR = "paid_repair"


class Channel(enum.StrEnum):
    QR = "qr"
    APP = "app"
    PHONE = "phone"
    WECHAT = "wechat"
    WALK_IN = "walk-in"


class ResponseKind(enum.StrEnum):
    """How a person first answered the customer: what stops the response clock. Automatic triage,
    assignment and status changes made by the system never do."""
    CONTACT = "contact"                    # staff recorded a call, message or visit note with the customer
    ACCEPTED = "accepted"                  # the assigned technician accepted the job
    WINDOW_CONFIRMED = "window_confirmed"  # the customer confirmed an arrival window
    RESOLVED_REMOTELY = "resolved_remotely"  # a person answered the case without a visit
    CANCELLED = "cancelled"                # a person closed the case as cancelled


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WECHAT = "wechat"
    EMAIL = "email"
    IN_PERSON = "in_person"


class DispatchState(enum.StrEnum):
    PENDING = "pending"            # waiting for the dispatcher engine
    PLANNED = "planned"            # in a technician's route with an ETA
    UNASSIGNABLE = "unassignable"  # nobody qualified can make it in time: escalated
    NOT_NEEDED = "not_needed"      # no visit (answered remotely, cancelled, closed)


class SlaPolicy(Base):
    """Promises on a clock. The most specific policy for a job's category and priority applies."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("category", "priority", name="uq_sla_policies_category_priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # NULL category or priority: the policy applies to every one without a more specific policy.
    category: Mapped[JobCategory | None] = mapped_column(string_enum(JobCategory))
    priority: Mapped[Priority | None] = mapped_column(string_enum(Priority, 12))
    # Clocks run only inside the region's business hours (core.regions.BusinessHours).
    business_hours_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    respond_minutes: Mapped[int] = mapped_column(Integer, default=120)
    repair_minutes: Mapped[int] = mapped_column(Integer, default=3 * 24 * 60)
    satisfaction_target: Mapped[float] = mapped_column(Float, default=0.95)
    # Share of jobs that must meet each clock (the service dashboard measures against these).
    respond_target: Mapped[float] = mapped_column(Float, default=0.95, server_default=text("0.95"))
    repair_target: Mapped[float] = mapped_column(Float, default=0.90, server_default=text("0.9"))


_OPEN_STATUS_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"
_FINISHED_STATUS_SQL = "status IN ('closed', 'completed')"


class Job(Base):
    """A work order, from the first report to closure."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The database itself guarantees one open job per asset, so two racing reports cannot
        # both open one: the loser attaches to the winner's job.
        Index("uq_jobs_one_open_per_asset", "asset_id", unique=True,
              sqlite_where=text(_OPEN_STATUS_SQL), postgresql_where=text(_OPEN_STATUS_SQL)),
        Index("ix_jobs_status_reported_at", "status", "reported_at"),
        # An appliance's finished repairs, read by the 三包 repeat-repair rule when a report is taken.
        # Partial (finished jobs only), so it never competes with the open-job index above.
        Index("ix_jobs_finished_per_asset", "asset_id", "resolved_at",
              sqlite_where=text(_FINISHED_STATUS_SQL), postgresql_where=text(_FINISHED_STATUS_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    fault_text: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(255))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    category: Mapped[JobCategory] = mapped_column(string_enum(JobCategory))
    category_confidence: Mapped[float] = mapped_column(Float)
    category_source: Mapped[str] = mapped_column(String(16), default="classifier")
    priority: Mapped[Priority] = mapped_column(string_enum(Priority, 12))
    entitlement: Mapped[EntitlementKind] = mapped_column(string_enum(EntitlementKind, 16))
    entitlement_reason: Mapped[str] = mapped_column(Text)
    # {"code": ..., **facts}: the reason in a form pages can translate.
    entitlement_facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(string_enum(JobStatus, 20), default=JobStatus.REPORTED)
    # First-contact ownership: the agent who took the report, or the channel for self-service
    # reports until an agent takes the case over. Changed only by an audited hand-over.
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    owner_channel: Mapped[Channel] = mapped_column(string_enum(Channel, 16))
    sla_policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    respond_by: Mapped[datetime] = mapped_column(UtcDateTime)
    repair_by: Mapped[datetime] = mapped_column(UtcDateTime)
    # The first human response (dispatch.jobs.response): when, by whom (None for the customer) and how.
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # None on rows written before responses were told apart from automatic steps.
    response_kind: Mapped[ResponseKind | None] = mapped_column(string_enum(ResponseKind, 24))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # --- dispatch: where the job sits in a technician's day ---
    dispatch_state: Mapped[DispatchState] = mapped_column(string_enum(DispatchState, 16), default="pending")
    dispatch_note: Mapped[str] = mapped_column(Text, default="")
    # The note as a reason code with its facts (dispatch.jobs.reasons), for pages in the reader's
    # language; None on rows written before codes were stored, which show the English note.
    dispatch_note_code: Mapped[str | None] = mapped_column(String(48))
    dispatch_note_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"), index=True)
    plan_day: Mapped[date | None] = mapped_column(Date)
    route_position: Mapped[int | None] = mapped_column(Integer)
    planned_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    planned_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A dispatcher's lock: re-optimisation keeps the technician and the day.
    assignment_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # --- the confirmed appointment window (dispatch.planning.windows): a hard promise of arrival ---
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Who confirmed it: the staff member on the customer's behalf, or None with the label "customer".
    window_confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    window_confirmed_by: Mapped[str | None] = mapped_column(String(120))
    window_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    asset: Mapped[Asset] = relationship()
    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_user_id])
    window_confirmed_by_user: Mapped[User | None] = relationship(foreign_keys=[window_confirmed_by_user_id])
    sla_policy: Mapped[SlaPolicy] = relationship()
    technician: Mapped[Technician | None] = relationship()
    events: Mapped[list[JobEvent]] = relationship(back_populates="job", order_by="JobEvent.id",
                                                     cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def free_slot(self) -> None:
        """Free the job's place in a day's route (its technician, if any, stays on the case)."""
        self.plan_day = self.route_position = self.planned_start = self.planned_end = None
        self.assignment_locked = False

    def clear_plan(self) -> None:
        """Take the job out of the routes altogether: no technician, no place in any day."""
        self.technician, self.technician_id = None, None
        self.free_slot()


# "The job is open", with the statuses written into the SQL as literals: the same predicate as the
# one-open-job-per-asset index, so PostgreSQL uses that index even in a cached (generic) plan of a
# prepared statement. With bound parameters it cannot prove the index applies and scans every job.
JOB_IS_OPEN = Job.status.in_(bindparam("open_statuses", sorted(OPEN_STATUSES), expanding=True, literal_execute=True))


class EventKind(enum.StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    REPORT_ATTACHED = "report_attached"
    RECLASSIFIED = "reclassified"
    OWNERSHIP_CHANGED = "ownership_changed"
    PLANNED = "planned"
    REPLANNED = "replanned"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    ESCALATED = "escalated"
    SURVEY_ANSWERED = "survey_answered"
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    SLA_PAUSED = "sla_paused"
    SLA_RESUMED = "sla_resumed"
    PARTS = "parts"  # a part reserved, ordered, arrived, fitted or given back
    ACCEPTED = "accepted"  # the technician acknowledged the assignment on their phone
    PHOTO_ADDED = "photo_added"
    CONTACTED = "contacted"  # staff spoke or wrote to the customer
    PRIORITY_CHANGED = "priority_changed"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged"
    ESCALATION_RESOLVED = "escalation_resolved"
    MESSAGE_PREFERENCES = "message_preferences"  # how and in which language the customer is told
    QUOTE_GIVEN = "quote_given"  # a paid repair's price, for the customer to approve (dispatch.quotes)
    QUOTE_APPROVED = "quote_approved"
    QUOTE_DECLINED = "quote_declined"
    COMPLETION_RECORDED = "completion_recorded"  # what was done, paid and signed (fieldwork.completion)
    PROOF_ACCEPTED = "proof_accepted"  # an agent accepted a proof of purchase: the entitlement was decided again
    PROOF_REFUSED = "proof_refused"    # an agent refused a proof of purchase, saying why
    WINDOW_CONFIRMED = "window_confirmed"  # an appointment window chosen (or changed) for the visit


class JobEvent(Base):
    """Append-only audit trail of a job: who did what, when, from which state to which."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted, readable without a join: a username, "customer" or "system".
    actor_label: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[JobStatus | None] = mapped_column(string_enum(JobStatus, 20))
    to_status: Mapped[JobStatus | None] = mapped_column(string_enum(JobStatus, 20))
    note: Mapped[str] = mapped_column(Text, default="")
    note_code: Mapped[str | None] = mapped_column(String(48))  # a system note's reason code and facts
    note_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    job: Mapped[Job] = relationship(back_populates="events")


class Escalation(Base):
    """Something a person must act on, with the reason the system could not."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(48))  # the reason for pages in the reader's language
    reason_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A named person takes it on, then closes it with what was done (dispatch.jobs.escalations).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    job: Mapped[Job] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_user_id])

    @property
    def state(self) -> EscalationState:
        if self.resolved_at is not None:
            return EscalationState.RESOLVED
        return EscalationState.ACKNOWLEDGED if self.acknowledged_at is not None else EscalationState.OPEN


class EscalationState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class SlaPause(Base):
    """An interval during which a job's SLA clocks stand still (waiting for the customer). When it
    ends, the job's stored deadlines move by the time it stood still (dispatch.jobs.sla)."""

    __tablename__ = "sla_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(120))


# Categories that send somebody to the customer; usage questions are answered remotely first.
VISIT_CATEGORIES = frozenset({JobCategory.QUALITY_DEFECT, JobCategory.INSTALLATION, JobCategory.RETURN_EXCHANGE})


def needs_visit(job: Job) -> bool:
    return job.is_open and job.category in VISIT_CATEGORIES
