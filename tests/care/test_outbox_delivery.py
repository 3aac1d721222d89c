"""Outbox delivery through real notifiers: email to a local SMTP server (aiosmtpd), the webhook to a
local HTTP receiver that verifies the Standard Webhooks signature with the stock library; failures are
retried with back-off and recorded; the send happens between a committed claim (SENDING, with a lease) and a committed outcome, under the
message's stable id. (Cut database connections: test_outbox_faults.py.)"""
from __future__ import annotations

import base64
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.notifiers import MESSAGE_ID_HEADER, Outgoing, SmtpNotifier, WebhookNotifier, standard_webhook_secret
from care.outbox import MAX_SEND_ATTEMPTS, SEND_MESSAGE, deliver, queue_message
from core.db import make_session_factory
from core.work_queue import DEFAULT_LEASE, WorkItem
from tests.builders.care import WEBHOOK_SECRET, Inbox, smtp_receiver, webhook_receiver
from tests.conftest import NOW


@pytest.fixture
def smtp_server():
    with smtp_receiver() as server:
        yield server


def test_an_email_reaches_a_real_smtp_server(session, smtp_server):
    host, port, inbox = smtp_server
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="survey", recipient="wei@example.com",
                            subject="How did we do?", body="Please answer: http://x/s/abc 请回答", now=NOW)
    deliver(session, message_id=message.id, now=NOW,
            notifiers={"email": SmtpNotifier(host=host, port=port, sender="care@aftercare.test")})
    session.commit()
    assert message.state == DeliveryState.SENT and message.attempts == 1
    [(recipients, mail)] = inbox.mails
    assert recipients == ["wei@example.com"] and mail["Subject"] == "How did we do?"
    assert mail["Message-ID"] == f"<outbox-{message.id}@aftercare>"
    assert "请回答" in mail.get_payload(decode=True).decode()


def test_an_unreachable_smtp_server_is_retried_with_back_off_then_given_up(session):
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="survey", recipient="wei@example.com",
                            subject="s", body="b", now=NOW)
    dead = {"email": SmtpNotifier(host="127.0.0.1", port=1, sender="x@y", timeout=2)}
    moment = NOW
    for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
        deliver(session, message_id=message.id, notifiers=dead, now=moment)
        assert message.attempts == attempt and "SMTP 127.0.0.1:1" in message.last_error
        if attempt < MAX_SEND_ATTEMPTS:
            assert message.state == DeliveryState.PENDING and message.next_attempt_at > moment
            moment = message.next_attempt_at
    assert message.state == DeliveryState.FAILED and message.next_attempt_at is None
    retries = session.scalars(select(WorkItem.due_at).where(WorkItem.kind == SEND_MESSAGE).order_by(WorkItem.id)).all()
    assert len(retries) == MAX_SEND_ATTEMPTS  # the first send plus one queued retry per failure but the last
    gaps = [b - a for a, b in zip(retries, retries[1:])]
    assert gaps == sorted(gaps) and gaps[0] == timedelta(minutes=1)


def test_the_webhook_is_signed_and_a_failed_post_is_retried(session):
    with webhook_receiver() as (url, received):
        message = queue_message(session, channel=MessageChannel.WEBHOOK, purpose="sla_warning",
                                recipient="user:manager.xu", subject="SLA warning", body="Job AC-1 is late",
                                now=NOW, data={"job": "AC-1"})
        notifier = {"webhook": WebhookNotifier(url=url, secret=WEBHOOK_SECRET)}
        received.fail_next = 1
        deliver(session, message_id=message.id, notifiers=notifier, now=NOW)
        assert message.state == DeliveryState.PENDING and "503" in message.last_error
        deliver(session, message_id=message.id, notifiers=notifier, now=message.next_attempt_at)
        assert message.state == DeliveryState.SENT and message.attempts == 2
        deliver(session, message_id=message.id, notifiers=notifier, now=message.sent_at)  # a stale retry item
        assert message.attempts == 2  # sent is sent: never twice
        [got] = received.messages
        assert got["to"] == "user:manager.xu" and got["data"] == {"job": "AC-1"} and got["id"] == message.id


