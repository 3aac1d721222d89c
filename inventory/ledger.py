"""The stock ledger: every change to stock is one appended movement plus the same change to the level.

Both are written in the caller's transaction, so the level and the sum of the ledger can never part.
A movement that would take a level below zero, or reserve more than is on hand, is refused by a
conditional UPDATE that matches no row: under concurrency the database, not a prior read, decides
who gets the last unit (PostgreSQL re-checks the WHERE clause against the row it waited for).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db import insert_for
from core.i18n import gettext as _
from inventory import reasons
from inventory.models import MovementKind, Part, StockLevel, StockMovement, Warehouse

# Why a movement happened: the text a person wrote, or a reason (inventory.reasons.reason(code, **facts))
# stored as its code and facts beside its English text, so pages say it in the reader's language.
Reason = str | dict[str, Any]

MAX_QUANTITY = 100_000  # a single movement larger than this is a typing mistake, not a delivery


class StockError(ValueError):
    """A stock operation that cannot be done; `field` names the input at fault (for field messages)."""

    def __init__(self, message: str, *, field: str = "quantity"):
        super().__init__(message)
        self.field = field


class InsufficientStock(StockError):
    pass


@dataclass(frozen=True)
class Delta:
    on_hand: int = 0
    reserved: int = 0
    faulty: int = 0


# What each kind of movement does to the level, per unit moved.
EFFECTS: dict[MovementKind, Delta] = {
    MovementKind.RECEIPT: Delta(on_hand=1),
    MovementKind.TRANSFER_IN: Delta(on_hand=1),
    MovementKind.TRANSFER_OUT: Delta(on_hand=-1),
    MovementKind.RESERVATION: Delta(reserved=1),
    MovementKind.RELEASE: Delta(reserved=-1),
    MovementKind.FAULTY_RETURN: Delta(faulty=1),
}


def check_quantity(quantity: object, *, field: str = "quantity") -> int:
    """A quantity typed by a person or sent by a client: a whole number of units, 1..MAX_QUANTITY."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise StockError(_("Quantity must be a whole number of units."), field=field)
    if quantity < 1:
        raise StockError(_("Quantity must be at least 1."), field=field)
    if quantity > MAX_QUANTITY:
        raise StockError(_("Quantity must be at most %(max)s.", max=MAX_QUANTITY), field=field)
    return quantity


def level_of(session: Session, warehouse: Warehouse, part: Part) -> StockLevel | None:
    return session.get(StockLevel, (warehouse.id, part.id), populate_existing=True)


def available(session: Session, warehouse: Warehouse, part: Part) -> int:
    level = level_of(session, warehouse, part)
    return level.available if level else 0


def move(session: Session, *, warehouse: Warehouse, part: Part, kind: MovementKind, quantity: int, actor: str,
         now: datetime, reason: Reason = "", job_id: int | None = None, transfer_id: int | None = None,
         purchase_order_id: int | None = None, delta: Delta | None = None) -> StockMovement:
    """Append one movement and apply it to the level, or raise InsufficientStock and change nothing."""
    check_quantity(quantity)
    per_unit = delta or EFFECTS[kind]
    d = Delta(per_unit.on_hand * quantity, per_unit.reserved * quantity, per_unit.faulty * quantity)
    # Only a movement adding goods can need a new row (a reservation needs goods already on hand).
    if d.on_hand > 0 or d.faulty > 0:
        _ensure_level(session, warehouse.id, part.id)
    applied = session.execute(
        update(StockLevel)
        .where(StockLevel.warehouse_id == warehouse.id, StockLevel.part_id == part.id,
               StockLevel.on_hand + d.on_hand >= 0,
               StockLevel.reserved + d.reserved >= 0,
               StockLevel.on_hand + d.on_hand - (StockLevel.reserved + d.reserved) >= 0,
               StockLevel.faulty + d.faulty >= 0)
        .values(on_hand=StockLevel.on_hand + d.on_hand, reserved=StockLevel.reserved + d.reserved,
                faulty=StockLevel.faulty + d.faulty)
        .execution_options(synchronize_session=False))
    if applied.rowcount != 1:
        level = level_of(session, warehouse, part)
        raise InsufficientStock(_shortage_message(kind, quantity, part, warehouse, level))
    code, facts = reasons.split(reason) if isinstance(reason, dict) else (None, None)
    movement = StockMovement(warehouse_id=warehouse.id, part_id=part.id, kind=kind, quantity=quantity,
                             on_hand_delta=d.on_hand, reserved_delta=d.reserved, faulty_delta=d.faulty,
                             reason=reasons.english(code, facts) if code else reason, reason_code=code,
                             reason_facts=facts, job_id=job_id, transfer_id=transfer_id,
                             purchase_order_id=purchase_order_id, actor=actor, created_at=now)
    session.add(movement)
    session.flush()
    return movement


def _ensure_level(session: Session, warehouse_id: int, part_id: int) -> None:
    """Create the zero level row if it is missing, without a race between two first movements."""
    session.execute(insert_for(session)(StockLevel).values(warehouse_id=warehouse_id, part_id=part_id, on_hand=0, reserved=0,
                                              faulty=0).on_conflict_do_nothing())


