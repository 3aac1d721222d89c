"""SLA clocks: which policy applies to a job and when its promises fall due.

The deadlines are computed here once, when the job is reported (or re-classified), and stored on
the job (respond_by, repair_by): every reader — the SLA watch, dispatch, the pages — uses the
stored values, so there is one promise and one clock.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from core.business_hours import add_open_minutes
from core.regions import Region, zone_of
from dispatch.jobs.models import JobCategory, Priority, SlaPolicy


class NoSlaPolicy(Exception):
    """The database holds no default SLA policy; the migration seeds one, so this is a set-up fault."""


# Built once (every new job runs it): SQLAlchemy reuses its compiled form without re-deriving a cache key.
# Most specific first: the category at this priority, the category at any priority, any category at
# this priority, then the default (both NULL).
_POLICY_FOR = (select(SlaPolicy)
               .where(or_(SlaPolicy.category == bindparam("category"), SlaPolicy.category.is_(None)),
                      or_(SlaPolicy.priority == bindparam("priority"), SlaPolicy.priority.is_(None)))
               .order_by(SlaPolicy.category.is_(None), SlaPolicy.priority.is_(None)).limit(1))


def sla_policy_for(session: Session, category: JobCategory, priority: Priority | None = None) -> SlaPolicy:
    """The policy for the category and priority, else the category's policy for any priority, else
    the default, in one query. Without a priority only policies for any priority are considered."""
    policy = session.scalar(_POLICY_FOR, {"category": category, "priority": priority})
    if policy is None:
        raise NoSlaPolicy("No default SLA policy is configured.")
    return policy


def sla_deadlines(policy: SlaPolicy, reported_at: datetime, *, region: Region | None = None,
                  fallback_tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """(respond_by, repair_by). A policy on business hours counts only the region's open hours, in
    the region's time zone; otherwise (or for a region with no business hours) the clock never stops."""
    if policy.business_hours_only and region is not None and region.business_hours:
        tz = zone_of(region, fallback_tz)
        return (add_open_minutes(reported_at, policy.respond_minutes, hours=region.business_hours, tz=tz),
                add_open_minutes(reported_at, policy.repair_minutes, hours=region.business_hours, tz=tz))
    return (reported_at + timedelta(minutes=policy.respond_minutes),
            reported_at + timedelta(minutes=policy.repair_minutes))