def test_a_wrongly_signed_webhook_is_refused_by_the_receiver(session):
    with webhook_receiver(secret="the-receivers-secret") as (url, received):
        message = queue_message(session, channel=MessageChannel.WEBHOOK, purpose="x", recipient="user:a",
                                subject="s", body="b", now=NOW)
        deliver(session, message_id=message.id, now=NOW,
                notifiers={"webhook": WebhookNotifier(url=url, secret="some-other-secret")})
        assert received.rejected == 1 and received.messages == []
        assert message.state == DeliveryState.PENDING and "401" in message.last_error


def test_the_webhook_secret_is_the_configured_one_in_the_whsec_form_stock_code_takes():
    assert standard_webhook_secret("k" * 40) == "whsec_" + base64.b64encode(b"k" * 40).decode()
    issued = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert standard_webhook_secret(issued) == issued  # a gateway's own secret is used as it is


class _Capture(BaseHTTPRequestHandler):
    got: ClassVar[list] = []

    def do_POST(self):
        self.got.append(({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_signature_covers_id_timestamp_and_body_and_the_id_is_the_outbox_row_s():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        WebhookNotifier(url=f"http://127.0.0.1:{server.server_port}/", secret=WEBHOOK_SECRET).send(
            Outgoing(message_id=41, recipient="sms:+86 1", subject="s", body="您好", purpose="x", data={}), now=NOW)
    finally:
        server.shutdown()
        server.server_close()
    [(headers, body)] = _Capture.got
    verifier = Webhook(standard_webhook_secret(WEBHOOK_SECRET))
    assert verifier.verify(body, headers)["text"] == "您好" and headers["webhook-id"] == "41"
    for changed in ({"webhook-id": "42"}, {"webhook-timestamp": str(int(headers["webhook-timestamp"]) - 1)}):
        with pytest.raises(WebhookVerificationError):
            verifier.verify(body, {**headers, **changed})
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace("您好".encode(), "再见".encode()), headers)


def test_a_channel_without_a_notifier_is_marked_undeliverable_not_retried(session):
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="x", recipient="a@b", subject="s",
                            body="b", now=NOW)
    deliver(session, message_id=message.id, notifiers={}, now=NOW)
    assert message.state == DeliveryState.UNDELIVERABLE and "no email notifier" in message.last_error
    assert session.get(OutboxMessage, message.id).attempts == 0


class _WorkerDied(BaseException):
    """The worker process ends right after the far side accepted the message, before recording it."""


class _DiesAfterSending:
    def __init__(self, inner):
        self.inner = inner

    def send(self, message: Outgoing, *, now) -> None:
        self.inner.send(message, now=now)
        raise _WorkerDied


def test_the_claim_is_committed_as_sending_and_the_send_runs_outside_any_transaction(engine, session, smtp_server):
    host, port, inbox = smtp_server
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="survey", recipient="wei@example.com",
                            subject="s", body="b", now=NOW)
    seen = []

    class Watching:
        def send(self, outgoing: Outgoing, *, now) -> None:
            with make_session_factory(engine)() as other:  # what any other connection sees meanwhile
                row = other.get(OutboxMessage, outgoing.message_id)
                seen.append((session.in_transaction(), row.state, row.attempts, row.next_attempt_at))
            SmtpNotifier(host=host, port=port, sender="care@aftercare.test").send(outgoing, now=now)

    deliver(session, message_id=message.id, notifiers={"email": Watching()}, now=NOW)
    assert seen == [(False, DeliveryState.SENDING, 1, NOW + DEFAULT_LEASE)]
    assert not session.in_transaction()  # the outcome is committed too
    assert message.state == DeliveryState.SENT and message.next_attempt_at is None and len(inbox.mails) == 1


