"""A part that cannot come in time escalates the job with its reason stored as a code and facts,
which a Chinese reader gets in Chinese (dispatch.jobs.reasons)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.i18n import use_locale
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, Escalation
from dispatch.jobs.reasons import english, explain
from dispatch.parts import desk
from dispatch.parts import services as job_parts
from inventory import ledger
from inventory.models import WarehouseKind
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
AGENT = Actor(label="agent.li")


def _job(session):
    asset = make_asset(session, region=make_region(session), at=(31.30, 120.60))
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                          "13800000000")).job
    session.flush()
    return job


def _escalation(session, job) -> Escalation:
    return session.scalars(select(Escalation).where(Escalation.job_id == job.id)).one()


def test_a_part_nobody_holds_or_sells_is_escalated_with_a_code_and_reads_in_chinese(session):
    job = _job(session)
    make_warehouse(session, regions=[job.asset.region], at=(31.31, 120.60))
    part = make_part(session)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    escalation = _escalation(session, job)
    assert escalation.reason_code == "part_late"
    assert escalation.reason_facts == {"sku": part.sku, "why": {"code": "no_source"}}
    assert escalation.reason == english(escalation.reason_code, escalation.reason_facts)
    with use_locale("zh_CN"):
        assert explain(escalation.reason_code, escalation.reason_facts, escalation.reason) == \
            f"{part.sku}：没有仓库有此备件，也没有供应商供货"


def test_a_supplier_too_slow_for_the_deadline_is_escalated_with_how_late_it_is(session):
    job = _job(session)
    make_warehouse(session, regions=[job.asset.region], at=(31.31, 120.60))
    part = make_part(session)
    supplier = make_supplier(session, parts=[part], unit_cost="20.00", expedited_hours=24 * 10)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    escalation = _escalation(session, job)
    why = escalation.reason_facts["why"]
    assert why["code"] == "too_late" and why["option"] == {"code": "purchase_from", "supplier": supplier.code}
    assert escalation.reason == english(escalation.reason_code, escalation.reason_facts)
    with use_locale("zh_CN"):
        words = explain(escalation.reason_code, escalation.reason_facts, escalation.reason)
    assert f"最快的是向 {supplier.code} 加急采购" in words and "小时" in words and "too late" not in words


def test_a_cancelled_transfer_nothing_replaces_is_escalated_with_the_order_and_the_cause(session):
    job = _job(session)
    make_warehouse(session, regions=[job.asset.region], at=(31.31, 120.60))
    source = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.34, 120.60))
    part = make_part(session)
    ledger.receive(session, warehouse=source, part=part, quantity=1, actor="clerk", now=NOW)
    line = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW).line
    number = line.transfer.number
    desk.cancel_transfer(session, number=number, actor=Actor(label="stock.chen"), now=NOW)
    escalation = _escalation(session, job)
    assert escalation.reason_facts == {"sku": part.sku, "why": {"code": "cancelled_nothing_else", "order": number,
                                                                "why": {"code": "no_source"}}}
    assert escalation.reason == english(escalation.reason_code, escalation.reason_facts)
    with use_locale("zh_CN"):
        assert explain(escalation.reason_code, escalation.reason_facts) == \
            f"{part.sku}：{number} 已取消；没有其他方式能送到：没有仓库有此备件，也没有供应商供货"


def test_a_part_reserved_nearby_is_noted_on_the_job_as_a_code(session):
    job = _job(session)
    depot = make_warehouse(session, regions=[job.asset.region], at=(31.31, 120.60))
    part = make_part(session)
    ledger.receive(session, warehouse=depot, part=part, quantity=2, actor="clerk", now=NOW)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    event = job.events[-1]
    assert event.note_code == "reserved_at"
    assert event.note == english(event.note_code, event.note_facts)
    with use_locale("zh_CN"):
        assert explain(event.note_code, event.note_facts) == f"已在 {depot.code} 预留 1 × {part.sku}"


def test_a_managers_approval_of_the_purchase_a_job_waits_for_is_noted_as_a_code(session):
    from datetime import timedelta

    from dispatch.jobs.models import EventKind

    job = _job(session)
    make_warehouse(session, regions=[job.asset.region], at=(31.31, 120.60))
    part = make_part(session)
    make_supplier(session, parts=[part], unit_cost="200.00", expedited_hours=20)  # 30 × 200 + 80 = 6080
    order = job_parts.request_part(session, job=job, part=part, quantity=30, actor=AGENT, now=NOW).line.purchase_order
    desk.approve_purchase_order(session, number=order.number, actor=Actor(label="manager.xu"),
                                now=NOW + timedelta(hours=3))
    event = [e for e in job.events if e.kind == EventKind.PARTS][-1]
    assert event.note_code == "part_line" and event.note_facts["why"]["code"] == "order_approved_expected"
    assert event.note == english(event.note_code, event.note_facts)
    with use_locale("zh_CN"):
        words = explain(event.note_code, event.note_facts, event.note)
    assert f"{order.number} 已由 manager.xu 批准；预计" in words and "approved by" not in words
