"""Tables of field work: the status updates phones sent (so a retry is applied once), job photos, and the
record a technician leaves at completion."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UtcDateTime, string_enum


class PhotoKind(enum.StrEnum):
    FIELD = "field"      # taken by the technician at the job
    FAULT = "fault"      # sent by the customer with the report: what is wrong
    RECEIPT = "receipt"  # sent by the customer with the report: the proof of purchase


class ReceiptReview(enum.StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


class FieldUpdate(Base):
    """One update a technician's phone applied to a job, under the id the phone generated for it.

    A phone on a flaky connection retries until it hears back; the unique (technician, client id)
    pair makes the retry find this row and get the first answer instead of applying the change twice.
    """

    __tablename__ = "field_updates"
    __table_args__ = (UniqueConstraint("technician_id", "client_id", name="uq_field_updates_technician_id_client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    # "accept" or the status asked for.
    action: Mapped[str] = mapped_column(String(24))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What the first request answered; a retry is answered the same.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JobPhoto(Base):
    """A photo of a job, kept in the file storage under a random name (never the uploaded file name)."""

    __tablename__ = "job_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(string_enum(PhotoKind, 16), default=PhotoKind.FIELD)
    # None for a photo the customer sent with the report.
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A receipt's review by an agent (the job's history says who and why); None while nobody looked.
    review: Mapped[ReceiptReview | None] = mapped_column(string_enum(ReceiptReview, 16))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CompletionRecord(Base):
    """What the technician left at the customer's door when the job was completed: what was done, the
    time on site, what the customer paid and how, the signature (a PNG on disk under a random name) and
    the warranty on the repair itself."""

    __tablename__ = "completion_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id"))
    summary: Mapped[str] = mapped_column(Text)
    on_site_minutes: Mapped[int] = mapped_column(Integer)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # "cash", "card", "transfer"; None when nothing was paid.
    payment_method: Mapped[str | None] = mapped_column(String(16))
    signature_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    signature_bytes: Mapped[int | None] = mapped_column(Integer)
    warranty_days: Mapped[int] = mapped_column(Integer)
    warranty_until: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
