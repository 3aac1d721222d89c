"""The stock set-up services without HTTP: warehouses need a position to be found near a job, a
supplier's expedited option is the faster one, and restock rules go through inventory.restock's rule."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.admin_audit import changes_of
from core.setup_refusals import SetupRefused
from inventory import setup as stock_setup
from inventory.ledger import StockError
from inventory.models import WarehouseKind
from tests.builders.core import make_region
from tests.builders.inventory import make_part, make_warehouse
from tests.conftest import NOW


def test_a_van_needs_no_position_but_a_depot_does(session):
    van = stock_setup.create_warehouse(session, code="VAN-01", name="Van 01", kind=WarehouseKind.VAN, actor="a", now=NOW)
    assert van.latitude is None
    with pytest.raises(SetupRefused) as refused:
        stock_setup.create_warehouse(session, code="WH-2", name="Depot", kind=WarehouseKind.REGIONAL, actor="a", now=NOW)
    assert refused.value.field == "latitude"


def test_a_warehouse_serves_the_regions_named(session):
    make_region(session, code="gusu")
    warehouse = stock_setup.create_warehouse(session, code="WH-G", name="Gusu", kind=WarehouseKind.REGIONAL,
                                             latitude=31.3, longitude=120.6, regions=["gusu"], actor="a", now=NOW)
    assert [r.code for r in warehouse.serves_regions] == ["gusu"]


def test_a_supplier_sells_the_parts_listed_and_an_update_replaces_them(session):
    make_part(session, sku="P-1"), make_part(session, sku="P-2")
    supplier = stock_setup.create_supplier(session, code="S-1", name="Spares", normal_lead_hours=72,
                                           expedited_lead_hours=24, parts={"P-1": Decimal(10)}, actor="a", now=NOW)
    stock_setup.update_supplier(session, supplier, actor="a", now=NOW, parts={"P-2": Decimal(12)})
    assert [(line.part.sku, line.unit_cost) for line in stock_setup.supplied_parts(session, supplier)] == [
        ("P-2", Decimal("12.00"))]
    assert changes_of(session, kind="supplier", key="S-1")[-1].changes == {
        "parts": [{"P-1": "10.00"}, {"P-2": "12.00"}]}


def test_restock_rules_keep_inventory_restocks_own_rule_and_are_audited(session):
    warehouse, part = make_warehouse(session, code="WH-1"), make_part(session, sku="P-1")
    rule, created = stock_setup.save_restock_rule(session, warehouse="WH-1", sku="P-1", min_quantity=2,
                                                  max_quantity=10, actor="a", now=NOW)
    assert created and (rule.warehouse, rule.part) == (warehouse, part)
    with pytest.raises(StockError):  # inventory.restock.save_rule's own check
        stock_setup.save_restock_rule(session, warehouse="WH-1", sku="P-1", min_quantity=5, max_quantity=1,
                                      actor="a", now=NOW)
    [row] = changes_of(session, kind="restock_rule", key="WH-1/P-1")
    assert row.action == "create" and row.changes["max_quantity"] == 10
