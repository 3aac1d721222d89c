"""Quotes for paid repairs: priced from the bill of materials and the price list, decided once, and paid
work waits for the customer's yes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from sqlalchemy import func, select

from care.models import OutboxMessage
from core.db import make_session_factory
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import EventKind, JobCategory, JobEvent
from dispatch.jobs.services import office_transition, transition_job
from dispatch.jobs.status import JobStatus
from dispatch.quotes.errors import NoQuote, QuoteAlreadyDecided, QuoteNotApproved, QuoteRefused
from dispatch.quotes.models import Quote, QuoteState
from dispatch.quotes.money import BadAmount, parse_amount
from dispatch.quotes.prices import create_labour_price, labour_price_for
from dispatch.quotes.services import approve_quote, decline_quote, give_quote
from tests.builders.quotes import arrive, build_paid_repair
from tests.conftest import NOW

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def paid(session):
    return build_paid_repair(session)


def _tech(paid):
    return Actor.staff(paid.tech.user)


def test_a_quote_is_parts_at_customer_price_plus_labour_and_the_customer_is_told(session, paid):
    arrive(session, paid)
    quote = give_quote(session, job=paid.job, parts=[(paid.gasket, 2), (paid.board, 1)], actor=_tech(paid), now=LATER)
    assert (quote.parts_total, quote.labour, quote.call_out_fee, quote.total) == (
        Decimal("610.00"), Decimal("150.00"), Decimal("50.00"), Decimal("760.00"))
    assert quote.state == QuoteState.PENDING
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "quote_given"))
    assert "¥760.00" in message.subject and f"/t/{paid.job.tracking_token}" in message.body
    assert "¥160.00" in message.body and "¥450.00" in message.body


def test_the_quote_message_is_in_the_customers_language(session):
    paid = build_paid_repair(session, customer_locale="zh_CN")
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "quote_given"))
    assert "门封条" in message.body and "报价" in message.subject


def test_the_most_specific_labour_price_applies(session, paid):
    create_labour_price(session, code="REF-DEFECT", name="Refrigeration defect", skill="Refrigeration",
                        category=JobCategory.QUALITY_DEFECT, labour=Decimal("180.00"), actor="admin", now=NOW)
    price = labour_price_for(session, skill="refrigeration", category=JobCategory.QUALITY_DEFECT)
    assert price.code == "REF-DEFECT"
    assert labour_price_for(session, skill="refrigeration", category=JobCategory.INSTALLATION).code == "REF-ANY"
    assert labour_price_for(session, skill="washing", category=JobCategory.INSTALLATION) is None


@pytest.mark.parametrize("lines, field", [
    (lambda p: [(p.stranger, 1)], "parts"),  # not in the bill of materials
    (lambda p: [(p.unpriced, 1)], "parts"),  # no customer price
    (lambda p: [(p.gasket, 0)], "parts"),
    (lambda p: [(p.gasket, 51)], "parts"),
    (lambda p: [(p.gasket, 1), (p.gasket, 2)], "parts"),
])
def test_a_quote_refuses_parts_that_cannot_be_sold_and_writes_nothing(session, paid, lines, field):
    with pytest.raises(QuoteRefused) as refused:
        give_quote(session, job=paid.job, parts=lines(paid), actor=_tech(paid), now=LATER)
    assert refused.value.field == field
    assert session.scalar(select(func.count()).select_from(Quote)) == 0


def test_without_a_labour_price_no_quote_can_be_given(session, paid):
    paid.job.asset.product_model.repair_skill = "washing"
    with pytest.raises(QuoteRefused) as refused:
        give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)
    assert refused.value.field == "labour"


def test_paid_work_waits_for_approval_then_may_start(session, paid):
    arrive(session, paid)
    with pytest.raises(QuoteNotApproved):
        transition_job(session, job=paid.job, to=JobStatus.COMPLETED, actor=_tech(paid), now=LATER)
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)
    for target in (JobStatus.COMPLETED, JobStatus.WAITING_PARTS):
        with pytest.raises(QuoteNotApproved):
            transition_job(session, job=paid.job, to=target, actor=_tech(paid), now=LATER)
    with pytest.raises(QuoteNotApproved):
        office_transition(session, job=paid.job, to=JobStatus.COMPLETED, actor=Actor.staff(paid.agent), now=LATER,
                          note="Replaced the gasket", override_reason="The technician's phone is broken")
    assert paid.job.status == JobStatus.ON_SITE
    approve_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    transition_job(session, job=paid.job, to=JobStatus.COMPLETED, actor=_tech(paid), now=LATER)
    assert paid.job.status == JobStatus.COMPLETED


def test_a_decision_is_final(session, paid):
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)
    approve_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    with pytest.raises(QuoteAlreadyDecided):
        approve_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    with pytest.raises(QuoteAlreadyDecided):
        decline_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    with pytest.raises(QuoteAlreadyDecided):
        give_quote(session, job=paid.job, parts=[(paid.board, 1)], actor=_tech(paid), now=LATER)
    assert session.scalar(select(func.count()).select_from(JobEvent).where(
        JobEvent.kind == EventKind.QUOTE_APPROVED)) == 1


def test_deciding_without_a_quote_is_refused(session, paid):
    with pytest.raises(NoQuote):
        approve_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)


def test_declining_on_site_ends_the_visit_with_the_call_out_fee_owed(session, paid):
    arrive(session, paid)
    give_quote(session, job=paid.job, parts=[(paid.board, 1)], actor=_tech(paid), now=LATER)
    quote = decline_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    assert quote.amount_due == Decimal("50.00")
    assert paid.job.status == JobStatus.COMPLETED
    with pytest.raises(QuoteAlreadyDecided):
        approve_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)


def test_declining_before_any_visit_cancels_the_job_and_costs_nothing(session, paid):
    give_quote(session, job=paid.job, parts=[(paid.board, 1)], actor=Actor.staff(paid.agent), now=LATER)
    quote = decline_quote(session, job=paid.job, actor=CUSTOMER, now=LATER)
    assert quote.amount_due == Decimal("0.00")
    assert paid.job.status == JobStatus.CANCELLED


def test_a_job_under_warranty_needs_no_quote(session, paid):
    paid.job.entitlement = "free_repair"
    with pytest.raises(QuoteRefused):
        give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)


@pytest.mark.parametrize("raw", ["-1", "1.005", "1e3", "100000000", "NaN", "abc", "", " ", "1,5", "Infinity", "١٢"])
def test_amounts_are_plain_bounded_decimals(raw):
    with pytest.raises(BadAmount):
        parse_amount(raw)


def test_a_good_amount_keeps_two_places():
    assert parse_amount("99999999.99") == Decimal("99999999.99")
    assert str(parse_amount("12.5")) == "12.50"


def test_approving_and_declining_at_once_one_wins(database_url, engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    paid = build_paid_repair(session)
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=_tech(paid), now=LATER)
    session.commit()
    number = paid.job.number
    barrier, factory = Barrier(2), make_session_factory(engine)

    def decide(decision) -> str:
        from dispatch.jobs.services import get_job
        with factory() as own:
            job = get_job(own, number)  # no row lock: the quote's own guard must hold
            barrier.wait()
            try:
                decision(own, job=job, actor=CUSTOMER, now=LATER)
                own.commit()
                return "won"
            except QuoteAlreadyDecided:
                own.rollback()
                return "refused"

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(decide, [approve_quote, decline_quote]))
    assert sorted(results) == ["refused", "won"]
    session.expire_all()
    events = session.scalars(select(JobEvent.kind).where(JobEvent.kind.in_(
        [EventKind.QUOTE_APPROVED, EventKind.QUOTE_DECLINED]))).all()
    assert len(events) == 1
