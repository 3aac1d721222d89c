"""SLA clocks: which policy applies to a job and when its promises fall due."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from dispatch.jobs.models import JobCategory, SlaPolicy


class NoSlaPolicy(Exception):
    """The database holds no default SLA policy; the migration seeds one, so this is a set-up fault."""


# Built once (every new job runs it): SQLAlchemy reuses its compiled form without re-deriving a cache key.
_POLICY_FOR_CATEGORY = (select(SlaPolicy)
                        .where(or_(SlaPolicy.category == bindparam("category"), SlaPolicy.category.is_(None)))
                        .order_by(SlaPolicy.category.is_(None)).limit(1))


def sla_policy_for(session: Session, category: JobCategory) -> SlaPolicy:
    """The policy for the category if there is one, else the default, in one query."""
    policy = session.scalar(_POLICY_FOR_CATEGORY, {"category": category})
    if policy is None:
        raise NoSlaPolicy("No default SLA policy is configured.")
    return policy


def sla_deadlines(policy: SlaPolicy, reported_at: datetime) -> tuple[datetime, datetime]:
    return (reported_at + timedelta(minutes=policy.respond_minutes),
            reported_at + timedelta(minutes=policy.repair_minutes))
