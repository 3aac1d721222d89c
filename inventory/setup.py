"""Administration of the stock set-up: warehouses (central, regional, vans) and the regions they serve,
parts with their names in both languages and prices, suppliers with their lead times and the parts
they sell, and restock rules (through inventory.restock's own rule service). Each change is checked,
flushed and audited with who, when and what changed."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.admin_audit import diff, record_change, record_update
from core.i18n import gettext as _
from core.regions import Region
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from inventory import restock
from inventory.models import Part, RestockRule, Supplier, SupplierPart, Warehouse, WarehouseKind

WAREHOUSE_FIELDS = ("name", "kind", "address", "latitude", "longitude")
PART_FIELDS = ("name", "name_zh", "unit_cost", "customer_price")
SUPPLIER_FIELDS = ("name", "normal_lead_hours", "expedited_lead_hours", "expedite_fee")
RULE_FIELDS = ("min_quantity", "max_quantity", "reorder_multiple", "auto_create")


def _matching(columns: list, text: str | None):
    needle = (text or "").strip().lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


def _one(session: Session, model, column, value: str, message: str):
    found = session.scalar(select(model).where(column == value))
    if found is None:
        raise SetupNotFound(message)
    return found


# --- warehouses ---

def warehouse_named(session: Session, code: str) -> Warehouse:
    return _one(session, Warehouse, Warehouse.code, code, _("No warehouse %(code)s.", code=code))


def warehouses_query(*, search: str | None = None, kind: WarehouseKind | None = None) -> Select:
    query = select(Warehouse).options(selectinload(Warehouse.serves_regions)).order_by(Warehouse.code)
    if search:
        query = query.where(_matching([Warehouse.code, Warehouse.name, Warehouse.address], search))
    return query.where(Warehouse.kind == kind) if kind else query


def _warehouse_state(warehouse: Warehouse) -> dict[str, Any]:
    return {**{name: getattr(warehouse, name) for name in WAREHOUSE_FIELDS},
            "regions": sorted(region.code for region in warehouse.serves_regions)}


def create_warehouse(session: Session, *, code: str, name: str, kind: WarehouseKind, actor: str, now: datetime,
                     address: str = "", latitude: float | None = None, longitude: float | None = None,
                     regions: list[str] | None = None) -> Warehouse:
    if session.scalar(select(Warehouse.id).where(Warehouse.code == code)) is not None:
        raise AlreadyExists(_("A warehouse %(code)s already exists.", code=code), field="code")
    warehouse = Warehouse(code=code)
    _apply_warehouse(session, warehouse, {"name": name, "kind": kind, "address": address, "latitude": latitude,
                                              "longitude": longitude, "regions": regions or []})
    session.add(warehouse)
    session.flush()
    record_change(session, actor=actor, at=now, kind="warehouse", key=code, action="create",
                  changes=_warehouse_state(warehouse))
    return warehouse


def update_warehouse(session: Session, warehouse: Warehouse, *, actor: str, now: datetime, **changes) -> Warehouse:
    before = _warehouse_state(warehouse)
    _apply_warehouse(session, warehouse, {**before, **changes})
    session.flush()
    record_update(session, actor=actor, at=now, kind="warehouse", key=warehouse.code, before=before,
                  after=_warehouse_state(warehouse))
    return warehouse


def _apply_warehouse(session: Session, warehouse: Warehouse, values: dict[str, Any]) -> None:
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise SetupRefused(_("Give both latitude and longitude, or neither."), field="latitude")
    if values["kind"] != WarehouseKind.VAN and values["latitude"] is None:
        # Sourcing picks the nearest stocked warehouse: a building without a position is never "near".
        raise SetupRefused(_("A central or regional warehouse needs its position."), field="latitude")
    codes = list(dict.fromkeys(values["regions"]))
    regions = list(session.scalars(select(Region).where(Region.code.in_(codes)))) if codes else []
    missing = sorted(set(codes) - {region.code for region in regions})
    if missing:
        raise SetupRefused(_("No region %(code)s.", code=", ".join(missing)), field="regions")
    for name in WAREHOUSE_FIELDS:
        setattr(warehouse, name, values[name])
    warehouse.serves_regions = regions


# --- parts ---

def part_with_sku(session: Session, sku: str) -> Part:
    return _one(session, Part, Part.sku, sku, _("No part with SKU %(sku)s.", sku=sku))


def parts_query(*, search: str | None = None) -> Select:
    query = select(Part).order_by(Part.sku)
    return query.where(_matching([Part.sku, Part.name, Part.name_zh], search)) if search else query


def _part_state(part: Part) -> dict[str, Any]:
    return {name: getattr(part, name) for name in PART_FIELDS}


def create_part(session: Session, *, sku: str, name: str, unit_cost: Decimal, actor: str, now: datetime,
                name_zh: str = "", customer_price: Decimal | None = None) -> Part:
    if session.scalar(select(Part.id).where(Part.sku == sku)) is not None:
        raise AlreadyExists(_("A part with SKU %(sku)s already exists.", sku=sku), field="sku")
    part = Part(sku=sku, name=name, name_zh=name_zh, unit_cost=unit_cost, customer_price=customer_price)
    session.add(part)
    session.flush()
    record_change(session, actor=actor, at=now, kind="part", key=sku, action="create", changes=_part_state(part))
    return part


def update_part(session: Session, part: Part, *, actor: str, now: datetime, **changes) -> Part:
    before = _part_state(part)
    for name in PART_FIELDS:
        setattr(part, name, {**before, **changes}[name])
    session.flush()
    record_update(session, actor=actor, at=now, kind="part", key=part.sku, before=before,
                  after=_part_state(part))
    return part


# --- suppliers ---

def supplier_named(session: Session, code: str) -> Supplier:
    return _one(session, Supplier, Supplier.code, code, _("No supplier %(code)s.", code=code))


def suppliers_query(*, search: str | None = None) -> Select:
    query = select(Supplier).order_by(Supplier.code)
    return query.where(_matching([Supplier.code, Supplier.name], search)) if search else query


def supplied_parts(session: Session, supplier: Supplier) -> list[SupplierPart]:
    return list(session.scalars(select(SupplierPart).join(Part).where(SupplierPart.supplier_id == supplier.id)
                                .order_by(Part.sku)))


def _supplier_state(session: Session, supplier: Supplier) -> dict[str, Any]:
    return {**{name: getattr(supplier, name) for name in SUPPLIER_FIELDS},
            "parts": {line.part.sku: line.unit_cost for line in supplied_parts(session, supplier)}}


def create_supplier(session: Session, *, code: str, name: str, normal_lead_hours: int, expedited_lead_hours: int,
                    actor: str, now: datetime, expedite_fee: Decimal = Decimal(0),
                    parts: dict[str, Decimal] | None = None) -> Supplier:
    if session.scalar(select(Supplier.id).where(Supplier.code == code)) is not None:
        raise AlreadyExists(_("A supplier %(code)s already exists.", code=code), field="code")
    supplier = Supplier(code=code)
    values = {"name": name, "normal_lead_hours": normal_lead_hours, "expedited_lead_hours": expedited_lead_hours,
                  "expedite_fee": expedite_fee, "parts": parts or {}}
    _check_supplier(session, values)
    session.add(supplier)
    _apply_supplier(session, supplier, values)
    record_change(session, actor=actor, at=now, kind="supplier", key=code, action="create",
                  changes=_supplier_state(session, supplier))
    return supplier


def update_supplier(session: Session, supplier: Supplier, *, actor: str, now: datetime, **changes) -> Supplier:
    before = _supplier_state(session, supplier)
    values = {**before, **changes}
    _check_supplier(session, values)
    _apply_supplier(session, supplier, values)
    record_update(session, actor=actor, at=now, kind="supplier", key=supplier.code, before=before,
                  after=_supplier_state(session, supplier))
    return supplier


def _check_supplier(session: Session, values: dict[str, Any]) -> None:
    if values["expedited_lead_hours"] > values["normal_lead_hours"]:
        raise SetupRefused(_("An expedited order cannot take longer than a normal one."),
                           field="expedited_lead_hours")
    skus = list(values["parts"])
    known = set(session.scalars(select(Part.sku).where(Part.sku.in_(skus)))) if skus else set()
    missing = [sku for sku in skus if sku not in known]
    if missing:
        raise SetupRefused(_("No part with SKU %(sku)s.", sku=", ".join(missing)), field="parts")


def _apply_supplier(session: Session, supplier: Supplier, values: dict[str, Any]) -> None:
    for name in SUPPLIER_FIELDS:
        setattr(supplier, name, values[name])
    session.flush()
    lines = {line.part.sku: line for line in supplied_parts(session, supplier)}
    for sku, line in lines.items():
        if sku not in values["parts"]:
            session.delete(line)
    parts = {part.sku: part for part in session.scalars(select(Part).where(Part.sku.in_(list(values["parts"]))))}
    for sku, unit_cost in values["parts"].items():
        line = lines.get(sku) or SupplierPart(supplier_id=supplier.id, part=parts[sku])
        line.unit_cost = unit_cost
        session.add(line)
    session.flush()


# --- restock rules ---

def restock_rules_query(*, search: str | None = None, warehouse: str | None = None) -> Select:
    query = (select(RestockRule).join(Warehouse, RestockRule.warehouse_id == Warehouse.id)
             .join(Part, RestockRule.part_id == Part.id)
             .options(contains_eager(RestockRule.warehouse), contains_eager(RestockRule.part))
             .order_by(Warehouse.code, Part.sku))
    if search:
        query = query.where(_matching([Warehouse.code, Part.sku, Part.name], search))
    return query.where(Warehouse.code == warehouse) if warehouse else query


def restock_rule_for(session: Session, *, warehouse: str, sku: str) -> RestockRule:
    rule = session.scalar(restock_rules_query(warehouse=warehouse).where(Part.sku == sku))
    if rule is None:
        raise SetupNotFound(_("No restock rule for %(sku)s at %(warehouse)s.", sku=sku, warehouse=warehouse))
    return rule


def save_restock_rule(session: Session, *, warehouse: str, sku: str, actor: str, now: datetime,
                      min_quantity: int, max_quantity: int, reorder_multiple: int = 1,
                      auto_create: bool = True) -> tuple[RestockRule, bool]:
    """Create or change the rule (inventory.restock.save_rule holds its rules); (rule, created)."""
    found = session.scalar(select(Warehouse).where(Warehouse.code == warehouse))
    if found is None:
        raise SetupRefused(_("No warehouse %(code)s.", code=warehouse), field="warehouse")
    part = session.scalar(select(Part).where(Part.sku == sku))
    if part is None:
        raise SetupRefused(_("No part with SKU %(sku)s.", sku=sku), field="sku")
    existing = session.get(RestockRule, (found.id, part.id))
    before = {name: getattr(existing, name) for name in RULE_FIELDS} if existing else {}
    rule = restock.save_rule(session, warehouse=found, part=part, min_quantity=min_quantity,
                             max_quantity=max_quantity, reorder_multiple=reorder_multiple, auto_create=auto_create)
    after = {name: getattr(rule, name) for name in RULE_FIELDS}
    changed = diff(before, after) if existing else after
    if changed:  # the same rule saved again is no change
        record_change(session, actor=actor, at=now, kind="restock_rule", key=f"{warehouse}/{sku}",
                      action="update" if existing else "create", changes=changed)
    return rule, existing is None


def delete_restock_rule(session: Session, *, warehouse: Warehouse, part: Part, actor: str, now: datetime) -> bool:
    """Remove the rule, audited with what it was; False when there was no such rule."""
    rule = session.get(RestockRule, (warehouse.id, part.id))
    if rule is None:
        return False
    record_change(session, actor=actor, at=now, kind="restock_rule", key=f"{warehouse.code}/{part.sku}",
                  action="delete", changes={name: getattr(rule, name) for name in RULE_FIELDS})
    session.delete(rule)
    session.flush()
    return True
