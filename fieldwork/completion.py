"""The completion record: what the technician did, the time on site, what the customer paid and how, the
customer's signature, and the warranty on the repair itself. Checked in full before the job moves, so a
refusal changes nothing; written in the same transaction as the completion."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.storage import FileStorage
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EventKind, Job, JobEvent
from dispatch.jobs.services import record_event
from dispatch.jobs.status import JobStatus
from dispatch.quotes.models import QuoteState
from dispatch.quotes.money import BadAmount, parse_amount, yuan
from dispatch.quotes.services import needs_quote, quote_of
from dispatch.technicians.models import Technician
from fieldwork.models import CompletionRecord
from fieldwork.signatures import SignatureRejected, check_signature, new_signature_name, store_signature

PAYMENT_METHODS = ("cash", "card", "transfer")
# The time on site is measured from "on site" to completion; the technician may correct it (a tap on
# arrival forgotten, a long wait for the customer) within a working day.
MAX_ON_SITE_MINUTES = 12 * 60
MAX_SUMMARY = 2000


class CompletionRefused(ValueError):
    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CompletionInput:
    """What the completion form or the API sent, as text (amount, minutes) and bytes (the signature)."""
    on_site_minutes: str = ""
    amount_paid: str = ""
    payment_method: str = ""
    signature_png: bytes = b""


@dataclass(frozen=True)
class CheckedCompletion:
    on_site_minutes: int
    amount_paid: Decimal
    payment_method: str | None
    signature_png: bytes


def arrived_at(session: Session, job: Job) -> datetime | None:
    """When the technician last arrived at the customer's (the latest move to on site)."""
    return session.scalar(select(JobEvent.at).where(JobEvent.job_id == job.id, JobEvent.to_status == JobStatus.ON_SITE)
                          .order_by(JobEvent.at.desc(), JobEvent.id.desc()).limit(1))


def measured_minutes(session: Session, job: Job, *, now: datetime) -> int:
    """Minutes from arrival to now, as the form offers them (at least one, at most the bound)."""
    since = arrived_at(session, job)
    if since is None:
        return 1
    return max(1, min(MAX_ON_SITE_MINUTES, math.ceil((now - since) / timedelta(minutes=1))))


def amount_owed(session: Session, job: Job) -> Decimal | None:
    """What the customer owes for a paid repair (the approved quote), None when nothing is charged."""
    if not needs_quote(job):
        return None
    quote = quote_of(session, job)
    return quote.amount_due if quote is not None and quote.state == QuoteState.APPROVED else None


def check_completion(session: Session, *, job: Job, given: CompletionInput, now: datetime) -> CheckedCompletion:
    minutes_text = given.on_site_minutes.strip()
    if not minutes_text:
        minutes = measured_minutes(session, job, now=now)
    elif not (minutes_text.isascii() and minutes_text.isdigit()) or not 1 <= int(minutes_text) <= MAX_ON_SITE_MINUTES:
        raise CompletionRefused(_("Time on site is a whole number of minutes from 1 to %(max)s.",
                                  max=MAX_ON_SITE_MINUTES), field="on_site_minutes")
    else:
        minutes = int(minutes_text)
    owed = amount_owed(session, job)
    amount_text = given.amount_paid.strip()
    if not amount_text:
        if owed:
            raise CompletionRefused(_("Record what the customer paid (%(owed)s owed).", owed=yuan(owed)),
                                    field="amount_paid")
        amount = Decimal("0.00")
    else:
        try:
            amount = parse_amount(amount_text)
        except BadAmount as error:
            raise CompletionRefused(str(error), field="amount_paid") from None
    method = given.payment_method.strip() or None
    if method is not None and method not in PAYMENT_METHODS:
        raise CompletionRefused(_("Choose how the customer paid: cash, card or transfer."), field="payment_method")
    if amount > 0 and method is None:
        raise CompletionRefused(_("Choose how the customer paid: cash, card or transfer."), field="payment_method")
    if amount == 0 and method is not None:
        method = None  # nothing was paid, so it was paid no way
    try:
        check_signature(given.signature_png)
    except SignatureRejected as error:
        raise CompletionRefused(str(error), field="signature") from None
    return CheckedCompletion(on_site_minutes=minutes, amount_paid=amount, payment_method=method,
                             signature_png=given.signature_png)


def record_completion(session: Session, *, technician: Technician, job: Job, checked: CheckedCompletion,
                      summary: str, warranty_days: int, today: date, storage: FileStorage,
                      now: datetime) -> CompletionRecord:
    """The record of a job just completed (the caller moved it): written once, the signature in the
    file storage."""
    record = CompletionRecord(job_id=job.id, technician_id=technician.id, summary=summary.strip()[:MAX_SUMMARY],
                              on_site_minutes=checked.on_site_minutes, amount_paid=checked.amount_paid,
                              payment_method=checked.payment_method, signature_name=new_signature_name(),
                              signature_bytes=len(checked.signature_png), warranty_days=warranty_days,
                              warranty_until=today + timedelta(days=warranty_days), recorded_at=now)
    session.add(record)
    record_event(job, kind=EventKind.COMPLETION_RECORDED, actor=Actor.staff(technician.user), now=now,
                 note=record.summary, data={"on_site_minutes": record.on_site_minutes, "amount_paid": str(record.amount_paid),
                       "payment_method": record.payment_method, "signature": record.signature_name,
                       "warranty_until": record.warranty_until.isoformat()})
    session.flush()
    # Written after the row is flushed, as photos are: a refused row never leaves a file behind.
    store_signature(storage, record.signature_name, checked.signature_png)
    return record


def completion_of(session: Session, job: Job) -> CompletionRecord | None:
    return session.scalar(select(CompletionRecord).where(CompletionRecord.job_id == job.id))
