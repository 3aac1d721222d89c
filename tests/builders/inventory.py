"""Builders of the inventory domain: parts, warehouses, suppliers."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from core.regions import Region
from inventory.models import Part, Supplier, SupplierPart, Warehouse, WarehouseKind
from tests.builders.core import next_number


def make_part(session: Session, *, sku: str | None = None, unit_cost: str = "120.00"):
    n = next_number()
    part = Part(sku=sku or f"P-{n:05d}", name=f"Part {n}", unit_cost=Decimal(unit_cost))
    session.add(part)
    session.flush()
    return part


def make_warehouse(session: Session, *, kind=None, regions: list[Region] = (), at: tuple[float, float] | None =
                   (31.30, 120.60), code: str | None = None):
    n = next_number()
    warehouse = Warehouse(code=code or f"WH-{n}", name=f"Warehouse {n}", kind=kind or WarehouseKind.REGIONAL,
                          latitude=at[0] if at else None, longitude=at[1] if at else None)
    warehouse.serves_regions = list(regions)
    session.add(warehouse)
    session.flush()
    return warehouse


def make_supplier(session: Session, *, parts=(), normal_hours: int = 72, expedited_hours: int = 24,
                  fee: str = "80.00", unit_cost: str = "100.00"):
    n = next_number()
    supplier = Supplier(code=f"SUP-{n}", name=f"Supplier {n}", normal_lead_hours=normal_hours,
                        expedited_lead_hours=expedited_hours, expedite_fee=Decimal(fee))
    session.add(supplier)
    session.flush()
    for part in parts:
        session.add(SupplierPart(supplier_id=supplier.id, part_id=part.id, unit_cost=Decimal(unit_cost)))
    session.flush()
    return supplier
