"""Tables of the dispatch domain: catalogue, customers and their assets, jobs and their events,
SLA policies and technicians."""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, Date, Float, ForeignKey, Index, Integer, String,
                        Table, Text, Time, bindparam, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum, utcnow
from core.regions import Region
from core.users import User
from dispatch.classifier import JobCategory, Priority
from dispatch.entitlement import EntitlementKind, WarrantyTerms
from dispatch.status import OPEN_STATUSES, JobStatus
from inventory.models import Part, Warehouse


class Channel(enum.StrEnum):
    QR = "qr"
    APP = "app"
    PHONE = "phone"
    WECHAT = "wechat"
    WALK_IN = "walk-in"


class DispatchState(enum.StrEnum):
    PENDING = "pending"            # waiting for the dispatcher engine
    PLANNED = "planned"            # in a technician's route with an ETA
    UNASSIGNABLE = "unassignable"  # nobody qualified can make it in time: escalated
    NOT_NEEDED = "not_needed"      # no visit (answered remotely, cancelled, closed)


class WarrantyPolicy(Base):
    __tablename__ = "warranty_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    return_days: Mapped[int] = mapped_column(Integer, default=7)
    exchange_days: Mapped[int] = mapped_column(Integer, default=15)
    free_repair_months: Mapped[int] = mapped_column(Integer, default=12)

    @property
    def terms(self) -> WarrantyTerms:
        return WarrantyTerms(self.return_days, self.exchange_days, self.free_repair_months)


model_parts = Table(
    "model_parts",
    Base.metadata,
    Column("product_model_id", ForeignKey("product_models.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True),
)


class ProductModel(Base):
    __tablename__ = "product_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(60))
    product_line: Mapped[str] = mapped_column(String(60))
    warranty_policy_id: Mapped[int] = mapped_column(ForeignKey("warranty_policies.id"))
    repair_skill: Mapped[str] = mapped_column(String(40))
    service_minutes: Mapped[int] = mapped_column(Integer, default=45)

    warranty_policy: Mapped[WarrantyPolicy] = relationship()
    parts: Mapped[list[Part]] = relationship(secondary=model_parts)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Asset(Base):
    """A registered appliance at a customer's address; its QR label carries `qr_token`."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    product_model_id: Mapped[int] = mapped_column(ForeignKey("product_models.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    address: Mapped[str] = mapped_column(String(255))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    installed_on: Mapped[date | None] = mapped_column(Date)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True)

    product_model: Mapped[ProductModel] = relationship()
    customer: Mapped[Customer] = relationship()
    region: Mapped[Region | None] = relationship()


class SlaPolicy(Base):
    """Promises on a clock. The policy with `category` NULL applies when none is more specific."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[JobCategory | None] = mapped_column(string_enum(JobCategory), unique=True)
    respond_minutes: Mapped[int] = mapped_column(Integer, default=120)
    repair_minutes: Mapped[int] = mapped_column(Integer, default=3 * 24 * 60)
    satisfaction_target: Mapped[float] = mapped_column(Float, default=0.95)
    # Share of jobs that must meet each clock (the service dashboard measures against these).
    respond_target: Mapped[float] = mapped_column(Float, default=0.95, server_default=text("0.95"))
    repair_target: Mapped[float] = mapped_column(Float, default=0.90, server_default=text("0.9"))


_OPEN_STATUS_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"


class Job(Base):
    """A work order, from the first report to closure."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The database itself guarantees one open job per asset, so two racing reports cannot
        # both open one: the loser attaches to the winner's job.
        Index("uq_jobs_one_open_per_asset", "asset_id", unique=True,
              sqlite_where=text(_OPEN_STATUS_SQL), postgresql_where=text(_OPEN_STATUS_SQL)),
        Index("ix_jobs_status_reported_at", "status", "reported_at"),
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
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # --- dispatch: where the job sits in a technician's day ---
    dispatch_state: Mapped[DispatchState] = mapped_column(string_enum(DispatchState, 16), default="pending")
    dispatch_note: Mapped[str] = mapped_column(Text, default="")
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("technicians.id"), index=True)
    plan_day: Mapped[date | None] = mapped_column(Date)
    route_position: Mapped[int | None] = mapped_column(Integer)
    planned_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    planned_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A dispatcher's lock: re-optimisation keeps the technician and the day.
    assignment_locked: Mapped[bool] = mapped_column(Boolean, default=False)

    asset: Mapped[Asset] = relationship()
    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship()
    sla_policy: Mapped[SlaPolicy] = relationship()
    technician: Mapped["Technician | None"] = relationship()
    events: Mapped[list["JobEvent"]] = relationship(back_populates="job", order_by="JobEvent.id",
                                                     cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


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
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    job: Mapped[Job] = relationship(back_populates="events")


class Technician(Base):
    __tablename__ = "technicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    daily_job_cap: Mapped[int] = mapped_column(Integer, default=8)
    # Where the technician last reported being (from status updates); None until the first one.
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    van_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), unique=True)

    user: Mapped[User] = relationship()
    region: Mapped[Region] = relationship()
    van: Mapped[Warehouse | None] = relationship()
    skills: Mapped[list["TechnicianSkill"]] = relationship(cascade="all, delete-orphan")
    shifts: Mapped[list["TechnicianShift"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="TechnicianShift.weekday")
    days_off: Mapped[list["TechnicianDayOff"]] = relationship(cascade="all, delete-orphan")

    def skill_level(self, skill: str) -> int | None:
        return next((s.level for s in self.skills if s.skill == skill), None)


class TechnicianShift(Base):
    """Working hours on one weekday (0 = Monday), in local time, with an optional lunch break that
    may be taken anywhere inside its window."""

    __tablename__ = "technician_shifts"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    break_earliest: Mapped[time | None] = mapped_column(Time)
    break_latest_end: Mapped[time | None] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)


class TechnicianDayOff(Base):
    __tablename__ = "technician_days_off"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(120), default="")


class TechnicianSkill(Base):
    __tablename__ = "technician_skills"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"),
                                               primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)
    # 1 = trainee, 2 = qualified, 3 = expert; routing scales service time by it.
    level: Mapped[int] = mapped_column(Integer, default=2)


class Escalation(Base):
    """Something a person must act on, with the reason the system could not."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    job: Mapped[Job] = relationship()


class PlanStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"          # a proposal, ready to preview
    APPLIED = "applied"
    FAILED = "failed"
    STALE = "stale"        # the routes changed after the solve; solve again before applying


class PlanRun(Base):
    """A requested re-optimisation of one region's day: submitted, solved by a worker, previewed,
    then applied (or not)."""

    __tablename__ = "plan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(string_enum(PlanStatus, 16))
    time_limit_s: Mapped[float] = mapped_column(Float, default=10.0)
    apply_when_done: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Fingerprint of the routes the solve started from, to refuse applying onto changed routes.
    baseline: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")

    region: Mapped[Region] = relationship()