@pytest.mark.parametrize("channel", [MessageChannel.EMAIL, MessageChannel.WEBHOOK])
def test_a_message_left_sending_by_a_dead_worker_is_sent_again_after_its_lease_with_the_same_id(session, smtp_server,
                                                                                                channel):
    host, port, inbox = smtp_server
    with webhook_receiver() as (url, received):
        notifiers = {"email": SmtpNotifier(host=host, port=port, sender="care@aftercare.test"),
                     "webhook": WebhookNotifier(url=url, secret=WEBHOOK_SECRET)}
        message = queue_message(session, channel=channel, purpose="survey", recipient="wei@example.com",
                                subject="s", body="b", now=NOW)
        with pytest.raises(_WorkerDied):
            deliver(session, message_id=message.id, now=NOW,
                    notifiers={name: _DiesAfterSending(notifier) for name, notifier in notifiers.items()})
        session.refresh(message)
        assert message.state == DeliveryState.SENDING and message.next_attempt_at == NOW + DEFAULT_LEASE

        # Another worker within the lease leaves it alone, and queues a look at the lease's end.
        deliver(session, message_id=message.id, notifiers=notifiers, now=NOW + timedelta(minutes=1))
        assert message.state == DeliveryState.SENDING and message.attempts == 1
        assert len(inbox.mails) + len(received.messages) == 1
        due = session.scalars(select(WorkItem.due_at).where(WorkItem.kind == SEND_MESSAGE).order_by(WorkItem.id)).all()
        assert due == [NOW, NOW + DEFAULT_LEASE]

        deliver(session, message_id=message.id, notifiers=notifiers, now=NOW + DEFAULT_LEASE)
        assert message.state == DeliveryState.SENT and message.attempts == 2
        if channel == MessageChannel.EMAIL:
            assert inbox.message_ids() == [f"<outbox-{message.id}@aftercare>"] * 2  # the receiver can drop one
            assert [mail[MESSAGE_ID_HEADER] for _, mail in inbox.mails] == [str(message.id)] * 2
        else:
            assert [(m["id"], m["header_id"]) for m in received.messages] == [(message.id, str(message.id))] * 2


def test_a_dead_worker_on_the_last_attempt_gives_the_message_up(session, smtp_server):
    host, port, inbox = smtp_server
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="x", recipient="a@b", subject="s",
                            body="b", now=NOW)
    message.state, message.attempts, message.next_attempt_at = DeliveryState.SENDING, MAX_SEND_ATTEMPTS, NOW
    deliver(session, message_id=message.id, now=NOW,
            notifiers={"email": SmtpNotifier(host=host, port=port, sender="care@aftercare.test")})
    assert message.state == DeliveryState.FAILED and "may have been delivered" in message.last_error
    assert inbox.mails == []


def test_two_workers_at_once_send_a_message_once(engine, session):
    message = queue_message(session, channel=MessageChannel.WEBHOOK, purpose="x", recipient="user:a", subject="s",
                            body="b", now=NOW)
    session.commit()
    factory, start, errors = make_session_factory(engine), threading.Barrier(2), []
    with webhook_receiver(delay_s=0.3) as (url, received):
        notifiers = {"webhook": WebhookNotifier(url=url, secret=WEBHOOK_SECRET)}

        def worker() -> None:
            try:
                with factory() as own:
                    start.wait(timeout=10)
                    deliver(own, message_id=message.id, notifiers=notifiers, now=NOW)
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == [] and received.ids() == [message.id]
    session.refresh(message)
    assert message.state == DeliveryState.SENT and message.attempts == 1


def test_an_email_the_server_accepted_is_sent_even_if_the_goodbye_fails(session):
    class RudeInbox(Inbox):
        async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
            return "554 not saying goodbye"

    with smtp_receiver(RudeInbox()) as (host, port, inbox):
        message = queue_message(session, channel=MessageChannel.EMAIL, purpose="x", recipient="a@b", subject="s",
                                body="b", now=NOW)
        deliver(session, message_id=message.id, now=NOW,
                notifiers={"email": SmtpNotifier(host=host, port=port, sender="care@aftercare.test")})
        assert message.state == DeliveryState.SENT and len(inbox.mails) == 1  # not a failure to retry


def test_a_held_message_waits_for_its_hour_whatever_work_item_wakes_it(session, smtp_server):
    host, port, inbox = smtp_server
    morning = NOW + timedelta(hours=9)
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="job_completed", recipient="wei@example.com",
                            subject="s", body="b", now=NOW, not_before=morning)
    item = session.scalars(select(WorkItem).where(WorkItem.kind == SEND_MESSAGE)).one()
    assert item.due_at == morning and message.next_attempt_at == morning
    notifiers = {"email": SmtpNotifier(host=host, port=port, sender="care@aftercare.test")}
    deliver(session, message_id=message.id, notifiers=notifiers, now=NOW + timedelta(hours=1))  # woken early
    assert message.state == DeliveryState.PENDING and message.attempts == 0 and inbox.mails == []
    due = session.scalars(select(WorkItem.due_at).where(WorkItem.kind == SEND_MESSAGE).order_by(WorkItem.id)).all()
    assert due[-1] == morning  # looked at again at the hour, not lost
    deliver(session, message_id=message.id, notifiers=notifiers, now=morning)
    assert message.state == DeliveryState.SENT and len(inbox.mails) == 1
