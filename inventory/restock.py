"""Min/max replenishment: bring each warehouse back up to its rule's maximum when it falls below the minimum.

The stock position counts what is on its way, so a run never orders twice for the same shortfall:
position = available (on hand − reserved) + open inbound transfers + open purchase orders.
A regional warehouse is refilled from the central warehouse when the central one can spare the units,
otherwise from the cheapest supplier; the central warehouse is refilled from suppliers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory import ledger, orders, reasons
from inventory.ledger import InsufficientStock, StockError
from inventory.models import (
    OPEN_ORDER_STATUSES,
    PurchaseOrder,
    RestockRule,
    StockLevel,
    Transfer,
    Warehouse,
    WarehouseKind,
)


@dataclass(frozen=True)
class Proposal:
    rule: RestockRule
    position: int
    quantity: int
    source: str  # "transfer" or "purchase"
    source_warehouse: Warehouse | None = None

    def describe(self) -> str:
        origin = f"from {self.source_warehouse.code}" if self.source_warehouse else "from a supplier"
        return (f"{self.rule.warehouse.code} {self.rule.part.sku}: position {self.position} < min "
                f"{self.rule.min_quantity}; {self.quantity} {origin}")

    @property
    def reason_fact(self) -> dict[str, Any]:
        """Why the order is made ("restock: " and `describe`), as a code with its facts."""
        facts = {"warehouse": self.rule.warehouse.code, "sku": self.rule.part.sku, "position": self.position,
                 "min": self.rule.min_quantity, "quantity": self.quantity}
        if self.source_warehouse:
            return reasons.reason("restock_transfer", source=self.source_warehouse.code, **facts)
        return reasons.reason("restock_purchase", **facts)


@dataclass
class RestockSummary:
    proposals: list[Proposal] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # numbers of the orders created
    skipped: list[str] = field(default_factory=list)  # why a proposal could not become an order

    def __str__(self) -> str:
        return (f"{len(self.proposals)} below minimum, {len(self.created)} order(s) created"
                + (f", {len(self.skipped)} not possible" if self.skipped else ""))


def stock_positions(session: Session) -> dict[tuple[int, int], int]:
    """The stock position of every (warehouse, part) that has stock or stock on its way, in three
    grouped queries rather than three per rule."""
    positions: dict[tuple[int, int], int] = {}
    for warehouse_id, part_id, quantity in (
            *session.execute(select(StockLevel.warehouse_id, StockLevel.part_id,
                                    StockLevel.on_hand - StockLevel.reserved)),
            *session.execute(select(Transfer.to_warehouse_id, Transfer.part_id, func.sum(Transfer.quantity))
                             .where(Transfer.status.in_(OPEN_ORDER_STATUSES))
                             .group_by(Transfer.to_warehouse_id, Transfer.part_id)),
            *session.execute(select(PurchaseOrder.warehouse_id, PurchaseOrder.part_id,
                                    func.sum(PurchaseOrder.quantity))
                             .where(PurchaseOrder.status.in_(OPEN_ORDER_STATUSES))
                             .group_by(PurchaseOrder.warehouse_id, PurchaseOrder.part_id))):
        positions[warehouse_id, part_id] = positions.get((warehouse_id, part_id), 0) + int(quantity)
    return positions


def order_quantity(rule: RestockRule, position: int) -> int:
    """Up to the maximum, rounded up to the reorder multiple; 0 when at or above the minimum."""
    if position >= rule.min_quantity:
        return 0
    shortfall = rule.max_quantity - position
    return -(-shortfall // rule.reorder_multiple) * rule.reorder_multiple


def propose(session: Session) -> list[Proposal]:
    central = session.scalars(select(Warehouse).where(Warehouse.kind == WarehouseKind.CENTRAL)
                              .order_by(Warehouse.id)).first()
    proposals = []
    # Locking the rules makes two schedulers running at once take turns: the second sees the first's
    # orders as inbound stock and orders nothing more.
    rules = list(session.scalars(select(RestockRule).order_by(RestockRule.warehouse_id, RestockRule.part_id)
                                 .with_for_update()))
    positions = stock_positions(session)
    for rule in rules:
        position = positions.get((rule.warehouse_id, rule.part_id), 0)
        quantity = order_quantity(rule, position)
        if quantity == 0:
            continue
        if (central is not None and rule.warehouse_id != central.id
                and ledger.available(session, central, rule.part) >= quantity):
            proposals.append(Proposal(rule, position, quantity, "transfer", central))
        else:
            proposals.append(Proposal(rule, position, quantity, "purchase"))
    return proposals


def run_restock(session: Session, *, now: datetime, actor: str = "restock",
                approval_limit: Decimal | None = orders.DEFAULT_PURCHASE_APPROVAL_LIMIT) -> RestockSummary:
    """The scheduled task: propose for every rule and create the orders the rules allow (a purchase
    above `approval_limit` is created waiting for a manager's approval)."""
    summary = RestockSummary(proposals=propose(session))
    for proposal in summary.proposals:
        if proposal.rule.auto_create:
            number = create_from(session, proposal, now=now, actor=actor, summary=summary,
                                 approval_limit=approval_limit)
            if number is not None:
                summary.created.append(number)
    return summary


def create_from(session: Session, proposal: Proposal, *, now: datetime, actor: str,
                summary: RestockSummary | None = None,
                approval_limit: Decimal | None = orders.DEFAULT_PURCHASE_APPROVAL_LIMIT) -> str | None:
    rule, reason = proposal.rule, f"restock: {proposal.describe()}"
    try:
        with session.begin_nested():  # one failed order must not undo the others
            if proposal.source == "transfer":
                order = orders.request_transfer(session, part=rule.part, quantity=proposal.quantity,
                                                source=proposal.source_warehouse, destination=rule.warehouse,
                                                actor=actor, now=now, reason=reason,
                                                reason_fact=proposal.reason_fact)
            else:
                order = orders.create_purchase_order(session, part=rule.part, quantity=proposal.quantity,
                                                     warehouse=rule.warehouse, now=now, reason=reason,
                                                     approval_limit=approval_limit,
                                                     reason_fact=proposal.reason_fact)
    except (InsufficientStock, StockError) as error:
        if summary is not None:
            summary.skipped.append(f"{proposal.describe()}: {error}")
        return None
    return order.number


def save_rule(session: Session, *, warehouse: Warehouse, part, min_quantity: int, max_quantity: int,
              reorder_multiple: int = 1, auto_create: bool = True) -> RestockRule:
    """Create or change the rule for a warehouse and part, refusing nonsense with the field at fault."""
    for name, value in (("min_quantity", min_quantity), ("max_quantity", max_quantity)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StockError("Must be a whole number, 0 or more.", field=name)
    if max_quantity < min_quantity:
        raise StockError("The maximum must be at least the minimum.", field="max_quantity")
    if isinstance(reorder_multiple, bool) or not isinstance(reorder_multiple, int) or reorder_multiple < 1:
        raise StockError("Order in multiples of at least 1.", field="reorder_multiple")
    rule = session.get(RestockRule, (warehouse.id, part.id))
    if rule is None:
        rule = RestockRule(warehouse=warehouse, part=part)
        session.add(rule)
    rule.min_quantity, rule.max_quantity = min_quantity, max_quantity
    rule.reorder_multiple, rule.auto_create = reorder_multiple, auto_create
    session.flush()
    return rule
