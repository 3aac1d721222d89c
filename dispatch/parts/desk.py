"""What warehouse staff do, named the way they name things: warehouse codes, SKUs and order numbers as
typed on a page or sent by a client. Each step looks up what was named — refusing an unknown one with
the field at fault — then calls the ledger or the order lifecycle. The API and the warehouse pages
both go through here, so a rule holds the same on both.

When an order placed for a job arrives, the job's line is reserved at once (job_parts.arrived), so
nobody has to remember a second step; when one is cancelled or declined, the part is sourced for the
job again or the job is escalated (job_parts.order_cancelled).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.jobs.audit import Actor
from dispatch.parts import services as job_parts
from inventory import ledger, orders
from inventory import setup as stock_setup
from inventory.ledger import StockError
from inventory.models import (
    JobPartState,
    Part,
    PurchaseOrder,
    RestockRule,
    StockMovement,
    Supplier,
    Transfer,
    Warehouse,
)
from inventory.orders import DEFAULT_PURCHASE_APPROVAL_LIMIT
from inventory.overview import order_id
from inventory.reasons import reason as stock_reason


def warehouse_named(session: Session, code: str | None, *, field: str = "warehouse") -> Warehouse:
    warehouse = session.scalar(select(Warehouse).where(Warehouse.code == (code or "").strip()))
    if warehouse is None:
        raise StockError(f"No warehouse {code!r}.", field=field)
    return warehouse


def part_named(session: Session, sku: str | None, *, field: str = "sku") -> Part:
    part = session.scalar(select(Part).where(Part.sku == (sku or "").strip()))
    if part is None:
        raise StockError(f"No part with SKU {sku!r}.", field=field)
    return part


def supplier_named(session: Session, code: str, *, field: str = "supplier") -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.code == code.strip()))
    if supplier is None:
        raise StockError(f"No supplier {code!r}.", field=field)
    return supplier


class OrderNotFound(LookupError):
    pass


def transfer_numbered(session: Session, number: str, *, lock: bool = False) -> Transfer:
    return _order(session, Transfer, "TR", number, lock)


def purchase_order_numbered(session: Session, number: str, *, lock: bool = False) -> PurchaseOrder:
    return _order(session, PurchaseOrder, "PO", number, lock)


def _order(session: Session, model, prefix: str, number: str, lock: bool):
    order_key = order_id(number, prefix)
    order = None
    if order_key is not None:
        query = select(model).where(model.id == order_key)
        # Two clerks pressing "receive" at once: the second waits and then sees it already received.
        order = session.scalar(query.with_for_update() if lock else query)
    if order is None:
        raise OrderNotFound(f"No {'transfer' if prefix == 'TR' else 'purchase order'} {number!r}.")
    return order


@dataclass(frozen=True)
class Receipt:
    movement: StockMovement
    purchase_order: PurchaseOrder | None
    job_lines_reserved: int


def receive_goods(session: Session, *, warehouse_code: str, sku: str, quantity: int, actor: Actor, now: datetime,
                  purchase_order_number: str | None = None, reason: str = "") -> Receipt:
    """Goods at the door. With a purchase order number the order is received (and whatever job it was
    for gets its part); without one it is a plain receipt, e.g. an opening count or a return."""
    warehouse, part = warehouse_named(session, warehouse_code), part_named(session, sku)
    if not purchase_order_number:
        movement = ledger.receive(session, warehouse=warehouse, part=part, quantity=quantity, actor=actor.label,
                                  now=now, reason=reason.strip() or stock_reason("goods_received"))
        return Receipt(movement, None, 0)
    try:
        order = purchase_order_numbered(session, purchase_order_number, lock=True)
    except OrderNotFound as error:
        raise StockError(str(error), field="purchase_order") from None
    if order.warehouse_id != warehouse.id or order.part_id != part.id:
        raise StockError(f"{order.number} is for {order.part.sku} to {order.warehouse.code}, not {part.sku} to "
                         f"{warehouse.code}.", field="purchase_order")
    orders.receive_purchase_order(session, order=order, quantity=quantity, actor=actor.label, now=now)
    lines = job_parts.arrived(session, order=order, actor=actor, now=now)
    movement = session.scalars(select(StockMovement).where(StockMovement.purchase_order_id == order.id)
                               .order_by(StockMovement.id)).first()
    return Receipt(movement, order, sum(1 for line in lines if line.state == JobPartState.RESERVED))


def adjust_stock(session: Session, *, warehouse_code: str, sku: str, change: int, reason: str, actor: Actor,
                 now: datetime) -> StockMovement:
    return ledger.adjust(session, warehouse=warehouse_named(session, warehouse_code), part=part_named(session, sku),
                         change=change, reason=reason, actor=actor.label, now=now)


def create_transfer(session: Session, *, sku: str, quantity: int, from_code: str, to_code: str, actor: Actor,
                    now: datetime, reason: str = "") -> Transfer:
    part = part_named(session, sku)
    source = warehouse_named(session, from_code, field="from_warehouse")
    destination = warehouse_named(session, to_code, field="to_warehouse")
    return orders.request_transfer(session, part=part, quantity=quantity, source=source, destination=destination,
                                   actor=actor.label, now=now, reason=reason.strip())


def ship_transfer(session: Session, *, number: str, actor: Actor, now: datetime) -> Transfer:
    return orders.ship_transfer(session, transfer=transfer_numbered(session, number, lock=True), actor=actor.label,
                                now=now)


def receive_transfer(session: Session, *, number: str, quantity: int | None, actor: Actor,
                     now: datetime) -> Transfer:
    transfer = transfer_numbered(session, number, lock=True)
    orders.receive_transfer(session, transfer=transfer, quantity=quantity, actor=actor.label, now=now)
    job_parts.arrived(session, order=transfer, actor=actor, now=now)
    return transfer


def cancel_transfer(session: Session, *, number: str, actor: Actor, now: datetime,
                    approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> Transfer:
    transfer = orders.cancel_transfer(session, transfer=transfer_numbered(session, number, lock=True),
                                      actor=actor.label, now=now)
    job_parts.order_cancelled(session, order=transfer, actor=actor, now=now, approval_limit=approval_limit)
    return transfer


def create_purchase_order(session: Session, *, sku: str, quantity: int, warehouse_code: str, now: datetime,
                          supplier_code: str | None = None, expedited: bool = False, reason: str = "",
                          approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> PurchaseOrder:
    part, warehouse = part_named(session, sku), warehouse_named(session, warehouse_code)
    supplier = supplier_named(session, supplier_code) if supplier_code else None
    return orders.create_purchase_order(session, part=part, quantity=quantity, warehouse=warehouse, now=now,
                                        supplier=supplier, expedited=expedited, reason=reason.strip(),
                                        approval_limit=approval_limit)


def approve_purchase_order(session: Session, *, number: str, actor: Actor, now: datetime) -> PurchaseOrder:
    """A manager places an order that waited for approval (who and when are kept on the order)."""
    order = orders.approve_purchase_order(session, order=purchase_order_numbered(session, number, lock=True),
                                          actor=actor.label, now=now)
    job_parts.order_approved(session, order=order, actor=actor, now=now)
    return order


def decline_purchase_order(session: Session, *, number: str, actor: Actor, now: datetime, reason: str = "",
                           approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> PurchaseOrder:
    """A manager declines an order that waited for approval; a job it was for is sourced again."""
    order = orders.decline_purchase_order(session, order=purchase_order_numbered(session, number, lock=True),
                                          actor=actor.label, now=now, reason=reason.strip())
    job_parts.order_cancelled(session, order=order, actor=actor, now=now, approval_limit=approval_limit)
    return order


def cancel_purchase_order(session: Session, *, number: str, actor: Actor, now: datetime,
                          approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> PurchaseOrder:
    order = orders.cancel_purchase_order(session, order=purchase_order_numbered(session, number, lock=True),
                                         now=now)
    job_parts.order_cancelled(session, order=order, actor=actor, now=now, approval_limit=approval_limit)
    return order


def ship_purchase_order(session: Session, *, number: str, now: datetime,
                        expected_at: datetime | None = None) -> PurchaseOrder:
    """The supplier dispatched the goods (optionally with a new expected arrival)."""
    return orders.ship_purchase_order(session, order=purchase_order_numbered(session, number, lock=True), now=now,
                                      expected_at=expected_at)


def receive_purchase_order(session: Session, *, number: str, quantity: int | None, actor: Actor,
                           now: datetime) -> PurchaseOrder:
    order = purchase_order_numbered(session, number, lock=True)
    orders.receive_purchase_order(session, order=order, quantity=quantity, actor=actor.label, now=now)
    job_parts.arrived(session, order=order, actor=actor, now=now)
    return order


def save_rule(session: Session, *, warehouse_code: str, sku: str, min_quantity: int, max_quantity: int,
              actor: Actor, now: datetime, reorder_multiple: int = 1, auto_create: bool = True) -> RestockRule:
    """The same audited change as the set-up pages' (inventory.setup.save_restock_rule)."""
    warehouse, part = warehouse_named(session, warehouse_code), part_named(session, sku)
    return stock_setup.save_restock_rule(session, warehouse=warehouse.code, sku=part.sku, actor=actor.label, now=now,
                                         min_quantity=min_quantity, max_quantity=max_quantity,
                                         reorder_multiple=reorder_multiple, auto_create=auto_create)[0]


def delete_rule(session: Session, *, warehouse_code: str, sku: str, actor: Actor, now: datetime) -> bool:
    """False when there was no such rule. Audited as the set-up's changes are."""
    warehouse, part = warehouse_named(session, warehouse_code), part_named(session, sku)
    return stock_setup.delete_restock_rule(session, warehouse=warehouse, part=part, actor=actor.label, now=now)