def _shortage_message(kind: MovementKind, quantity: int, part: Part, warehouse: Warehouse,
                      level: StockLevel | None) -> str:
    on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
    if kind == MovementKind.RELEASE:
        return _("Cannot release %(quantity)s of %(sku)s at %(warehouse)s: only %(reserved)s reserved.",
                 quantity=quantity, sku=part.sku, warehouse=warehouse.code, reserved=reserved)
    return _("Not enough %(sku)s at %(warehouse)s: %(on_hand)s on hand, %(reserved)s reserved, %(available)s "
             "available; %(quantity)s needed.", sku=part.sku, warehouse=warehouse.code, on_hand=on_hand,
             reserved=reserved, available=on_hand - reserved, quantity=quantity)


# --- the named operations people and processes perform ---

def receive(session: Session, *, warehouse: Warehouse, part: Part, quantity: int, actor: str, now: datetime,
            reason: Reason = "", purchase_order_id: int | None = None) -> StockMovement:
    return move(session, warehouse=warehouse, part=part, kind=MovementKind.RECEIPT, quantity=quantity, actor=actor,
                now=now, reason=reason, purchase_order_id=purchase_order_id)


def adjust(session: Session, *, warehouse: Warehouse, part: Part, change: int, reason: Reason, actor: str,
           now: datetime) -> StockMovement:
    """A stock count correction: `change` units up (positive) or down (negative), always with a reason."""
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise StockError(_("The change must be a whole number of units, not zero."), field="change")
    if not reason or (isinstance(reason, str) and not reason.strip()):
        raise StockError(_("Say why the stock is adjusted (for example: count on 23 Nov found 2 fewer)."),
                         field="reason")
    return move(session, warehouse=warehouse, part=part, kind=MovementKind.ADJUSTMENT, quantity=abs(change),
                actor=actor, now=now, reason=reason.strip()[:2000] if isinstance(reason, str) else reason,
                delta=Delta(on_hand=1 if change > 0 else -1))


def reserve(session: Session, *, warehouse: Warehouse, part: Part, quantity: int, actor: str, now: datetime,
            reason: Reason = "", job_id: int | None = None, transfer_id: int | None = None) -> StockMovement:
    return move(session, warehouse=warehouse, part=part, kind=MovementKind.RESERVATION, quantity=quantity,
                actor=actor, now=now, reason=reason, job_id=job_id, transfer_id=transfer_id)


def release(session: Session, *, warehouse: Warehouse, part: Part, quantity: int, actor: str, now: datetime,
            reason: Reason = "", job_id: int | None = None, transfer_id: int | None = None) -> StockMovement:
    return move(session, warehouse=warehouse, part=part, kind=MovementKind.RELEASE, quantity=quantity, actor=actor,
                now=now, reason=reason, job_id=job_id, transfer_id=transfer_id)


def consume(session: Session, *, warehouse: Warehouse, part: Part, quantity: int, actor: str, now: datetime,
            job_id: int | None, from_reservation: bool, reason: Reason = "") -> StockMovement:
    """Parts fitted at a job leave stock; from a reservation they also stop being reserved."""
    delta = Delta(on_hand=-1, reserved=-1 if from_reservation else 0)
    return move(session, warehouse=warehouse, part=part, kind=MovementKind.CONSUMPTION, quantity=quantity,
                actor=actor, now=now, reason=reason, job_id=job_id, delta=delta)


# --- proving the levels equal the ledger ---

@dataclass(frozen=True)
class LedgerDifference:
    warehouse_id: int
    part_id: int
    level: tuple[int, int, int]  # on_hand, reserved, faulty as stored
    ledger: tuple[int, int, int]  # the same summed from the movements

    def __str__(self) -> str:
        return (f"warehouse {self.warehouse_id} part {self.part_id}: level (on hand, reserved, faulty) = "
                f"{self.level}, ledger says {self.ledger}")


def ledger_differences(session: Session) -> list[LedgerDifference]:
    """Every (warehouse, part) whose stored level differs from the sum of its movements."""
    sums = {(w, p): (int(h), int(r), int(f)) for w, p, h, r, f in session.execute(
        select(StockMovement.warehouse_id, StockMovement.part_id, func.sum(StockMovement.on_hand_delta),
               func.sum(StockMovement.reserved_delta), func.sum(StockMovement.faulty_delta))
        .group_by(StockMovement.warehouse_id, StockMovement.part_id))}
    levels = {(w, p): (h, r, f) for w, p, h, r, f in session.execute(
        select(StockLevel.warehouse_id, StockLevel.part_id, StockLevel.on_hand, StockLevel.reserved,
               StockLevel.faulty))}
    differences = []
    for key in sorted(set(sums) | set(levels)):
        level, ledger = levels.get(key, (0, 0, 0)), sums.get(key, (0, 0, 0))
        if level != ledger:
            differences.append(LedgerDifference(key[0], key[1], level, ledger))
    return differences
