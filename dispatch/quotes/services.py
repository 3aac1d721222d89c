"""Quotes for paid repairs: written by a technician or an agent from the parts of the appliance's bill of
materials (at customer price) and the labour price list, approved or declined by the customer once.

Until the customer approves, paid work does not start: the status machine refuses to complete the
repair or to order parts for it (see `paid_work_guard`). A decline ends the job; after a visit the
call-out fee is owed."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.events import publish
from core.i18n import gettext as _
from dispatch.jobs.audit import Actor
from dispatch.jobs.guards import add_guard
from dispatch.jobs.models import EntitlementKind, EventKind, Job
from dispatch.jobs.services import record_event, transition_job
from dispatch.jobs.status import ALLOWED_TRANSITIONS, JobStatus
from dispatch.parts.services import MAX_UNITS_PER_PART
from dispatch.quotes.errors import NoQuote, QuoteAlreadyDecided, QuoteNotApproved, QuoteRefused
from dispatch.quotes.events import QuoteGiven
from dispatch.quotes.models import Quote, QuoteLine, QuoteState
from dispatch.quotes.money import MAX_AMOUNT, yuan
from dispatch.quotes.prices import labour_price_for
from inventory.models import Part

MAX_QUOTE_LINES = 20
# A quote is given before the work: once parts are on order or the job is over, it is too late to write one.
QUOTABLE_STATUSES = frozenset({JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.EN_ROUTE,
                               JobStatus.ON_SITE})
# The moves that start paid work. Setting off and arriving are the diagnosis the quote comes from (the
# call-out); fitting parts is recorded at completion, and ordering parts in spends money on the customer's
# behalf. So completing the repair and waiting for ordered parts both need the customer's yes first.
PAID_WORK = frozenset({JobStatus.COMPLETED, JobStatus.WAITING_PARTS})


def needs_quote(job: Job) -> bool:
    """Out of warranty (the whole appliance, or the component at fault): the customer pays, so they are quoted."""
    return job.entitlement == EntitlementKind.PAID_REPAIR


def quote_of(session: Session, job: Job) -> Quote | None:
    return session.scalar(select(Quote).where(Quote.job_id == job.id))


def give_quote(session: Session, *, job: Job, parts: Sequence[tuple[Part, int]], actor: Actor,
               now: datetime) -> Quote:
    """Write the job's quote (or write a waiting one again): `parts` from the model's bill of materials
    with their quantities, labour and the call-out fee from the price list."""
    if not needs_quote(job):
        raise QuoteRefused(_("Job %(number)s is not a paid repair: it needs no quote.", number=job.number), code=409)
    if job.status not in QUOTABLE_STATUSES:
        raise QuoteRefused(_("A quote is given before the work; job %(number)s is past that.", number=job.number),
                           code=409)
    quote = quote_of(session, job)
    if quote is not None and quote.state != QuoteState.PENDING:
        raise QuoteAlreadyDecided(_("The customer already decided on this quote; it cannot change."))
    lines = _priced_lines(job, parts)
    model = job.asset.product_model
    price = labour_price_for(session, skill=model.repair_skill, category=job.category)
    if price is None:
        raise QuoteRefused(_("The price list has no labour price for %(skill)s repairs; an administrator adds "
                             "one in the set-up.", skill=model.repair_skill), field="labour")
    parts_total = sum((line.amount for line in lines), Decimal("0.00"))
    total = parts_total + price.labour
    if total >= MAX_AMOUNT:
        raise QuoteRefused(_("The quote's total is too large."), field="parts")
    if quote is None:
        quote = Quote(job_id=job.id)
        session.add(quote)
    quote.state, quote.labour, quote.call_out_fee = QuoteState.PENDING, price.labour, price.call_out_fee
    quote.parts_total, quote.total, quote.created_at, quote.created_by = parts_total, total, now, actor.label
    quote.lines = lines
    session.flush()
    record_event(job, kind=EventKind.QUOTE_GIVEN, actor=actor, now=now, note=f"Quote {yuan(total)}",
                 data={"total": str(total), "labour": str(price.labour), "call_out_fee": str(price.call_out_fee),
                       "parts": [{"sku": line.part.sku, "quantity": line.quantity, "amount": str(line.amount)}
                                 for line in lines]})
    job.updated_at = now
    publish(session, QuoteGiven(quote=quote, actor=actor, now=now))
    session.flush()
    return quote


def _priced_lines(job: Job, parts: Sequence[tuple[Part, int]]) -> list[QuoteLine]:
    if len(parts) > MAX_QUOTE_LINES:
        raise QuoteRefused(_("At most %(n)s different parts on a quote.", n=MAX_QUOTE_LINES), field="parts")
    fits = {part.id for part in job.asset.product_model.parts}
    lines, seen = [], set()
    for part, quantity in parts:
        if part.id in seen:
            raise QuoteRefused(_("Part %(sku)s is listed twice.", sku=part.sku), field="parts")
        seen.add(part.id)
        if part.id not in fits:
            raise QuoteRefused(_("Part %(sku)s does not fit this appliance's model.", sku=part.sku), field="parts")
        if part.customer_price is None:
            raise QuoteRefused(_("Part %(sku)s has no customer price yet.", sku=part.sku), field="parts")
        if not 1 <= quantity <= MAX_UNITS_PER_PART:
            raise QuoteRefused(_("Quantity must be between 1 and %(max)s.", max=MAX_UNITS_PER_PART), field="parts")
        lines.append(QuoteLine(part=part, part_id=part.id, quantity=quantity, unit_price=part.customer_price,
                               amount=part.customer_price * quantity))
    return lines


def approve_quote(session: Session, *, job: Job, actor: Actor, now: datetime) -> Quote:
    """The customer says yes (on the tracking page, or to an agent on the phone): the work may start."""
    quote = _decide(session, job, QuoteState.APPROVED, actor=actor, now=now)
    record_event(job, kind=EventKind.QUOTE_APPROVED, actor=actor, now=now, note=f"Quote {yuan(quote.total)} approved",
                 data={"total": str(quote.total)})
    session.flush()
    return quote


def decline_quote(session: Session, *, job: Job, actor: Actor, now: datetime) -> Quote:
    """The customer says no: nothing is repaired and the job ends. A technician who came out closes the visit
    (completed, with the call-out fee owed); before any visit the job is cancelled and nothing is owed."""
    visited = job.status == JobStatus.ON_SITE
    quote = _decide(session, job, QuoteState.DECLINED, actor=actor, now=now, charge_call_out=visited)
    note = f"Quote declined; call-out fee {yuan(quote.amount_due)} owed" if quote.amount_due else "Quote declined"
    record_event(job, kind=EventKind.QUOTE_DECLINED, actor=actor, now=now, note=note,
                 data={"amount_due": str(quote.amount_due)})
    target = JobStatus.COMPLETED if visited else JobStatus.CANCELLED
    if target in ALLOWED_TRANSITIONS[job.status]:
        transition_job(session, job=job, to=target, actor=actor, now=now, note=note)
    session.flush()
    return quote


def _decide(session: Session, job: Job, state: QuoteState, *, actor: Actor, now: datetime,
            charge_call_out: bool = False) -> Quote:
    quote = quote_of(session, job)
    if quote is None:
        raise NoQuote(_("Job %(number)s has no quote to decide on.", number=job.number))
    if quote.state != QuoteState.PENDING:
        raise QuoteAlreadyDecided(_("This quote was already approved.") if quote.state == QuoteState.APPROVED
                                  else _("This quote was already declined."))
    if state == QuoteState.APPROVED:
        due = quote.total
    else:
        due = quote.call_out_fee if charge_call_out else Decimal("0.00")
    # Only a quote still waiting changes: of an approval and a decline racing each other, the second finds
    # the row decided (PostgreSQL re-reads it after the first commits) and is refused.
    changed = session.execute(
        update(Quote).where(Quote.id == quote.id, Quote.state == QuoteState.PENDING)
        .values(state=state, decided_at=now, decided_by=actor.label, amount_due=due)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise QuoteAlreadyDecided(_("This quote was decided a moment ago; reload to see the answer."))
    session.refresh(quote)
    job.updated_at = now
    return quote


def paid_work_guard(session: Session, job: Job, to: JobStatus) -> None:
    if to not in PAID_WORK or not needs_quote(job):
        return
    quote = quote_of(session, job)
    if quote is not None and quote.state == QuoteState.APPROVED:
        return
    if to == JobStatus.COMPLETED and quote is not None and quote.state == QuoteState.DECLINED:
        return  # the decline's own end of the visit: nothing was repaired
    raise QuoteNotApproved(job.status, to)


add_guard(paid_work_guard)
