"""The message outbox: every message is a row with its delivery state, written in the transaction that
caused it and sent afterwards by a work item, with retries and back-off recorded on the row. A send
happens outside any database transaction, between a committed claim and a recorded outcome (`deliver`)."""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.notifiers import DeliveryError, Notifier, Outgoing
from core.background import MESSAGES, defer
from core.users import User
from core.work_queue import DEFAULT_LEASE
from dispatch.jobs.models import Job

SEND_MESSAGE = "care_send_message"
MAX_SEND_ATTEMPTS = 6
# Waits before the 2nd, 3rd, ... attempt: quick at first (a blip), then spaced out (an outage).
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=6)]
# Waits between tries to record a send's outcome while the database is unreachable (about 10 s in all):
# a lost connection is replaced at once; a restarting server gets a few seconds.
RECORD_RETRY_DELAYS_S = (0.1, 0.5, 2.0, 7.0)


# One INSERT ... RETURNING loaded as the message: written at once (its work item needs its id), without
# the unit of work's bookkeeping of a flush, for every message of every report and plan.
_INSERT_MESSAGE = select(OutboxMessage).from_statement(insert(OutboxMessage.__table__)
                                                       .returning(*OutboxMessage.__table__.c))


def queue_message(session: Session, *, channel: MessageChannel, purpose: str, recipient: str, subject: str,
                  body: str, now: datetime, job: Job | None = None,
                  data: dict[str, Any] | None = None, not_before: datetime | None = None) -> OutboxMessage:
    """`not_before`: hold the message until then (the customer's quiet hours)."""
    due = not_before if not_before is not None and not_before > now else now
    message = session.scalars(_INSERT_MESSAGE, {
        "channel": channel, "purpose": purpose, "recipient": recipient[:254], "subject": subject[:200], "body": body,
        "data": data or {}, "job_id": job.id if job else None, "state": DeliveryState.PENDING, "attempts": 0,
        "last_error": "", "created_at": now, "next_attempt_at": due, "sent_at": None,
        "not_before": due if due > now else None}).one()
    defer(session, queue=MESSAGES, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now, due_at=due)
    return message


def is_held(message: OutboxMessage, *, now: datetime) -> bool:
    """Still waiting for its hour and never tried: nobody has seen it yet."""
    return (message.state == DeliveryState.PENDING and message.attempts == 0 and message.not_before is not None
            and message.not_before > now)


def supersede(message: OutboxMessage, *, now: datetime) -> None:
    """Withdraw a held message that newer news replaces (see `is_held`)."""
    message.state, message.next_attempt_at = DeliveryState.SUPERSEDED, None
    message.last_error = f"replaced by newer news at {now.isoformat()}"


# Preferred channels a customer may choose, and how each is reached.
CUSTOMER_CHANNELS = ("email", "sms", "wechat")
# Recipients behind the webhook say which gateway carries them: "sms:+86...", "wechat:+86...", "user:name".
STAFF_PREFIX = "user:"


def customer_address(job: Job) -> tuple[MessageChannel, str]:
    """The customer's preferred channel (SMS and WeChat template messages through the webhook gateway,
    e-mail through SMTP); without one, e-mail when they gave an address, else a text message."""
    customer = job.customer
    phone = job.contact_phone or customer.phone
    preferred = customer.preferred_channel
    if preferred == "wechat":
        return MessageChannel.WEBHOOK, f"wechat:{phone}"
    if preferred == "sms" or not customer.email:
        return MessageChannel.WEBHOOK, f"sms:{phone}"
    return MessageChannel.EMAIL, customer.email


def staff_address(user: User) -> tuple[MessageChannel, str]:
    """Colleagues are reached in the team chat, which sits behind the webhook."""
    return MessageChannel.WEBHOOK, f"{STAFF_PREFIX}{user.username}"


@dataclass(frozen=True)
class CustomerMessage:
    """One message to a job's customer as staff see it (the job page, the API)."""
    id: int
    channel: str          # email, sms, wechat
    purpose: str
    recipient: str
    subject: str
    state: DeliveryState
    attempts: int
    last_error: str
    created_at: datetime
    not_before: datetime | None
    sent_at: datetime | None


def delivery_channel(message: OutboxMessage) -> str:
    """The channel as the customer knows it: e-mail, or the gateway behind the webhook."""
    if message.channel == MessageChannel.EMAIL:
        return "email"
    gateway, _, _rest = message.recipient.partition(":")
    return gateway if gateway in CUSTOMER_CHANNELS else message.channel.value


