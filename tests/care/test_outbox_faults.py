"""Fault test on PostgreSQL: the database connection is cut (pg_terminate_backend from another
connection, waiting until the backend is gone) at the points that matter for an outbox send, on the
scheduler's own path (run_due_items with the care handlers), to a real SMTP server and to the real
webhook receiver. It counts what the far side received:

- cut BEFORE the send (the claim cannot commit): nothing is delivered then; the retry delivers it once;
- cut AFTER the send (the far side has accepted it, the outcome is not recorded yet): delivered exactly
  once, and never again however long the queue keeps running;
- cut in between (the claim is committed, the send has not begun): delivered exactly once.
"""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.notifiers import Outgoing, SmtpNotifier, WebhookNotifier
from care.outbox import SEND_MESSAGE, queue_message
from care.scheduled import care_handlers
from core.clock import FixedClock
from core.db import make_engine, make_session_factory
from core.work_queue import DEFAULT_LEASE, run_due_items
from tests.builders.care import WEBHOOK_SECRET, smtp_receiver, webhook_receiver
from tests.conftest import NOW

TRIALS = 5  # per channel and cut point
BEFORE, BETWEEN, AFTER = "before the send", "between claim and send", "after the send"


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the connection is cut with pg_terminate_backend: a PostgreSQL test")
    return database_url


class _Cutter:
    """Terminates every backend of the worker's engine (found by its application_name)."""

    def __init__(self, url: str, application_name: str):
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.application_name = application_name

    def cut(self) -> None:
        with self.admin.connect() as connection:
            terminated = connection.scalars(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": self.application_name}).all()
        assert terminated and all(terminated), "the cut must really end a connection of the worker"


class _Fault:
    """Where to cut on the next send: wraps the real notifiers (cut right before or right after the real
    send) and the message handler (cut as the claim commits, the last database step before the send)."""

    def __init__(self, cutter: _Cutter):
        self.cutter, self.point, self.at_commit = cutter, None, False

    def notifier(self, inner):
        fault = self

        class Cutting:
            def send(self, message: Outgoing, *, now) -> None:
                if fault.point == BETWEEN:
                    fault.cutter.cut()
                inner.send(message, now=now)
                if fault.point == AFTER:
                    fault.cutter.cut()

        return Cutting()

    def handler(self, inner):
        def send_message(session, item, now):
            self.at_commit = self.point == BEFORE
            try:
                inner(session, item, now)
            finally:
                self.at_commit = False

        return send_message

    def on_commit(self, _connection) -> None:  # the engine's "commit" event, before COMMIT is sent
        if self.at_commit:
            self.at_commit = False
            self.cutter.cut()


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "no-pre-ping"])
def test_a_cut_database_connection_never_sends_a_message_twice(postgres_url, engine, settings, capsys, pre_ping):
    application_name = f"outbox-fault-{uuid.uuid4().hex[:8]}"
    worker_engine = make_engine(postgres_url, pool_pre_ping=pre_ping,
                                connect_args={"application_name": application_name})
    cutter = _Cutter(postgres_url, application_name)
    fault = _Fault(cutter)
    event.listen(worker_engine, "commit", fault.on_commit)
    factory, clock = make_session_factory(worker_engine), FixedClock(NOW)
    try:
        with smtp_receiver() as (host, port, inbox), webhook_receiver() as (url, received):
            notifiers = {"email": fault.notifier(SmtpNotifier(host=host, port=port, sender="care@aftercare.test")),
                         "webhook": fault.notifier(WebhookNotifier(url=url, secret=WEBHOOK_SECRET))}
            handlers = care_handlers(settings, notifiers=notifiers)
            handlers = {SEND_MESSAGE: fault.handler(handlers[SEND_MESSAGE])}

            def delivered() -> Counter:
                ids = [int(m.removeprefix("<outbox-").removesuffix("@aftercare>")) for m in inbox.message_ids()]
                with received.lock:
                    assert all(m["header_id"] == str(m["id"]) for m in received.messages)
                    ids += [m["id"] for m in received.messages]
                return Counter(ids)

            def drain() -> None:
                while run_due_items(factory, handlers=handlers, worker="faulty", now=clock.now):
                    pass

            outcomes: dict[str, list[tuple[int, int]]] = {BEFORE: [], BETWEEN: [], AFTER: []}
            for point, results in outcomes.items():
                for trial in range(TRIALS * 2):
                    channel = MessageChannel.EMAIL if trial % 2 == 0 else MessageChannel.WEBHOOK
                    with factory() as session:
                        message_id = queue_message(
                            session, channel=channel, purpose="survey", subject="How did we do?",
                            body=f"{point} #{trial}", now=clock.now(),
                            recipient="wei@example.com" if channel == MessageChannel.EMAIL else "sms:+86 138 0000 0001").id
                        session.commit()
                    fault.point = point
                    run_due_items(factory, handlers=handlers, worker="faulty", now=clock.now)
                    fault.point = None
                    at_fault = delivered()[message_id]
                    with factory() as session:  # a lost claim leaves it pending; a lost mark is retried at once
                        assert session.get(OutboxMessage, message_id).state == (
                            DeliveryState.PENDING if point == BEFORE else DeliveryState.SENT)
                    # Then whatever the queue still holds for it: a retry after back-off, a lease running out.
                    for _ in range(3):
                        clock.advance(DEFAULT_LEASE + timedelta(minutes=1))
                        drain()
                    results.append((at_fault, delivered()[message_id]))
                    with factory() as session:
                        assert session.get(OutboxMessage, message_id).state == DeliveryState.SENT

        def line(point: str) -> str:
            results = outcomes[point]
            return (f"{point}: {len(results)} sends, delivered at the cut {sum(a for a, _ in results)}, "
                    f"in the end {sum(f for _, f in results)} "
                    f"(once: {sum(f == 1 for _, f in results)}, twice or more: {sum(f > 1 for _, f in results)})")

        with capsys.disabled():
            print(f"\noutbox fault test, connection cut on PostgreSQL ({'with' if pre_ping else 'without'} pool pre-ping):")
            for point in outcomes:
                print("  " + line(point))
        assert all(at_fault == 0 for at_fault, _ in outcomes[BEFORE]), line(BEFORE)
        assert all(final == 1 for _, final in outcomes[BEFORE]), line(BEFORE)
        for point in (BETWEEN, AFTER):
            assert all(outcome == (1, 1) for outcome in outcomes[point]), line(point)
    finally:
        cutter.admin.dispose()
        worker_engine.dispose()
