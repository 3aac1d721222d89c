"""Transfers between our warehouses and purchase orders from suppliers: requested → shipped → received,
or cancelled. Stock moves only at the steps where goods physically move.

A purchase order worth more than the approval limit starts as pending approval: it is not placed with
the supplier (it cannot be shipped or received) until a manager approves it; declined, it is cancelled.

A transfer reserves its units at the source when it is requested (so nobody else takes them while
the truck is booked), and ships them out of the source when it is shipped; receiving puts what arrived
into the destination. A purchase order moves stock only when it is received.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.geo import geodesic_m
from core.i18n import gettext as _
from inventory import ledger, reasons
from inventory.ledger import StockError
from inventory.models import (
    OPEN_ORDER_STATUSES,
    OrderStatus,
    Part,
    PurchaseOrder,
    Supplier,
    SupplierPart,
    Transfer,
    Warehouse,
    WarehouseKind,
)

# How long a transfer takes: booking and picking, then the road. A van courier in a Chinese city averages
# well under motorway speed; 30 km/h door to door over the straight-line distance × 1.4 is what our
# regional depots see.
TRANSFER_HANDLING = timedelta(hours=1)
TRANSFER_ROAD_FACTOR = 1.4
TRANSFER_SPEED_KMH = 30.0
TRANSFER_COST_FIXED = Decimal("30.00")  # CNY per courier run
TRANSFER_COST_PER_KM = Decimal("2.50")
# A purchase order worth more than this (in the currency of unit costs) waits for a manager's approval;
# the app passes core.settings.Settings.purchase_approval_limit, this is the default for everyone else.
DEFAULT_PURCHASE_APPROVAL_LIMIT = Decimal("5000.00")


class OrderStateError(StockError):
    def __init__(self, message: str):
        super().__init__(message, field="status")


def transfer_transit(source: Warehouse, destination: Warehouse) -> tuple[timedelta, Decimal]:
    """Door-to-door time and courier cost of moving parts between two warehouses."""
    km = _distance_km(source, destination)
    hours = km * TRANSFER_ROAD_FACTOR / TRANSFER_SPEED_KMH
    cost = TRANSFER_COST_FIXED + TRANSFER_COST_PER_KM * Decimal(str(round(km * TRANSFER_ROAD_FACTOR, 1)))
    return TRANSFER_HANDLING + timedelta(hours=hours), cost.quantize(Decimal("0.01"))


def _distance_km(a: Warehouse, b: Warehouse) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return 30.0  # a warehouse without coordinates (e.g. a van): assume across town
    return geodesic_m((a.latitude, a.longitude), (b.latitude, b.longitude)) / 1000.0


# --- transfers ---

def request_transfer(session: Session, *, part: Part, quantity: int, source: Warehouse, destination: Warehouse,
                     actor: str, now: datetime, reason: str = "", job_id: int | None = None,
                     emergency: bool = False, reason_fact: dict[str, Any] | None = None) -> Transfer:
    """`reason` is the English text (or a person's note); `reason_fact` the same as a code with its
    facts (inventory.reasons), from which pages say it in the reader's language."""
    ledger.check_quantity(quantity)
    if source.id == destination.id:
        raise StockError(_("A transfer needs two different warehouses."), field="to_warehouse")
    transit, _cost = transfer_transit(source, destination)
    transfer = Transfer(part=part, quantity=quantity, from_warehouse=source, to_warehouse=destination,
                        status=OrderStatus.REQUESTED, reason=reason, emergency=emergency, job_id=job_id,
                        expected_at=now + transit, requested_at=now, received_quantity=0)
    _set_reason(transfer, reason_fact or reasons.as_fact(None, None, reason))
    session.add(transfer)
    session.flush()
    ledger.reserve(session, warehouse=source, part=part, quantity=quantity, actor=actor, now=now,
                   reason=reasons.reason("held_for_transfer", transfer=transfer.number), transfer_id=transfer.id, job_id=job_id)
    return transfer


def ship_transfer(session: Session, *, transfer: Transfer, actor: str, now: datetime) -> Transfer:
    _require(transfer.status, OrderStatus.REQUESTED, "ship", transfer.number)
    common = {"warehouse": transfer.from_warehouse, "part": transfer.part, "quantity": transfer.quantity,
              "actor": actor, "now": now, "transfer_id": transfer.id, "job_id": transfer.job_id}
    shipped = reasons.reason("shipped_on", transfer=transfer.number)
    ledger.release(session, reason=shipped, **common)
    ledger.move(session, kind=ledger.MovementKind.TRANSFER_OUT, reason=shipped, **common)
    transfer.status, transfer.shipped_at = OrderStatus.SHIPPED, now
    transfer.expected_at = now + transfer_transit(transfer.from_warehouse, transfer.to_warehouse)[0] \
        - TRANSFER_HANDLING
    session.flush()
    return transfer


def receive_transfer(session: Session, *, transfer: Transfer, quantity: int | None, actor: str,
                     now: datetime) -> Transfer:
    """Put what arrived into the destination. Fewer than shipped is allowed (the rest is lost in
    transit and says so in the ledger reason); more than shipped is refused."""
    _require(transfer.status, OrderStatus.SHIPPED, "receive", transfer.number)
    received = transfer.quantity if quantity is None else ledger.check_quantity(quantity)
    if received > transfer.quantity:
        raise StockError(_("%(number)s shipped %(quantity)s; cannot receive %(received)s.", number=transfer.number,
                           quantity=transfer.quantity, received=received))
    ledger.move(session, warehouse=transfer.to_warehouse, part=transfer.part, kind=ledger.MovementKind.TRANSFER_IN,
                quantity=received, actor=actor, now=now, transfer_id=transfer.id, job_id=transfer.job_id,
                reason=reasons.reason("received_from_short", transfer=transfer.number,
                                      short=transfer.quantity - received) if received < transfer.quantity
                else reasons.reason("received_from", transfer=transfer.number))
    transfer.status, transfer.received_at, transfer.received_quantity = OrderStatus.RECEIVED, now, received
    session.flush()
    return transfer


def cancel_transfer(session: Session, *, transfer: Transfer, actor: str, now: datetime) -> Transfer:
    _require(transfer.status, OrderStatus.REQUESTED, "cancel", transfer.number)
    ledger.release(session, warehouse=transfer.from_warehouse, part=transfer.part, quantity=transfer.quantity,
                   actor=actor, now=now, reason=reasons.reason("transfer_cancelled", transfer=transfer.number), transfer_id=transfer.id,
                   job_id=transfer.job_id)
    transfer.status = OrderStatus.CANCELLED
    session.flush()
    return transfer


# --- purchase orders ---

@dataclass(frozen=True)
class SupplierQuote:
    supplier: Supplier
    unit_cost: Decimal
    lead: timedelta
    total: Decimal


def quotes(session: Session, *, part: Part, quantity: int, expedited: bool) -> list[SupplierQuote]:
    """What every supplier of `part` would charge and how long it would take, cheapest first."""
    out = []
    for offer in session.scalars(select(SupplierPart).where(SupplierPart.part_id == part.id)):
        supplier = offer.supplier
        hours = supplier.expedited_lead_hours if expedited else supplier.normal_lead_hours
        total = offer.unit_cost * quantity + (supplier.expedite_fee if expedited else Decimal(0))
        out.append(SupplierQuote(supplier, offer.unit_cost, timedelta(hours=hours), total))
    return sorted(out, key=lambda q: (q.total, q.lead))


def create_purchase_order(session: Session, *, part: Part, quantity: int, warehouse: Warehouse, now: datetime,
                          supplier: Supplier | None = None, expedited: bool = False, reason: str = "",
                          job_id: int | None = None, emergency: bool = False,
                          approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT,
                          reason_fact: dict[str, Any] | None = None) -> PurchaseOrder:
    """Order from the cheapest supplier (or the one named); above `approval_limit` (None: no limit) the
    order waits for a manager's approval, and its reason says so."""
    ledger.check_quantity(quantity)
    if warehouse.kind == WarehouseKind.VAN:
        raise StockError(_("Suppliers deliver to a warehouse, not to a van."), field="warehouse")
    offers = quotes(session, part=part, quantity=quantity, expedited=expedited)
    if supplier is not None:
        offers = [q for q in offers if q.supplier.id == supplier.id]
    if not offers:
        raise StockError(_("No supplier %(supplier)s sells %(sku)s.", supplier=supplier.code, sku=part.sku) if supplier
                         else _("No supplier sells %(sku)s.", sku=part.sku), field="supplier")
    quote = offers[0]
    status = OrderStatus.REQUESTED
    fact = reason_fact or reasons.as_fact(None, None, reason)
    if needs_approval(quote.total, approval_limit):
        status = OrderStatus.PENDING_APPROVAL
        reason = "; ".join(filter(None, [reason, approval_wait(quote.total, approval_limit)]))
        fact = reasons.joined(fact, reasons.reason("approval_wait", total=str(quote.total),
                                                   limit=str(approval_limit)))
    order = PurchaseOrder(supplier=quote.supplier, part=part, quantity=quantity, warehouse=warehouse,
                          expedited=expedited, unit_cost=quote.unit_cost, total_cost=quote.total,
                          status=status, reason=reason, emergency=emergency, job_id=job_id,
                          expected_at=now + quote.lead, requested_at=now, received_quantity=0)
    _set_reason(order, fact)
    session.add(order)
    session.flush()
    return order


def _set_reason(order: Transfer | PurchaseOrder, fact: dict[str, Any] | None) -> None:
    order.reason_code, order.reason_facts = reasons.split(fact)


def _add_reason(order: Transfer | PurchaseOrder, fact: dict[str, Any]) -> None:
    """`fact` after the order's reason so far (an older row's text kept as it is)."""
    _set_reason(order, reasons.joined(reasons.as_fact(order.reason_code, order.reason_facts, order.reason), fact))


def needs_approval(total: Decimal, approval_limit: Decimal | None) -> bool:
    return approval_limit is not None and total > approval_limit


def approval_wait(total: Decimal, approval_limit: Decimal) -> str:
    return (f"waits for a manager's approval: its total {total} is above the approval limit {approval_limit}; "
            f"it is not placed with the supplier until approved")


def approve_purchase_order(session: Session, *, order: PurchaseOrder, actor: str, now: datetime) -> PurchaseOrder:
    """A manager approves an order above the limit: it is placed now, and the supplier's lead time
    counts from now."""
    _require(order.status, OrderStatus.PENDING_APPROVAL, "approve", order.number)
    lead = (order.expected_at - order.requested_at) if order.expected_at else None
    order.status, order.approved_by, order.approved_at = OrderStatus.REQUESTED, actor, now
    if lead is not None:
        order.expected_at = now + lead
    _add_reason(order, reasons.reason("approved_by", actor=actor, at=f"{now:%Y-%m-%d %H:%M}"))
    order.reason = f"{order.reason}; approved by {actor} at {now:%Y-%m-%d %H:%M} UTC"
    session.flush()
    return order


def decline_purchase_order(session: Session, *, order: PurchaseOrder, actor: str, now: datetime,
                           reason: str = "") -> PurchaseOrder:
    """A manager declines an order above the limit: it is cancelled without ever being placed."""
    _require(order.status, OrderStatus.PENDING_APPROVAL, "decline", order.number)
    order.status, order.declined_by, order.declined_at = OrderStatus.CANCELLED, actor, now
    at = f"{now:%Y-%m-%d %H:%M}"
    _add_reason(order, reasons.reason("declined_by_because", actor=actor, at=at, why=reasons.typed(reason))
                if reason else reasons.reason("declined_by", actor=actor, at=at))
    order.reason = (f"{order.reason}; declined by {actor} at {now:%Y-%m-%d %H:%M} UTC"
                    + (f": {reason}" if reason else ""))
    session.flush()
    return order


def ship_purchase_order(session: Session, *, order: PurchaseOrder, now: datetime,
                        expected_at: datetime | None = None) -> PurchaseOrder:
    """The supplier reports the goods dispatched (optionally with a new arrival time)."""
    _require(order.status, OrderStatus.REQUESTED, "mark shipped", order.number)
    order.status, order.shipped_at = OrderStatus.SHIPPED, now
    if expected_at is not None:
        order.expected_at = expected_at
    session.flush()
    return order


def receive_purchase_order(session: Session, *, order: PurchaseOrder, quantity: int | None, actor: str,
                           now: datetime) -> PurchaseOrder:
    if order.status == OrderStatus.PENDING_APPROVAL:
        raise OrderStateError(_("%(number)s waits for a manager's approval; it was never placed and cannot be "
                                "received.", number=order.number))
    if order.status not in OPEN_ORDER_STATUSES:
        raise OrderStateError(_("%(number)s is %(status)s; only an open order can be received.",
                                number=order.number, status=_order_status(order.status)))
    received = order.quantity if quantity is None else ledger.check_quantity(quantity)
    if received > order.quantity:
        raise StockError(_("%(number)s is for %(quantity)s; cannot receive %(received)s.", number=order.number,
                           quantity=order.quantity, received=received))
    ledger.receive(session, warehouse=order.warehouse, part=order.part, quantity=received, actor=actor, now=now,
                   reason=reasons.reason("received_on", order=order.number), purchase_order_id=order.id)
    order.status, order.received_at, order.received_quantity = OrderStatus.RECEIVED, now, received
    order.shipped_at = order.shipped_at or now
    session.flush()
    return order


def cancel_purchase_order(session: Session, *, order: PurchaseOrder, now: datetime) -> PurchaseOrder:
    if order.status not in OPEN_ORDER_STATUSES:
        raise OrderStateError(_("%(number)s is %(status)s; it can no longer be cancelled.", number=order.number,
                                status=_order_status(order.status)))
    order.status = OrderStatus.CANCELLED
    session.flush()
    return order


def N_(message: str) -> str:
    return message


# The words refusals use for an order's status and for what was asked, so they read in the user's language.
_STATUS_NAMES = {"pending_approval": N_("waiting for approval"), "requested": N_("requested"),
                 "shipped": N_("shipped"), "received": N_("received"), "cancelled": N_("cancelled"),
                 "declined": N_("declined")}
_VERBS = {"ship": N_("ship"), "receive": N_("receive"), "cancel": N_("cancel"), "approve": N_("approve"),
          "decline": N_("decline"), "mark shipped": N_("mark as shipped")}


def _order_status(status: OrderStatus | str) -> str:
    value = getattr(status, "value", status)
    return _(_STATUS_NAMES[value]) if value in _STATUS_NAMES else str(value)


def _require(current: OrderStatus, needed: OrderStatus, verb: str, number: str) -> None:
    if current != needed:
        raise OrderStateError(_("Cannot %(verb)s %(number)s: it is %(current)s, not %(needed)s.",
                                verb=_(_VERBS.get(verb, verb)), number=number, current=_order_status(current),
                                needed=_order_status(needed)))
