"""Property: any sequence of stock operations, refused or not, leaves every level equal to its ledger,
never negative, never reserving more than is on hand — and equal to a plain in-memory model."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inventory import ledger, orders
from inventory.ledger import InsufficientStock, StockError
from inventory.models import OrderStatus
from tests.builders.inventory import make_part, make_warehouse
from tests.conftest import NOW

QUANTITY = st.integers(min_value=-2, max_value=6)  # includes refused quantities (0, negative)
OPERATION = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("reserve"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("release"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("consume_reserved"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("consume_free"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("adjust"), st.integers(0, 1), st.integers(0, 1), st.integers(-4, 4)),
    st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(0, 1), QUANTITY),
    st.tuples(st.just("advance_transfer"), st.integers(0, 1), st.integers(0, 9), st.integers(0, 2)),
)


class Model:
    """What the levels must be: on hand, reserved and faulty per (warehouse, part)."""

    def __init__(self):
        self.on_hand, self.reserved, self.faulty = Counter(), Counter(), Counter()

    def can(self, key, on_hand=0, reserved=0, faulty=0) -> bool:
        h, r, f = self.on_hand[key] + on_hand, self.reserved[key] + reserved, self.faulty[key] + faulty
        return h >= 0 and r >= 0 and f >= 0 and r <= h

    def apply(self, key, on_hand=0, reserved=0, faulty=0) -> None:
        self.on_hand[key] += on_hand
        self.reserved[key] += reserved
        self.faulty[key] += faulty


# Derandomized: the same examples on every run, so a red run is never luck (and a green one neither).
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=25))
# Found by a random run: the transfer's reservation released by hand, then the transfer cancelled.
@example(operations=[("receive", 0, 0, 1), ("transfer", 0, 0, 1), ("release", 0, 0, 1), ("advance_transfer", 0, 0, 0)])
def test_random_operations_keep_levels_equal_to_the_ledger(session, operations):
    savepoint = session.begin_nested()  # every example starts from the same empty stock
    try:
        warehouses = [make_warehouse(session), make_warehouse(session, at=(31.35, 120.7))]
        parts = [make_part(session), make_part(session)]
        model, transfers = Model(), []
        for name, w, p, quantity in operations:
            _run(session, model, transfers, name, warehouses, parts, w, p, quantity)
        for warehouse in warehouses:
            for part in parts:
                level = ledger.level_of(session, warehouse, part)
                got = (level.on_hand, level.reserved, level.faulty) if level else (0, 0, 0)
                key = (warehouse.id, part.id)
                assert got == (model.on_hand[key], model.reserved[key], model.faulty[key])
                assert got[0] >= 0 and 0 <= got[1] <= got[0] and got[2] >= 0
        assert ledger.ledger_differences(session) == []
    finally:
        savepoint.rollback()


def _run(session, model, transfers, name, warehouses, parts, w, p, quantity):
    if name == "advance_transfer":
        if not transfers:
            return
        transfer = transfers[p % len(transfers)]
        _advance(session, model, transfer, step=quantity)
        return
    warehouse, part = warehouses[w], parts[p]
    key = (warehouse.id, part.id)
    common = dict(session=session, warehouse=warehouse, part=part, actor="prop", now=NOW)
    effect = {
        "receive": dict(on_hand=quantity),
        "reserve": dict(reserved=quantity),
        "release": dict(reserved=-quantity),
        "consume_reserved": dict(on_hand=-quantity, reserved=-quantity),
        "consume_free": dict(on_hand=-quantity),
        "adjust": dict(on_hand=quantity),
        "transfer": dict(reserved=quantity),
    }[name]
    valid_quantity = quantity != 0 if name == "adjust" else quantity >= 1
    expected_ok = valid_quantity and model.can(key, **effect)
    try:
        with session.begin_nested():
            if name == "receive":
                ledger.receive(quantity=quantity, **common)
            elif name == "reserve":
                ledger.reserve(quantity=quantity, **common)
            elif name == "release":
                ledger.release(quantity=quantity, **common)
            elif name in ("consume_reserved", "consume_free"):
                ledger.consume(quantity=quantity, job_id=None, from_reservation=name == "consume_reserved", **common)
            elif name == "adjust":
                ledger.adjust(change=quantity, reason="count", **common)
            else:
                transfers.append(orders.request_transfer(session, part=part, quantity=quantity, source=warehouse,
                                                         destination=warehouses[1 - w], actor="prop", now=NOW))
    except StockError:
        assert not expected_ok, f"{name} {quantity} was refused but the model allows it"
        return
    assert expected_ok, f"{name} {quantity} was accepted but the model forbids it"
    model.apply(key, **effect)


def _advance(session, model, transfer, step: int) -> None:
    source = (transfer.from_warehouse_id, transfer.part_id)
    destination = (transfer.to_warehouse_id, transfer.part_id)
    # A transfer's reservation can be released by hand; cancelling or shipping the transfer then finds
    # nothing reserved, and the ledger refuses rather than go negative.
    reservation_there = model.can(source, reserved=-transfer.quantity)
    try:
        with session.begin_nested():
            if transfer.status == OrderStatus.REQUESTED and step == 0:
                orders.cancel_transfer(session, transfer=transfer, actor="prop", now=NOW)
                model.apply(source, reserved=-transfer.quantity)
            elif transfer.status == OrderStatus.REQUESTED:
                orders.ship_transfer(session, transfer=transfer, actor="prop", now=NOW)
                model.apply(source, on_hand=-transfer.quantity, reserved=-transfer.quantity)
            elif transfer.status == OrderStatus.SHIPPED:
                orders.receive_transfer(session, transfer=transfer, quantity=None, actor="prop", now=NOW)
                model.apply(destination, on_hand=transfer.quantity)
            else:
                orders.cancel_transfer(session, transfer=transfer, actor="prop", now=NOW)
                raise AssertionError("a finished transfer was cancelled")
    except orders.OrderStateError:
        assert transfer.status in (OrderStatus.RECEIVED, OrderStatus.CANCELLED)
    except InsufficientStock:
        assert not reservation_there, "a transfer whose reservation is all there could not move on"
