"""The message outbox: every message is a row with its delivery state, written in the transaction that
caused it and sent afterwards by a work item, with retries and back-off recorded on the row."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import DeliveryState, MessageChannel, OutboxMessage
from care.notifiers import DeliveryError, Notifier, Outgoing
from core.users import User
from core.work_queue import enqueue
from dispatch.jobs.models import Job

SEND_MESSAGE = "care_send_message"
MAX_SEND_ATTEMPTS = 6
# Waits before the 2nd, 3rd, ... attempt: quick at first (a blip), then spaced out (an outage).
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=6)]


def queue_message(session: Session, *, channel: MessageChannel, purpose: str, recipient: str, subject: str,
                  body: str, now: datetime, job: Job | None = None,
                  data: dict[str, Any] | None = None) -> OutboxMessage:
    message = OutboxMessage(channel=channel, purpose=purpose, recipient=recipient[:254], subject=subject[:200],
                            body=body, data=data or {}, job_id=job.id if job else None,
                            state=DeliveryState.PENDING, attempts=0, last_error="", created_at=now,
                            next_attempt_at=now)
    session.add(message)
    session.flush()
    enqueue(session, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now)
    return message


def customer_address(job: Job) -> tuple[MessageChannel, str]:
    """Email when the customer gave one; otherwise a text message through the webhook's SMS gateway."""
    if job.customer.email:
        return MessageChannel.EMAIL, job.customer.email
    return MessageChannel.WEBHOOK, f"sms:{job.contact_phone or job.customer.phone}"


def staff_address(user: User) -> tuple[MessageChannel, str]:
    """Colleagues are reached in the team chat, which sits behind the webhook."""
    return MessageChannel.WEBHOOK, f"user:{user.username}"


def deliver(session: Session, *, message_id: int, notifiers: Mapping[str, Notifier], now: datetime) -> OutboxMessage | None:
    """One delivery attempt. The row is locked for the attempt, and a message already sent is never
    sent again; a failure is recorded and a retry queued, so the work item itself always succeeds."""
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update())
    if message is None or message.state != DeliveryState.PENDING:
        return message
    notifier = notifiers.get(message.channel.value)
    if notifier is None:
        message.state = DeliveryState.UNDELIVERABLE
        message.last_error = f"no {message.channel.value} notifier is configured"
        message.next_attempt_at = None
        session.flush()
        return message
    message.attempts += 1
    try:
        notifier.send(Outgoing(message_id=message.id, recipient=message.recipient, subject=message.subject,
                               body=message.body, purpose=message.purpose, data=message.data), now=now)
    except DeliveryError as error:
        message.last_error = str(error)[:2000]
        if message.attempts >= MAX_SEND_ATTEMPTS:
            message.state, message.next_attempt_at = DeliveryState.FAILED, None
        else:
            message.next_attempt_at = now + RETRY_DELAYS[min(message.attempts - 1, len(RETRY_DELAYS) - 1)]
            enqueue(session, kind=SEND_MESSAGE, payload={"message_id": message.id}, now=now,
                    due_at=message.next_attempt_at)
    else:
        message.state, message.sent_at, message.next_attempt_at = DeliveryState.SENT, now, None
    session.flush()
    return message
