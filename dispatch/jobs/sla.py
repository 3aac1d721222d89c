"""SLA clocks: which policy applies to a job and when its promises fall due.

The deadlines are computed here when the job is reported, re-classified or given another priority,
and when a pause (waiting for the customer) ends, and stored on the job (respond_by, repair_by): every
reader — the SLA watch, dispatch, the at-risk list, the pages, the dashboard — uses the stored values,
so there is one promise and one clock. A pause moves a clock that was still running and not yet due
when the pause began, by the time it stood still (open time only, under a business-hours policy).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from core.business_hours import add_open_minutes, open_time_between
from core.regions import Region, zone_of
from dispatch.jobs.models import Job, JobCategory, Priority, SlaPolicy


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


class Interval(Protocol):
    started_at: datetime
    ended_at: datetime | None


def _on_business_hours(policy: SlaPolicy, region: Region | None) -> bool:
    return bool(policy.business_hours_only and region is not None and region.business_hours)


def pushed(policy: SlaPolicy, due: datetime, *, stopped: datetime | None, pause: Interval,
           region: Region | None = None, fallback_tz: ZoneInfo | None = None) -> datetime:
    """`due` moved by an ended pause, if the clock was still running and not yet due when it began.
    A clock that stopped during the pause moves by the part of the pause before it stopped."""
    if pause.ended_at is None or pause.started_at >= due or (stopped is not None and stopped <= pause.started_at):
        return due
    end = min(pause.ended_at, stopped) if stopped is not None else pause.ended_at
    if _on_business_hours(policy, region):
        tz = zone_of(region, fallback_tz)
        still = open_time_between(pause.started_at, end, hours=region.business_hours, tz=tz)
        # Whole minutes, as the policies count them.
        return add_open_minutes(due, round(still.total_seconds() / 60), hours=region.business_hours, tz=tz)
    return due + (end - pause.started_at)


def stored_deadlines(job: Job, policy: SlaPolicy, *, pauses: Iterable[Interval],
                     fallback_tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """(respond_by, repair_by) to store on `job` under `policy`: made from the report time, then moved
    by every ended pause in turn. The one computation behind every stored deadline after intake."""
    region = job.asset.region if job.asset else None
    respond_by, repair_by = sla_deadlines(policy, job.reported_at, region=region, fallback_tz=fallback_tz)
    for pause in sorted(pauses, key=lambda p: p.started_at):
        respond_by = pushed(policy, respond_by, stopped=job.responded_at, pause=pause, region=region,
                            fallback_tz=fallback_tz)
        repair_by = pushed(policy, repair_by, stopped=job.resolved_at, pause=pause, region=region,
                           fallback_tz=fallback_tz)
    return respond_by, repair_by
