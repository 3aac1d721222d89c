"""How long the bookkeeping tables keep a row once it has done its job, and the pruning that enforces it.

These tables grow with every request and every piece of background work; what they hold is useful for
a while (a retry finds its first answer, a failure can be read) and then only costs space and index
time. The customer's record (jobs, their events, messages, surveys) is never pruned here.

Rows go in batches, each its own short transaction, so pruning a year's backlog never holds a lock for
long and a crash loses nothing but the batch in flight.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from core.i18n import N_
from core.idempotency import IdempotentRequest
from core.rate_limits import RateLimitCounter
from core.sign_in import SignInFailure
from core.work_queue import WorkItem
from fieldwork.models import FieldUpdate

BATCH = 5_000


@dataclass(frozen=True)
class Rule:
    table: Table
    why: str
    # Which rows are done with, given "now"; the (one-column) primary key picks them in batches.
    expired: Callable[[datetime], ColumnElement[bool]]


RULES = (
    Rule(WorkItem.__table__, N_("background work done 14 days ago, or given up 90 days ago"),
         lambda now: ((WorkItem.done_at < now - timedelta(days=14))
                      | (WorkItem.failed_at < now - timedelta(days=90)))),
    Rule(IdempotentRequest.__table__, N_("an Idempotency-Key is remembered for 7 days"),
         lambda now: IdempotentRequest.created_at < now - timedelta(days=7)),
    Rule(FieldUpdate.__table__, N_("a phone's retried update is recognised for 30 days"),
         lambda now: FieldUpdate.received_at < now - timedelta(days=30)),
    Rule(RateLimitCounter.__table__, N_("a rate-limit window that ended a day ago"),
         lambda now: RateLimitCounter.expires_at < (now - timedelta(days=1)).timestamp()),
    Rule(SignInFailure.__table__, N_("failed sign-ins count for 15 minutes; kept a day to read"),
         lambda now: SignInFailure.at < now - timedelta(days=1)),
)


def prune_batch(session: Session, rule: Rule, *, now: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` expired rows of `rule`'s table; the caller commits."""
    [key] = rule.table.primary_key.columns
    ids = list(session.scalars(select(key).where(rule.expired(now)).order_by(key).limit(batch)))
    if ids:
        session.execute(delete(rule.table).where(key.in_(ids)))
    return len(ids)


def prune(session_factory: sessionmaker, *, now: datetime, batch: int = BATCH,
          progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Delete every expired row; how many went, by table."""
    removed: dict[str, int] = {}
    for rule in RULES:
        total = 0
        while True:
            with session_factory() as session:
                count = prune_batch(session, rule, now=now, batch=batch)
                session.commit()
            total += count
            if progress is not None and count:
                progress(rule.table.name, total)
            if count < batch:
                break
        removed[rule.table.name] = total
    return removed