def messages_of_job(session: Session, job_id: int) -> list[CustomerMessage]:
    """Every message to the customer of a job, oldest first (colleagues' alerts about it left out)."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job_id,
                                                       OutboxMessage.recipient.not_like(f"{STAFF_PREFIX}%"))
                           .order_by(OutboxMessage.created_at, OutboxMessage.id))
    return [CustomerMessage(id=m.id, channel=delivery_channel(m), purpose=m.purpose, recipient=m.recipient,
                            subject=m.subject, state=m.state, attempts=m.attempts, last_error=m.last_error,
                            created_at=m.created_at, not_before=m.not_before, sent_at=m.sent_at) for m in rows]


def deliver(session: Session, *, message_id: int, notifiers: Mapping[str, Notifier], now: datetime,
            lease: timedelta = DEFAULT_LEASE) -> OutboxMessage | None:
    """One delivery attempt, in three steps so that no transaction is open while the far side talks:

    1. claim: lock the row, mark it SENDING with a lease, and COMMIT (the session holds no connection
       after that). A connection lost before this commit sends nothing; the work item is retried.
    2. send, outside any transaction, under the message's stable id (Message-ID / webhook-id
       from the row id), so a receiver can drop a repeat.
    3. record the outcome in a new short transaction, retried while the connection is lost, so a
       message the far side has accepted is marked sent and never sent again.

    Only a worker dying between 2 and 3 leaves a message SENDING; it is sent again, with the same id,
    once its lease has run out. A SENDING message still within its lease is another worker's: it is
    left alone (never two sends at once) and looked at again when the lease ends.

    Unlike the domain's services, this owns its transactions: it commits the session it is given
    (anything already pending in it goes with the claim), and returns with no transaction open.
    A failure is recorded and a retry queued, so the work item itself succeeds."""
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update())
    if message is None or message.state in (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNDELIVERABLE,
                                            DeliveryState.SUPERSEDED):
        session.commit()
        return message
    if message.state == DeliveryState.PENDING and message.not_before is not None and message.not_before > now:
        # Held for the customer's quiet hours: whatever work item woke us, wait for the hour.
        defer(session, queue=MESSAGES, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now,
              due_at=message.not_before)
        session.commit()
        return message
    if message.state == DeliveryState.SENDING and message.next_attempt_at is not None and message.next_attempt_at > now:
        # In flight at another worker (or its worker died and the lease has not run out): look again
        # when it ends, so the message never waits without a work item to take it over.
        defer(session, queue=MESSAGES, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now,
                due_at=message.next_attempt_at)
        session.commit()
        return message
    notifier = notifiers.get(message.channel.value)
    if notifier is None:
        message.state = DeliveryState.UNDELIVERABLE
        message.last_error = f"no {message.channel.value} notifier is configured"
        message.next_attempt_at = None
        session.commit()
        return message
    if message.attempts >= MAX_SEND_ATTEMPTS:  # a worker died during the last attempt: it may have arrived
        message.state, message.next_attempt_at = DeliveryState.FAILED, None
        message.last_error = "the worker stopped while sending the last attempt; it may have been delivered"
        session.commit()
        return message
    message.state, message.next_attempt_at = DeliveryState.SENDING, now + lease
    message.attempts += 1
    attempt = message.attempts
    outgoing = Outgoing(message_id=message.id, recipient=message.recipient, subject=message.subject,
                        body=message.body, purpose=message.purpose, data=message.data)
    session.commit()

    try:
        notifier.send(outgoing, now=now)
    except Exception as error:  # noqa: BLE001 - any failure to send is a failed attempt, never a stuck SENDING
        failure: Exception | None = error
    else:
        failure = None

    return _record_outcome(session, message_id=message_id, attempt=attempt, failure=failure, now=now)


def _record_outcome(session: Session, *, message_id: int, attempt: int, failure: Exception | None,
                    now: datetime) -> OutboxMessage | None:
    """Step 3 of `deliver`: a new short transaction, retried after a lost connection or a busy database
    (a message the far side accepted must be marked sent, or it would be sent again)."""
    for delay in (*RECORD_RETRY_DELAYS_S, None):
        try:
            message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update())
            if message is None:
                pass
            elif failure is None:
                # Sent: whoever else holds it now (a takeover after the lease ran out) has nothing left to do.
                if message.state != DeliveryState.SENT:
                    message.state, message.sent_at, message.next_attempt_at = DeliveryState.SENT, now, None
            elif message.state == DeliveryState.SENDING and message.attempts == attempt:
                _record_failure(session, message, failure, now=now)
            session.commit()
            return message
        except OperationalError:
            session.rollback()
            if delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")


def _record_failure(session: Session, message: OutboxMessage, failure: Exception, *, now: datetime) -> None:
    error = str(failure) if isinstance(failure, DeliveryError) else f"{type(failure).__name__}: {failure}"
    message.last_error = error[:2000]
    if message.attempts >= MAX_SEND_ATTEMPTS:
        message.state, message.next_attempt_at = DeliveryState.FAILED, None
    else:
        message.state = DeliveryState.PENDING
        message.next_attempt_at = now + RETRY_DELAYS[min(message.attempts - 1, len(RETRY_DELAYS) - 1)]
        defer(session, queue=MESSAGES, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now,
                due_at=message.next_attempt_at)
