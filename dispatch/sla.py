"""SLA clocks: which policy applies to a job and when its promises fall due."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.classifier import JobCategory
from dispatch.models import SlaPolicy


class NoSlaPolicy(Exception):
    """The database holds no default SLA policy; the migration seeds one, so this is a set-up fault."""


def sla_policy_for(session: Session, category: JobCategory) -> SlaPolicy:
    specific = session.scalar(select(SlaPolicy).where(SlaPolicy.category == category))
    if specific is not None:
        return specific
    default = session.scalar(select(SlaPolicy).where(SlaPolicy.category.is_(None)))
    if default is None:
        raise NoSlaPolicy("No default SLA policy is configured.")
    return default


def sla_deadlines(policy: SlaPolicy, reported_at: datetime) -> tuple[datetime, datetime]:
    return (reported_at + timedelta(minutes=policy.respond_minutes),
            reported_at + timedelta(minutes=policy.repair_minutes))
