"""Builders and local receivers for the close-the-loop tests: a completed job, a webhook receiver on
loopback that verifies every request's Standard Webhooks signature with the stock `standardwebhooks`
library, the way a gateway would, and a real SMTP server (aiosmtpd) that keeps what it is given."""
from __future__ import annotations

import base64
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.users import User
from dispatch.catalog.models import Asset
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Channel, Job
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus

TZ = ZoneInfo("Asia/Shanghai")
WEBHOOK_SECRET = "webhook-test-only-secret-0123456789abcdef"
VISIT_PATH = [JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.COMPLETED]


def make_open_job(session: Session, *, asset: Asset, owner: User | None, now: datetime,
                  fault: str = "Not cooling since yesterday, error E4") -> Job:
    actor = Actor.staff(owner) if owner else Actor(label="customer")
    return report_fault(session, asset=asset, actor=actor, now=now, tz=TZ,
                        report=FaultReport(channel=Channel.PHONE if owner else Channel.QR, fault_text=fault,
                                           contact_name="Zhang Wei", contact_phone="+86 138 1234 5678")).job


def complete_job(session: Session, job: Job, *, actor: Actor, now: datetime, step: timedelta = timedelta(minutes=30)) -> datetime:
    """Walk the job through a visit to completed; returns the moment of completion."""
    at = now
    for status in VISIT_PATH[VISIT_PATH.index(JobStatus.TRIAGED) if job.status == JobStatus.REPORTED
                             else VISIT_PATH.index(job.status) + 1:]:
        at += step
        transition_job(session, job=job, to=status, actor=actor, now=at)
    return at


@dataclass
class Received:
    messages: list[dict] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_s: float = 0.0
    fail_next: int = 0

    def ids(self) -> list[int]:
        with self.lock:
            return [m["id"] for m in self.messages]


@contextmanager
def webhook_receiver(*, secret: str = WEBHOOK_SECRET, delay_s: float = 0.0):
    """A local HTTP endpoint that accepts only correctly signed posts; yields (url, Received). It knows
    the secret as a gateway configured from our documentation does: "whsec_" + base64(secret)."""
    received = Received(delay_s=delay_s)
    verifier = Webhook("whsec_" + base64.b64encode(secret.encode()).decode())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if received.delay_s:
                threading.Event().wait(received.delay_s)
            with received.lock:
                if received.fail_next > 0:
                    received.fail_next -= 1
                    return self._answer(503)
                try:
                    message = verifier.verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    received.rejected += 1
                    return self._answer(401)
                message["header_id"] = self.headers.get("webhook-id")
                if message["header_id"] != str(message["id"]):  # the header must repeat the signed id
                    received.rejected += 1
                    return self._answer(400)
                received.messages.append(message)
            self._answer(204)

        def _answer(self, code: int) -> None:
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll keeps shutdown quick (the default waits up to half a second per test).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Inbox:
    """What the SMTP server accepted: (envelope recipients, parsed message) per mail."""

    def __init__(self):
        self.mails: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
        with self.lock:
            self.mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [mail["Message-ID"] for _, mail in self.mails]


@contextmanager
def smtp_receiver(inbox: Inbox | None = None):
    """A real SMTP server on loopback; yields (host, port, Inbox)."""
    inbox = inbox or Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own start by connecting, so it needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, inbox
    finally:
        controller.stop()
