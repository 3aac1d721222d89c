"""Notifiers: how an outbox message leaves the building. SMTP for email; an HTTP webhook signed in the
Standard Webhooks format for everything else (SMS gateways, WeChat template messages, the team chat)."""
from __future__ import annotations

import base64
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

from standardwebhooks import Webhook

from core.clock import Clock, SystemClock
from core.settings import Settings

# The outbox row's id on an e-mail, the same on every retry: a mailbox or its reader drops a repeat by it.
MESSAGE_ID_HEADER = "X-Aftercare-Message-Id"
# The Standard Webhooks headers (https://www.standardwebhooks.com): the id is the outbox row's, the same
# on every retry, so a gateway drops a repeat by it; the signature covers id, timestamp and body.
WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
WHSEC_PREFIX = "whsec_"


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    recipient: str
    subject: str
    body: str
    purpose: str
    data: dict


class DeliveryError(Exception):
    """The far side refused or could not be reached; worth retrying later."""


class Notifier(Protocol):
    def send(self, message: Outgoing, *, now: datetime) -> None: ...


class SmtpNotifier:
    def __init__(self, *, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: Outgoing, *, now: datetime) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.recipient, message.subject
        # A stable Message-ID lets a mailbox drop the copy sent again after a crashed worker's retry.
        email["Message-ID"] = f"<outbox-{message.message_id}@aftercare>"
        email[MESSAGE_ID_HEADER] = str(message.message_id)
        email.set_content(message.body)
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                smtp.send_message(email)
            except BaseException:
                smtp.close()
                raise
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error}") from error
        # The server has accepted the message: a failed goodbye must not make it a failed (retried) send.
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def standard_webhook_secret(secret: str) -> str:
    """The configured webhook secret in the `whsec_<base64 key>` form the Standard Webhooks libraries take.
    A secret already in that form (one a gateway issued) is used as it is; any other secret's UTF-8
    bytes are the key, so a gateway verifies with `"whsec_" + base64(secret)` (docs/webhooks.md)."""
    if secret.startswith(WHSEC_PREFIX):
        return secret
    return WHSEC_PREFIX + base64.b64encode(secret.encode()).decode()


class WebhookNotifier:
    """`clock`: the wall clock the signature's timestamp is read from. A receiver rejects a timestamp
    more than a few minutes from its own clock, so it is the moment of sending, whatever `now` the
    worker was given."""

    def __init__(self, *, url: str, secret: str, timeout: float = 10.0, clock: Clock | None = None):
        self.url, self.timeout, self.clock = url, timeout, clock or SystemClock()
        self.signer = Webhook(standard_webhook_secret(secret))

    def send(self, message: Outgoing, *, now: datetime) -> None:
        text = json.dumps({"id": message.message_id, "to": message.recipient, "subject": message.subject,
                           "text": message.body, "purpose": message.purpose, "data": message.data},
                          ensure_ascii=False, sort_keys=True)
        webhook_id, sent_at = str(message.message_id), self.clock.now().astimezone(UTC)
        request = urllib.request.Request(self.url, data=text.encode(), method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", WEBHOOK_ID_HEADER: webhook_id,
            WEBHOOK_TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
            WEBHOOK_SIGNATURE_HEADER: self.signer.sign(msg_id=webhook_id, timestamp=sent_at, data=text)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"webhook answered {error.code}") from error
        except (OSError, urllib.error.URLError) as error:
            raise DeliveryError(f"webhook unreachable: {error}") from error
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook answered {status}")


def notifiers_from(settings: Settings) -> dict[str, Notifier]:
    """The notifiers the settings configure, by channel name; a missing one means "not configured"."""
    found: dict[str, Notifier] = {}
    if settings.smtp_host:
        found["email"] = SmtpNotifier(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from)
    if settings.webhook_url:
        found["webhook"] = WebhookNotifier(url=settings.webhook_url, secret=settings.required_secret("webhook_secret"))
    return found
