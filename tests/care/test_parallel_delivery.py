"""Two workers drain the outbox at once on PostgreSQL: every message of every step of several jobs
reaches the gateway exactly once, even when each message has two work items asking for it (a retry
queued beside the first send, a held message woken early)."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from care.models import DeliveryState, OutboxMessage
from care.outbox import SEND_MESSAGE
from care.scheduled import care_handlers
from core.db import make_session_factory
from core.work_queue import enqueue, run_due_items
from dispatch.jobs.audit import Actor
from tests.builders.care import WEBHOOK_SECRET, complete_job, make_open_job, webhook_receiver
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def test_parallel_workers_send_every_customer_message_once_and_lose_none(engine, session, settings):
    if engine.dialect.name != "postgresql":
        pytest.skip("parallel claims with SKIP LOCKED are PostgreSQL's; SQLite runs one writer at a time")
    for n in range(5):
        job = make_open_job(session, asset=make_asset(session, phone=f"+86 138 0000 {n:04d}"), owner=None,
                            now=NOW - timedelta(hours=3))
        complete_job(session, job, actor=Actor(label="tech"), now=NOW - timedelta(hours=3))
    messages = session.scalars(select(OutboxMessage.id)).all()
    for message_id in messages:  # a second work item for every message
        enqueue(session, kind=SEND_MESSAGE, payload={"message_id": message_id}, now=NOW)
    session.commit()
    assert len(messages) == 15  # report received, on the way, completed: for each of the five jobs

    factory, start, errors = make_session_factory(engine), threading.Barrier(2), []
    with webhook_receiver(delay_s=0.02) as (url, received):
        handlers = {SEND_MESSAGE: care_handlers(replace(settings, webhook_url=url, webhook_secret=WEBHOOK_SECRET))[
            SEND_MESSAGE]}

        def worker(name: str) -> None:
            try:
                start.wait(timeout=10)
                while run_due_items(factory, handlers=handlers, worker=name, now=lambda: NOW, limit=3):
                    pass
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == [] and received.rejected == 0
        assert sorted(received.ids()) == sorted(messages)  # each once: none twice, none lost
    session.expire_all()
    states = session.scalars(select(OutboxMessage.state)).all()
    assert set(states) == {DeliveryState.SENT}
