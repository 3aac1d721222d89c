"""Hardening of parts for jobs: a request is bounded by what one repair can need, an expensive purchase
waits for a manager, and a cancelled order a job waits for is sourced again or escalated."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, Escalation, Job
from dispatch.jobs.status import JobStatus
from dispatch.parts import desk
from dispatch.parts import services as job_parts
from inventory import ledger, orders
from inventory.ledger import StockError
from inventory.models import JobPart, JobPartState, OrderStatus, PurchaseOrder, Transfer, WarehouseKind
from inventory.orders import OrderStateError
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


# --- an expensive purchase waits for a manager ---

def test_an_emergency_purchase_above_the_limit_waits_for_approval_and_the_job_for_parts(session, region):
    part = make_part(session, unit_cost="200.00")
    make_warehouse(session, regions=[region])
    make_supplier(session, parts=[part], unit_cost="200.00", expedited_hours=20)  # 30 × 200 + 80 = 6080
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=30, actor=AGENT, now=NOW)
    order = outcome.line.purchase_order
    assert order.status == OrderStatus.PENDING_APPROVAL and order.total_cost == Decimal("6080.00")
    assert "waits for a manager's approval" in order.reason and "waits for a manager's approval" in outcome.line.note
    assert job.status == JobStatus.WAITING_PARTS and outcome.line.state == JobPartState.AWAITING
    with pytest.raises(OrderStateError):
        orders.ship_purchase_order(session, order=order, now=NOW)
    with pytest.raises(OrderStateError):
        orders.receive_purchase_order(session, order=order, quantity=None, actor="clerk", now=NOW)

    later = NOW + timedelta(hours=3)
    desk.approve_purchase_order(session, number=order.number, actor=Actor(label="manager.xu"), now=later)
    assert (order.status, order.approved_by, order.approved_at) == (OrderStatus.REQUESTED, "manager.xu", later)
    assert order.expected_at == later + timedelta(hours=20) == outcome.line.expected_at
    with pytest.raises(OrderStateError):
        desk.approve_purchase_order(session, number=order.number, actor=Actor(label="manager.xu"), now=later)


def test_a_purchase_within_the_limit_is_placed_at_once(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    make_supplier(session, parts=[part], unit_cost="100.00")
    job = _job(session, region)
    order = job_parts.request_part(session, job=job, part=part, quantity=2, actor=AGENT, now=NOW,
                                   approval_limit=Decimal("280.00")).line.purchase_order
    assert order.status == OrderStatus.REQUESTED and order.total_cost == Decimal("280.00")


# --- a cancelled order a job waits for ---

def test_a_cancelled_transfer_is_sourced_again_from_elsewhere(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region], at=(31.31, 120.60))
    near = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.34, 120.60))
    far = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.45, 120.60))
    for warehouse in (near, far):
        ledger.receive(session, warehouse=warehouse, part=part, quantity=2, actor="clerk", now=NOW)
    job = _job(session, region)
    line = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW).line
    first = line.transfer
    assert first.from_warehouse.id == near.id

    desk.cancel_transfer(session, number=first.number, actor=Actor(label="stock.chen"), now=NOW)

    assert first.status == OrderStatus.CANCELLED and ledger.available(session, near, part) == 2
    assert line.state == JobPartState.AWAITING and line.transfer.id != first.id
    assert line.transfer.from_warehouse.id == far.id and line.expected_at == line.transfer.expected_at
    assert first.number in line.note and job.status == JobStatus.WAITING_PARTS
    assert _count(session, Escalation) == 0


def test_a_cancelled_transfer_nothing_else_can_replace_escalates_the_job(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region], at=(31.31, 120.60))
    source = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.34, 120.60))
    ledger.receive(session, warehouse=source, part=part, quantity=1, actor="clerk", now=NOW)
    job = _job(session, region)
    line = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW).line

    desk.cancel_transfer(session, number=line.transfer.number, actor=Actor(label="stock.chen"), now=NOW)

    assert line.state == JobPartState.AWAITING and line.transfer is None and line.purchase_order is None
    assert line.expected_at is None and "nothing else can bring it" in line.note
    escalations = list(session.scalars(select(Escalation).where(Escalation.job_id == job.id)))
    assert [e.kind for e in escalations] == ["parts_late"] and part.sku in escalations[0].reason
    assert job.status == JobStatus.WAITING_PARTS


def test_a_declined_purchase_is_sourced_again_without_that_supplier(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    cheap = make_supplier(session, parts=[part], unit_cost="200.00", expedited_hours=20)
    dear = make_supplier(session, parts=[part], unit_cost="210.00", expedited_hours=30)
    job = _job(session, region)
    line = job_parts.request_part(session, job=job, part=part, quantity=30, actor=AGENT, now=NOW).line
    declined = line.purchase_order
    assert declined.supplier.id == cheap.id and declined.status == OrderStatus.PENDING_APPROVAL

    desk.decline_purchase_order(session, number=declined.number, actor=Actor(label="manager.xu"), now=NOW,
                                reason="too dear")

    assert (declined.status, declined.declined_by, declined.declined_at) == (OrderStatus.CANCELLED, "manager.xu", NOW)
    assert "too dear" in declined.reason
    assert line.purchase_order.id != declined.id and line.purchase_order.supplier.id == dear.id
    assert line.purchase_order.status == OrderStatus.PENDING_APPROVAL  # still above the limit

    desk.cancel_purchase_order(session, number=line.purchase_order.number, actor=Actor(label="manager.xu"),
                               now=NOW)
    assert line.purchase_order is None and line.state == JobPartState.AWAITING
    assert [e.kind for e in session.scalars(select(Escalation).where(Escalation.job_id == job.id))] == ["parts_late"]
