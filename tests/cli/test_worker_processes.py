"""Two scheduler processes (real OS processes) on PostgreSQL share the due callbacks: each message is
sent exactly once, and killing one mid-batch (SIGKILL) loses none: its leased items run out and the
other process picks them up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.outbox import queue_message
from core.settings import PROJECT_ROOT
from core.work_queue import WorkItem
from tests.builders.care import WEBHOOK_SECRET, webhook_receiver

MESSAGES = 30
LEASE_SECONDS = 2


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("claiming across processes is a PostgreSQL matter (FOR UPDATE SKIP LOCKED)")
    return database_url


def _queue(session) -> list[int]:
    # Real processes run on the real clock, so the messages are due by the real clock too.
    now = datetime.now(timezone.utc) - timedelta(seconds=1)
    ids = [queue_message(session, channel=MessageChannel.WEBHOOK, purpose="survey", recipient=f"sms:+86 138 0000 {n:04d}",
                         subject="How did we do?", body=f"message {n}", now=now).id for n in range(MESSAGES)]
    session.commit()
    return ids


def _worker(database_url: str, url: str, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.cli.care_worker", database_url, url, WEBHOOK_SECRET,
                             str(LEASE_SECONDS), name], cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})


def _states(session) -> Counter:
    session.rollback()
    return Counter(m.state for m in session.scalars(select(OutboxMessage)))


def test_two_processes_send_each_due_message_exactly_once(postgres_url, engine, session):
    ids = _queue(session)
    with webhook_receiver(delay_s=0.02) as (url, received):
        workers = [_worker(postgres_url, url, f"proc-{n}") for n in (1, 2)]
        for worker in workers:
            assert worker.wait(timeout=60) == 0
        got = received.ids()
    assert sorted(got) == sorted(ids)  # every one, none twice
    assert _states(session) == Counter({DeliveryState.SENT: MESSAGES})
    senders = {item.claimed_by for item in session.scalars(select(WorkItem))}
    assert senders == {"proc-1", "proc-2"}  # the work really was shared


def test_a_process_killed_mid_batch_loses_nothing(postgres_url, engine, session):
    ids = _queue(session)
    with webhook_receiver(delay_s=0.1) as (url, received):
        doomed = _worker(postgres_url, url, "doomed")
        deadline = time.monotonic() + 30
        while len(received.ids()) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        doomed.send_signal(signal.SIGKILL)  # mid-batch: it holds leases on messages it will never send
        doomed.wait(timeout=10)
        survivor = _worker(postgres_url, url, "survivor")
        assert survivor.wait(timeout=60) == 0
        got = received.ids()
    assert set(got) == set(ids)  # nothing lost
    # At most the one message in flight at the kill can arrive twice (sent, not yet recorded); its
    # webhook-id header lets the receiver drop the copy.
    assert len(got) - len(set(got)) <= 1
    assert _states(session) == Counter({DeliveryState.SENT: MESSAGES})
    # The survivor finished items the killed process had claimed, once their lease ran out.
    taken_over = [i for i in session.scalars(select(WorkItem)) if i.attempts == 2 and i.claimed_by == "survivor"]
    assert taken_over
