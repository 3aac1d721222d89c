"""A small scheduler-like worker for the multi-process test: runs the care work items against a
database until no message is left to send or being sent (or its time is up). Run as a separate OS process:

    python -m tests.cli.care_worker DATABASE_URL WEBHOOK_URL SECRET LEASE_SECONDS NAME
"""
from __future__ import annotations

import sys
import time
from datetime import timedelta

from sqlalchemy import func, select

from care.models import DeliveryState, OutboxMessage
from care.scheduled import care_handlers
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.settings import Settings
from core.work_queue import run_due_items


def main(database_url: str, webhook_url: str, secret: str, lease_seconds: str, name: str) -> None:
    settings = Settings(database_url=database_url, webhook_url=webhook_url, webhook_secret=secret)
    factory = make_session_factory(make_engine(database_url))
    lease = timedelta(seconds=float(lease_seconds))
    handlers, clock = care_handlers(settings, lease=lease), SystemClock()
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        ran = run_due_items(factory, handlers=handlers, worker=name, now=clock.now, limit=5,
                            lease=lease)
        if ran:
            continue
        with factory() as session:
            pending = session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.state.in_([DeliveryState.PENDING, DeliveryState.SENDING])))
        if not pending:
            return
        time.sleep(0.2)


if __name__ == "__main__":
    main(*sys.argv[1:])
