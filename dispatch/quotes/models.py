"""Tables of paid repairs: labour prices by skill and job category (with the call-out fee charged when a
quote is declined), and a job's quote with its part lines."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum
from dispatch.jobs.models import Job, JobCategory
from inventory.models import Part


class LabourPrice(Base):
    """What a repair's labour costs the customer, for one skill and (optionally) one job category; the
    most specific row for a job applies. The call-out fee is what a declined quote still costs."""

    __tablename__ = "labour_prices"
    __table_args__ = (UniqueConstraint("skill", "category", name="uq_labour_prices_skill_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    skill: Mapped[str] = mapped_column(String(40))
    # NULL: every category of this skill without a row of its own.
    category: Mapped[JobCategory | None] = mapped_column(string_enum(JobCategory))
    labour: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    call_out_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))


class QuoteState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Quote(Base):
    """The price of a paid repair, given before any work: parts at customer price plus labour. One per job;
    while it waits for the customer it may be written again, once decided it never changes."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    state: Mapped[QuoteState] = mapped_column(string_enum(QuoteState, 16), default=QuoteState.PENDING)
    labour: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    call_out_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    parts_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "customer" on the tracking page, or the agent who took the answer on the phone.
    decided_by: Mapped[str | None] = mapped_column(String(120))
    # What the customer owes after the decision: the total when approved, the call-out fee when declined.
    amount_due: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    job: Mapped[Job] = relationship()
    lines: Mapped[list[QuoteLine]] = relationship(back_populates="quote", order_by="QuoteLine.id",
                                                   cascade="all, delete-orphan")


class QuoteLine(Base):
    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    quote: Mapped[Quote] = relationship(back_populates="lines")
    part: Mapped[Part] = relationship()
