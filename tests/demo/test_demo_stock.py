"""The demo city's stock: suppliers price every part, opening stock went through the ledger, depots
have rules, and the emergency queue starts with work in it."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from demo.world import SUPPLIERS, load_demo
from dispatch.jobs.models import JobCategory, Priority
from dispatch.jobs.sla import sla_policy_for
from dispatch.parts import read as parts_queue
from inventory import ledger, overview
from inventory.models import Part, RestockRule, Supplier, SupplierPart, Warehouse, WarehouseKind
from tests.conftest import NOW


def test_the_demo_city_has_stock_suppliers_rules_and_an_emergency_queue(session):
    load_demo(session, today=date(2026, 11, 23), asset_count=60, open_reports=12, now=NOW,
              tz=ZoneInfo("Asia/Shanghai"))
    session.commit()
    parts = session.scalar(select(func.count()).select_from(Part))
    assert session.scalar(select(func.count()).select_from(Supplier)) == len(SUPPLIERS)
    assert session.scalar(select(func.count()).select_from(SupplierPart)) == parts * len(SUPPLIERS)
    assert ledger.ledger_differences(session) == []
    rows = overview.stock_rows(session, overview.stock_query())
    vans_stocked = {row.warehouse.code for row in rows if row.warehouse.kind == WarehouseKind.VAN and row.on_hand}
    assert len(vans_stocked) == 30
    rule_warehouses = set(session.scalars(select(Warehouse.kind).join(RestockRule)))
    assert rule_warehouses == {WarehouseKind.REGIONAL}
    queue = parts_queue.emergency_queue(session)
    assert len(queue.orders) == 2 and all(item.job is not None and not item.late for item in queue.orders)


def test_the_demo_prices_every_part_for_the_customer_and_promises_urgent_reports_sooner(session):
    load_demo(session, today=date(2026, 11, 23), asset_count=20, open_reports=4, now=NOW,
              tz=ZoneInfo("Asia/Shanghai"))
    session.commit()
    assert all(part.customer_price and part.customer_price > part.unit_cost for part in session.scalars(select(Part)))
    urgent = sla_policy_for(session, JobCategory.QUALITY_DEFECT, Priority.URGENT)
    normal = sla_policy_for(session, JobCategory.QUALITY_DEFECT, Priority.NORMAL)
    assert urgent.code == "urgent" and normal.code == "default"
    assert urgent.respond_minutes < normal.respond_minutes and urgent.repair_minutes < normal.repair_minutes
