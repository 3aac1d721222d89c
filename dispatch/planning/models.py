"""Tables of planning: requested re-optimisations of a region's day."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum
from core.regions import Region


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
