"""Read-only views of stock for the people who run it: levels beside their restock rule, the ledger,
and open orders. Nothing here writes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from inventory.models import (
    OPEN_ORDER_STATUSES,
    OrderStatus,
    Part,
    PurchaseOrder,
    RestockRule,
    StockLevel,
    StockMovement,
    Supplier,
    Transfer,
    Warehouse,
)

_NUMBER = re.compile(r"^\s*(TR|PO)-?0*([0-9]{1,9})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class StockRow:
    """One part in one warehouse: its level (zeros when it never moved there) and its rule, if any."""

    warehouse: Warehouse
    part: Part
    on_hand: int
    reserved: int
    faulty: int
    min_quantity: int | None
    max_quantity: int | None

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low(self) -> bool:
        # Reserved units are promised to jobs and transfers, so they do not count against the minimum.
        return self.min_quantity is not None and self.available < self.min_quantity


STOCK_SORTS = ("warehouse", "part", "on_hand", "available", "shortfall")


def stock_query(*, warehouse_id: int | None = None, part_id: int | None = None, low_only: bool = False,
                sort: str = "warehouse", descending: bool = False) -> Select:
    """Every (warehouse, part) that has a level or a rule — a rule for a part never received there is
    the most urgent kind of low stock, so it must show up too — sorted by one of STOCK_SORTS
    ("shortfall": how far below its minimum, levels without a rule last)."""
    pairs = union(select(StockLevel.warehouse_id, StockLevel.part_id),
                  select(RestockRule.warehouse_id, RestockRule.part_id)).subquery()
    on_hand = func.coalesce(StockLevel.on_hand, 0)
    reserved = func.coalesce(StockLevel.reserved, 0)
    query = (select(Warehouse, Part, on_hand, reserved, func.coalesce(StockLevel.faulty, 0),
                    RestockRule.min_quantity, RestockRule.max_quantity)
             .select_from(pairs)
             .join(Warehouse, Warehouse.id == pairs.c.warehouse_id)
             .join(Part, Part.id == pairs.c.part_id)
             .outerjoin(StockLevel, and_(StockLevel.warehouse_id == pairs.c.warehouse_id,
                                         StockLevel.part_id == pairs.c.part_id))
             .outerjoin(RestockRule, and_(RestockRule.warehouse_id == pairs.c.warehouse_id,
                                          RestockRule.part_id == pairs.c.part_id))
             )
    available = on_hand - reserved
    keys = {"warehouse": [Warehouse.code, Part.sku], "part": [Part.sku, Warehouse.code],
            "on_hand": [on_hand], "available": [available],
            "shortfall": [RestockRule.min_quantity - available]}[sort]
    ordered = [key.desc() if descending else key.asc() for key in keys]
    if sort == "shortfall":  # levels without a rule have no shortfall: last, either way
        ordered.insert(0, RestockRule.min_quantity.is_(None))
    # Warehouse and SKU break ties, so that a page never shows a row twice nor skips one.
    query = query.order_by(*ordered, Warehouse.code, Part.sku)
    if warehouse_id is not None:
        query = query.where(pairs.c.warehouse_id == warehouse_id)
    if part_id is not None:
        query = query.where(pairs.c.part_id == part_id)
    if low_only:
        query = query.where(RestockRule.min_quantity.is_not(None), on_hand - reserved < RestockRule.min_quantity)
    return query


def stock_rows(session: Session, query: Select) -> list[StockRow]:
    return [StockRow(*row) for row in session.execute(query)]


def count_rows(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def movements_query(*, warehouse_id: int | None = None, part_id: int | None = None) -> Select:
    """The ledger, newest first."""
    query = select(StockMovement).order_by(StockMovement.id.desc())
    if warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == warehouse_id)
    if part_id is not None:
        query = query.where(StockMovement.part_id == part_id)
    return query


def order_id(number: str, prefix: str) -> int | None:
    """'TR-000042' (or 'tr-42') → 42 when the prefix matches; None for anything else."""
    match = _NUMBER.match(number or "")
    if match is None or match.group(1).upper() != prefix:
        return None
    return int(match.group(2))


def transfers_query(*, status: list[OrderStatus] | None = None, warehouse_id: int | None = None) -> Select:
    query = select(Transfer).order_by(Transfer.id.desc())
    if status:
        query = query.where(Transfer.status.in_(status))
    if warehouse_id is not None:
        query = query.where(or_(Transfer.from_warehouse_id == warehouse_id, Transfer.to_warehouse_id == warehouse_id))
    return query


def purchase_orders_query(*, status: list[OrderStatus] | None = None, warehouse_id: int | None = None) -> Select:
    query = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    if status:
        query = query.where(PurchaseOrder.status.in_(status))
    if warehouse_id is not None:
        query = query.where(PurchaseOrder.warehouse_id == warehouse_id)
    return query


def _lifecycle(status):
    # The order an order goes through its states, so sorting by state reads as its lifecycle.
    return case({OrderStatus.PENDING_APPROVAL: 0, OrderStatus.REQUESTED: 1, OrderStatus.SHIPPED: 2,
                 OrderStatus.RECEIVED: 3, OrderStatus.CANCELLED: 4}, value=status, else_=5)


PURCHASE_ORDER_SORTS = {"number": PurchaseOrder.id, "supplier": Supplier.code, "state": _lifecycle(PurchaseOrder.status),
                        "due": PurchaseOrder.expected_at}


def purchase_orders_sorted(*, status: list[OrderStatus] | None = None, sort: str = "number",
                           descending: bool = True) -> Select:
    """Purchase orders sorted by one of PURCHASE_ORDER_SORTS, open emergencies always first: the order a
    job is waiting for is what the clerk chases before any routine restock."""
    key = PURCHASE_ORDER_SORTS[sort]
    pinned = case((and_(PurchaseOrder.emergency.is_(True), PurchaseOrder.status.in_(OPEN_ORDER_STATUSES)), 0),
                  else_=1)
    # Orders without an expected arrival sort last either way; the number breaks ties so pages are stable.
    keys = [pinned]
    if sort == "due":
        keys.append(PurchaseOrder.expected_at.is_(None))
    keys += [key.desc() if descending else key.asc(), PurchaseOrder.id.desc() if descending else PurchaseOrder.id]
    query = select(PurchaseOrder).join(Supplier, Supplier.id == PurchaseOrder.supplier_id).order_by(*keys)
    if status:
        query = query.where(PurchaseOrder.status.in_(status))
    return query


_SOURCE, _DESTINATION = aliased(Warehouse), aliased(Warehouse)
TRANSFER_SORTS = {"number": Transfer.id, "part": Part.sku, "from": _SOURCE.code, "to": _DESTINATION.code,
                  "state": _lifecycle(Transfer.status), "expected": Transfer.expected_at}


def transfers_sorted(*, status: list[OrderStatus] | None = None, sort: str = "number",
                     descending: bool = True) -> Select:
    """Transfers sorted by one of TRANSFER_SORTS, open emergencies always first: a job is waiting for them."""
    pinned = case((and_(Transfer.emergency.is_(True), Transfer.status.in_(OPEN_ORDER_STATUSES)), 0), else_=1)
    key = TRANSFER_SORTS[sort]
    # Transfers not yet given an arrival sort last either way; the number breaks ties so the order is stable.
    keys = [pinned]
    if sort == "expected":
        keys.append(Transfer.expected_at.is_(None))
    keys += [key.desc() if descending else key.asc(), Transfer.id.desc() if descending else Transfer.id]
    query = (select(Transfer)
             .join(Part, Part.id == Transfer.part_id)
             .join(_SOURCE, _SOURCE.id == Transfer.from_warehouse_id)
             .join(_DESTINATION, _DESTINATION.id == Transfer.to_warehouse_id)
             .order_by(*keys))
    if status:
        query = query.where(Transfer.status.in_(status))
    return query
