"""Outbox delivery through real notifiers: email to a local SMTP server (aiosmtpd), the webhook to a
local HTTP receiver that checks the HMAC signature; failures are retried with back-off and recorded."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.notifiers import SmtpNotifier, WebhookNotifier, sign, verify
from care.outbox import MAX_SEND_ATTEMPTS, SEND_MESSAGE, deliver, queue_message
from core.work_queue import WorkItem
from tests.builders.care import smtp_receiver, webhook_receiver, WEBHOOK_SECRET
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


def test_the_signature_covers_timestamp_and_body():
    signature = sign("k", "1700000000", b'{"a":1}')
    assert verify("k", "1700000000", b'{"a":1}', signature)
    assert not verify("k", "1700000001", b'{"a":1}', signature)
    assert not verify("k", "1700000000", b'{"a":2}', signature)


def test_a_channel_without_a_notifier_is_marked_undeliverable_not_retried(session):
    message = queue_message(session, channel=MessageChannel.EMAIL, purpose="x", recipient="a@b", subject="s",
                            body="b", now=NOW)
    deliver(session, message_id=message.id, notifiers={}, now=NOW)
    assert message.state == DeliveryState.UNDELIVERABLE and "no email notifier" in message.last_error
    assert session.get(OutboxMessage, message.id).attempts == 0
