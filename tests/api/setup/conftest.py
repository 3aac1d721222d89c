"""A small set-up to administer: an admin, one of every other role, a region, a warranty policy, a
part, a product model, a warehouse, a supplier; and row counts of everything set-up requests write."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.admin_audit import AdminChange
from core.users import Role
from dispatch.catalog.models import Asset, ComponentTerm, Customer, ProductModel, WarrantyPolicy, model_parts
from dispatch.jobs.models import SlaPolicy
from inventory.models import Part, RestockRule, Supplier, SupplierPart, Warehouse, WarehouseKind, warehouse_regions
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset

ROLES = {Role.ADMIN: "admin.zhao", Role.MANAGER: "manager.xu", Role.WAREHOUSE: "stock.chen",
         Role.AGENT: "agent.li", Role.DISPATCHER: "dispatch.sun", Role.TECHNICIAN: "tech.wu"}


@dataclass
class SetupWorld:
    policy: WarrantyPolicy
    model: ProductModel
    part: Part
    warehouse: Warehouse
    supplier: Supplier
    asset: Asset


@pytest.fixture
def setup_world(session) -> SetupWorld:
    for role, username in ROLES.items():
        make_user(session, username=username, role=role)
    region = make_region(session, code="gusu")
    policy = WarrantyPolicy(code="STD-3B", name="三包 standard", return_days=7, exchange_days=15, free_repair_months=12)
    part = Part(sku="P-0001", name="Door seal", name_zh="门封条", unit_cost=Decimal("35.00"))
    model = ProductModel(code="BCD-500", name="Fridge 500 L", category="refrigerator", product_line="cooling",
                         warranty_policy=policy, repair_skill="refrigeration", service_minutes=45, parts=[part])
    warehouse = Warehouse(code="WH-CENTRAL", name="Central", kind=WarehouseKind.CENTRAL, latitude=31.3,
                          longitude=120.6, serves_regions=[region])
    supplier = Supplier(code="SUP-1", name="Cool Parts", normal_lead_hours=72, expedited_lead_hours=24,
                        expedite_fee=Decimal(80))
    session.add_all([policy, part, model, warehouse, supplier])
    session.flush()
    asset = make_asset(session, model=model, region=region)
    session.commit()
    return SetupWorld(policy, model, part, warehouse, supplier, asset)


@pytest.fixture
def headers_for(token_for, setup_world):
    cache: dict[Role, dict] = {}

    def headers(role: Role) -> dict[str, str]:
        if role not in cache:
            cache[role] = token_for(ROLES[role])
        return cache[role]

    return headers


@pytest.fixture
def admin(headers_for):
    return headers_for(Role.ADMIN)


@pytest.fixture
def setup_counts(session):
    """Rows of everything a set-up request could write; compare before and after a refused request."""

    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (WarrantyPolicy, ComponentTerm, ProductModel, SlaPolicy, Asset, Customer, Part,
                                 Warehouse, Supplier, SupplierPart, RestockRule, AdminChange)}
        counted["model_parts"] = session.scalar(select(func.count()).select_from(model_parts))
        counted["warehouse_regions"] = session.scalar(select(func.count()).select_from(warehouse_regions))
        session.rollback()
        return counted

    return snapshot
