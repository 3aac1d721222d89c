"""Work items in the database, claimed so that no two worker processes ever do the same one.

An item is enqueued in the same transaction as the change that needs it (so it can never be lost or
sent for a change that rolled back). Workers claim due items with FOR UPDATE SKIP LOCKED on
PostgreSQL and take a lease; an item whose worker dies mid-run is picked up again when the lease
runs out. SQLite serialises writers, so there the claim is simply exclusive.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UtcDateTime

DEFAULT_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class WorkItem(Base):
    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


# One INSERT ... RETURNING loaded as the item: it is written at once, as a flush would, without the
# unit of work's bookkeeping (every new job that needs a visit enqueues one, inside the report request).
_INSERT_ITEM = select(WorkItem).from_statement(insert(WorkItem.__table__).returning(*WorkItem.__table__.c))


def enqueue(session: Session, *, kind: str, payload: dict[str, Any], now: datetime,
            due_at: datetime | None = None) -> WorkItem:
    return session.scalars(_INSERT_ITEM, dict(
        kind=kind, payload=payload, due_at=due_at or now, created_at=now, claimed_by=None, lease_until=None,
        attempts=0, done_at=None, failed_at=None, last_error="")).one()


def claim(session: Session, *, worker: str, now: datetime, kinds: list[str] | None = None, limit: int = 10,
          lease: timedelta = DEFAULT_LEASE) -> list[WorkItem]:
    """Claim up to `limit` due items for `worker`; the caller commits to make the claim visible."""
    query = (select(WorkItem)
             .where(WorkItem.done_at.is_(None), WorkItem.failed_at.is_(None), WorkItem.due_at <= now,
                    (WorkItem.lease_until.is_(None)) | (WorkItem.lease_until < now))
             .order_by(WorkItem.due_at, WorkItem.id).limit(limit)
             .with_for_update(skip_locked=True))
    if kinds:
        query = query.where(WorkItem.kind.in_(kinds))
    items = list(session.scalars(query))
    for item in items:
        item.claimed_by, item.lease_until = worker, now + lease
        item.attempts += 1
    session.flush()
    return items


def complete(session: Session, item: WorkItem, *, now: datetime) -> None:
    item.done_at, item.lease_until = now, None
    session.flush()


def fail(session: Session, item: WorkItem, *, now: datetime, error: BaseException) -> None:
    """Record the failure; retry later with back-off, or give up after MAX_ATTEMPTS."""
    item.last_error = "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]
    item.lease_until = None
    if item.attempts >= MAX_ATTEMPTS:
        item.failed_at = now
    else:
        item.due_at = now + timedelta(seconds=min(3600, 5 * 2 ** item.attempts))
    session.flush()


Handler = Callable[[Session, WorkItem, datetime], None]


def run_due_items(session_factory, *, handlers: dict[str, Handler], worker: str, now: Callable[[], datetime],
                  limit: int = 10, lease: timedelta = DEFAULT_LEASE) -> int:
    """Claim and run one batch. Each item runs in its own transaction, so one failure does not undo
    the others. Returns how many items were run."""
    with session_factory() as session:
        claimed_ids = [item.id for item in claim(session, worker=worker, now=now(), kinds=list(handlers), limit=limit,
                                                    lease=lease)]
        session.commit()
    for item_id in claimed_ids:
        with session_factory() as session:
            item = session.get(WorkItem, item_id)
            if item is None or item.done_at is not None or item.claimed_by != worker:
                continue
            try:
                handlers[item.kind](session, item, now())
                complete(session, item, now=now())
                session.commit()
            except Exception as error:  # noqa: BLE001 - any handler failure is recorded and retried
                session.rollback()
                item = session.get(WorkItem, item_id)
                fail(session, item, now=now(), error=error)
                session.commit()
    return len(claimed_ids)
