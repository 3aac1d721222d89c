"""Notifiers: how an outbox message leaves the building. SMTP for email; a signed HTTP webhook for
everything else (SMS gateways and chat apps sit behind it)."""
from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from core.settings import Settings

SIGNATURE_HEADER = "X-Aftercare-Signature"
TIMESTAMP_HEADER = "X-Aftercare-Timestamp"
# The outbox row's id, the same on every retry: a receiver drops a repeat by it. On the webhook it
# repeats the body's "id", which the signature covers (a receiver checks the two agree).
MESSAGE_ID_HEADER = "X-Aftercare-Message-Id"


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


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": the body cannot be changed, nor replayed later under a
    new timestamp, without the secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookNotifier:
    def __init__(self, *, url: str, secret: str, timeout: float = 10.0):
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, message: Outgoing, *, now: datetime) -> None:
        body = json.dumps({"id": message.message_id, "to": message.recipient, "subject": message.subject,
                           "text": message.body, "purpose": message.purpose, "data": message.data},
                          ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body), MESSAGE_ID_HEADER: str(message.message_id)})
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
