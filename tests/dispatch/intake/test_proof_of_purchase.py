"""A proof of purchase accepted after the report: the entitlement is decided again by the intake's
rules, with the reason as a code and facts, the history says who and when, and the customer is told
when what they are entitled to changed."""
from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import care  # noqa: F401 - subscribes care to the dispatch events, as the app does
from care.models import OutboxMessage
from core.i18n import use_locale
from core.users import Role
from dispatch.intake.errors import ProofRefused
from dispatch.intake.proof import accept_proof_of_purchase, refuse_proof_of_purchase
from dispatch.intake.reasons import explain
from dispatch.intake.services import FaultReport, reclassify_job, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, EntitlementKind, EventKind, JobCategory
from dispatch.jobs.status import JobStatus
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
LATER = NOW + timedelta(hours=3)


@pytest.fixture
def agent(session):
    return Actor.staff(make_user(session, username="agent.proof", role=Role.AGENT))


def _job(session, *, purchase_date):
    asset = make_asset(session, purchase_date=purchase_date)
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling since yesterday", "Li Lei",
                                          "13800000000")).job
    session.flush()
    return job


def _told(session, job) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job.id,
                                                            OutboxMessage.purpose == "entitlement_changed")))


def test_a_receipt_makes_a_job_without_a_purchase_date_a_free_repair_with_the_reason(session, agent):
    job = _job(session, purchase_date=None)
    assert job.entitlement == EntitlementKind.PAID_REPAIR and job.entitlement_facts["code"] == "no_purchase_date"

    outcome = accept_proof_of_purchase(session, job=job, purchase_date=date(2026, 6, 1), actor=agent, now=LATER,
                                       tz=TZ, evidence={"photo": "abc.png"})

    assert outcome.changed and (outcome.before, outcome.after) == (EntitlementKind.PAID_REPAIR,
                                                                  EntitlementKind.FREE_REPAIR)
    assert job.entitlement == EntitlementKind.FREE_REPAIR
    assert job.entitlement_facts == {"code": "receipt_accepted", "purchased": "2026-06-01",
                                     "verdict": {"code": "under_warranty", "months": 12, "until": "2027-06-01"}}
    assert job.entitlement_reason == ("A proof of purchase dated 2026-06-01 was accepted. Under the 12-month "
                                      "warranty until 2027-06-01: parts and labour are free.")
    with use_locale("zh_CN"):
        assert "2026-06-01" in explain("receipt_accepted", job.entitlement_facts)
        assert "已认可" in explain("receipt_accepted", job.entitlement_facts)
    # The receipt dates the appliance: the QR page's verdict and the next report read it from there.
    assert job.asset.purchase_date == date(2026, 6, 1)
    event = outcome.event
    assert (event.kind, event.actor_label, event.actor_user_id, event.at) == (
        EventKind.PROOF_ACCEPTED, "agent.proof", agent.user.id, LATER)
    assert event.data == {"purchase_date": "2026-06-01", "photo": "abc.png",
                          "from": {"entitlement": "paid_repair", "purchase_date": None},
                          "to": {"entitlement": "free_repair", "reason": "under_warranty"}}
    told = _told(session, job)
    assert len(told) == 1 and "parts and labour are free" in told[0].body


def test_a_receipt_too_old_for_the_warranty_keeps_the_repair_chargeable_and_tells_nobody(session, agent):
    job = _job(session, purchase_date=None)
    outcome = accept_proof_of_purchase(session, job=job, purchase_date=date(2020, 5, 4), actor=agent, now=LATER, tz=TZ)
    assert not outcome.changed and job.entitlement == EntitlementKind.PAID_REPAIR
    assert job.entitlement_facts["verdict"]["code"] == "warranty_ended"
    assert "2021-05-04" in job.entitlement_reason
    assert _told(session, job) == []


def test_a_corrected_purchase_date_can_take_a_free_repair_away(session, agent):
    job = _job(session, purchase_date=date(2026, 3, 1))
    assert job.entitlement == EntitlementKind.FREE_REPAIR
    outcome = accept_proof_of_purchase(session, job=job, purchase_date=date(2024, 1, 10), actor=agent, now=LATER, tz=TZ)
    assert outcome.changed and job.entitlement == EntitlementKind.PAID_REPAIR
    assert outcome.event.data["from"]["purchase_date"] == "2026-03-01"


def test_a_reclassification_after_the_receipt_still_reads_its_date(session, agent):
    job = _job(session, purchase_date=None)
    accept_proof_of_purchase(session, job=job, purchase_date=date(2026, 6, 1), actor=agent, now=LATER, tz=TZ)
    reclassify_job(session, job=job, category=JobCategory.INSTALLATION, actor=agent, now=LATER, tz=TZ)
    assert job.entitlement == EntitlementKind.FREE_REPAIR


@pytest.mark.parametrize("purchase_date, message", [
    (date(1989, 12, 31), "before 1990-01-01"),
    (date(2026, 11, 24), "after the day the fault was reported (2026-11-23)"),
    (date(2030, 1, 1), "after the day the fault was reported"),
])
def test_a_purchase_date_out_of_bounds_is_refused_and_changes_nothing(session, agent, purchase_date, message):
    job = _job(session, purchase_date=None)
    events = len(job.events)
    with pytest.raises(ProofRefused, match=re.escape(message)) as refused:
        accept_proof_of_purchase(session, job=job, purchase_date=purchase_date, actor=agent, now=LATER, tz=TZ)
    assert refused.value.field == "purchase_date"
    assert job.asset.purchase_date is None and job.entitlement == EntitlementKind.PAID_REPAIR
    assert len(job.events) == events


def test_a_refused_receipt_keeps_the_entitlement_and_records_why(session, agent):
    job = _job(session, purchase_date=None)
    with pytest.raises(ProofRefused):
        refuse_proof_of_purchase(session, job=job, reason="   ", actor=agent, now=LATER)
    with pytest.raises(ProofRefused):
        refuse_proof_of_purchase(session, job=job, reason="x" * 501, actor=agent, now=LATER)
    event = refuse_proof_of_purchase(session, job=job, reason="The receipt is for another model", actor=agent,
                                     now=LATER, evidence={"photo": "r.png"})
    assert (event.kind, event.note, event.actor_label) == (EventKind.PROOF_REFUSED, "The receipt is for another model",
                                                           "agent.proof")
    assert event.data == {"entitlement": "paid_repair", "photo": "r.png"}
    assert job.entitlement == EntitlementKind.PAID_REPAIR and job.asset.purchase_date is None


def test_a_finished_job_keeps_its_entitlement(session, agent):
    job = _job(session, purchase_date=None)
    # A paid repair completes only after its quote is approved (dispatch.quotes): finished as the office
    # would record it, without walking the visit.
    job.status = JobStatus.COMPLETED
    session.flush()
    for decide in (lambda: accept_proof_of_purchase(session, job=job, purchase_date=date(2026, 6, 1), actor=agent,
                                                    now=LATER, tz=TZ),
                   lambda: refuse_proof_of_purchase(session, job=job, reason="unreadable", actor=agent, now=LATER)):
        with pytest.raises(ProofRefused, match="is closed"):
            decide()
    assert job.entitlement == EntitlementKind.PAID_REPAIR and job.asset.purchase_date is None
