"""Hardening of parts for jobs: a request is bounded by what one repair can need, an expensive purchase
waits for a manager, and a cancelled order a job waits for is sourced again or escalated."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import Actor, CUSTOMER
from dispatch.jobs.models import Channel, Escalation, Job
from dispatch.parts import services as job_parts
from inventory import ledger
from inventory.ledger import StockError
from inventory.models import JobPart, PurchaseOrder, Transfer
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
AGENT = Actor(label="agent.li")


@pytest.fixture
def region(session):
    return make_region(session)


def _job(session, region) -> Job:
    asset = make_asset(session, region=region, at=(31.30, 120.60))
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                          "13800000000")).job
    session.flush()
    return job


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- what one repair can need ---

def test_a_request_above_what_one_repair_needs_is_refused_and_orders_nothing(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    make_supplier(session, parts=[part])
    job = _job(session, region)
    with pytest.raises(StockError) as refused:
        job_parts.request_part(session, job=job, part=part, quantity=100_000, actor=AGENT, now=NOW)
    assert refused.value.field == "quantity" and str(job_parts.MAX_UNITS_PER_PART) in str(refused.value)
    assert (_count(session, PurchaseOrder), _count(session, Transfer), _count(session, JobPart)) == (0, 0, 0)


def test_the_bound_holds_for_all_of_a_jobs_lines_of_one_part_together(session, region):
    part = make_part(session)
    warehouse = make_warehouse(session, regions=[region])
    ledger.receive(session, warehouse=warehouse, part=part, quantity=200, actor="clerk", now=NOW)
    job = _job(session, region)
    job_parts.request_part(session, job=job, part=part, quantity=job_parts.MAX_UNITS_PER_PART - 1, actor=AGENT,
                           now=NOW)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    with pytest.raises(StockError) as refused:
        job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    assert refused.value.field == "quantity"
    assert ledger.level_of(session, warehouse, part).reserved == job_parts.MAX_UNITS_PER_PART
