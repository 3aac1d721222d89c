"""Parts, the places that hold them (central and regional warehouses, technicians' vans), the stock
ledger, and the orders that move stock: transfers and purchase orders."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime, string_enum
from core.regions import Region


class WarehouseKind(enum.StrEnum):
    CENTRAL = "central"
    REGIONAL = "regional"
    VAN = "van"


class Part(Base):
    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    name_zh: Mapped[str] = mapped_column(String(160), default="", server_default="")
    # What a customer pays for the part on a paid repair; None: not sold to customers.
    customer_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


warehouse_regions = Table(
    "warehouse_regions",
    Base.metadata,
    Column("warehouse_id", ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[WarehouseKind] = mapped_column(string_enum(WarehouseKind, 16))
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    serves_regions: Mapped[list[Region]] = relationship(secondary=warehouse_regions)


class Supplier(Base):
    """Where purchase orders go. Lead times are in hours from the order to goods at our door."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    normal_lead_hours: Mapped[int] = mapped_column(Integer)
    expedited_lead_hours: Mapped[int] = mapped_column(Integer)
    # What an expedited order costs on top of the parts (courier, priority handling).
    expedite_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))


class SupplierPart(Base):
    """A part a supplier sells, at its price."""

    __tablename__ = "supplier_parts"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    supplier: Mapped[Supplier] = relationship()
    part: Mapped[Part] = relationship()


class StockLevel(Base):
    """The current level of one part in one warehouse: a running total of its ledger movements.

    The CHECK constraints are the last line against overselling: a reservation is a conditional
    UPDATE that matches no row when it would break them, so racing clients cannot both take the last unit.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("faulty >= 0", name="faulty_not_negative"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)  # good units physically there
    reserved: Mapped[int] = mapped_column(Integer, default=0)  # of those, promised to jobs or transfers
    faulty: Mapped[int] = mapped_column(Integer, default=0)  # faulty parts returned, kept apart

    warehouse: Mapped[Warehouse] = relationship()
    part: Mapped[Part] = relationship()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RESERVATION = "reservation"
    RELEASE = "release"
    CONSUMPTION = "consumption"
    ADJUSTMENT = "adjustment"
    FAULTY_RETURN = "faulty_return"


class StockMovement(Base):
    """One line of the append-only stock ledger. Levels are the sums of these deltas."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_warehouse_part", "warehouse_id", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    kind: Mapped[MovementKind] = mapped_column(string_enum(MovementKind, 16))
    quantity: Mapped[int] = mapped_column(Integer)  # always positive: how many units moved
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    faulty_delta: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    # `reason` as a code with its facts (inventory.reasons), for pages in the reader's language; None on
    # rows written before and on a note a person wrote.
    reason_code: Mapped[str | None] = mapped_column(String(48))
    reason_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    warehouse: Mapped[Warehouse] = relationship()
    part: Mapped[Part] = relationship()


class RestockRule(Base):
    """Keep a warehouse between `min_quantity` and `max_quantity` of a part, ordering in multiples."""

    __tablename__ = "restock_rules"
    __table_args__ = (
        CheckConstraint("min_quantity >= 0 AND max_quantity >= min_quantity", name="min_below_max"),
        CheckConstraint("reorder_multiple >= 1", name="multiple_positive"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True)
    min_quantity: Mapped[int] = mapped_column(Integer)
    max_quantity: Mapped[int] = mapped_column(Integer)
    reorder_multiple: Mapped[int] = mapped_column(Integer, default=1)
    # False: the scheduled task only proposes; a person creates the order.
    auto_create: Mapped[bool] = mapped_column(Boolean, default=True)

    warehouse: Mapped[Warehouse] = relationship()
    part: Mapped[Part] = relationship()


class OrderStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"  # a purchase above the approval limit, not placed until approved
    REQUESTED = "requested"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CANCELLED = "cancelled"


# Ordered (or waiting for approval to be) and not yet received or cancelled: the goods are still coming.
OPEN_ORDER_STATUSES = (OrderStatus.PENDING_APPROVAL, OrderStatus.REQUESTED, OrderStatus.SHIPPED)


class OrderLifecycle:
    """What transfers and purchase orders share: requested → shipped → received (or cancelled), why,
    for which job if any, and when the goods are expected."""

    status: Mapped[OrderStatus] = mapped_column(string_enum(OrderStatus, 16), default=OrderStatus.REQUESTED)
    reason: Mapped[str] = mapped_column(Text, default="")
    # `reason` as a code with its facts (inventory.reasons), for pages in the reader's language; None on
    # rows written before codes were stored.
    reason_code: Mapped[str | None] = mapped_column(String(48))
    reason_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    expected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)


class Transfer(OrderLifecycle, Base):
    """Stock moving between two of our warehouses (or to a van)."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("from_warehouse_id <> to_warehouse_id", name="different_warehouses"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)

    part: Mapped[Part] = relationship()
    from_warehouse: Mapped[Warehouse] = relationship(foreign_keys=[from_warehouse_id])
    to_warehouse: Mapped[Warehouse] = relationship(foreign_keys=[to_warehouse_id])

    @property
    def number(self) -> str:
        return f"TR-{self.id:06d}"

    @property
    def destination(self) -> Warehouse:
        return self.to_warehouse


class PurchaseOrder(OrderLifecycle, Base):
    """Parts bought from a supplier, delivered to one of our warehouses."""

    __tablename__ = "purchase_orders"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    total_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # An order above the approval limit: which manager approved or declined it, and when.
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    declined_by: Mapped[str | None] = mapped_column(String(64))
    declined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    supplier: Mapped[Supplier] = relationship()
    part: Mapped[Part] = relationship()
    warehouse: Mapped[Warehouse] = relationship()

    @property
    def number(self) -> str:
        return f"PO-{self.id:06d}"

    @property
    def destination(self) -> Warehouse:
        return self.warehouse


class JobPartState(enum.StrEnum):
    RESERVED = "reserved"    # units held for the job in `warehouse`
    AWAITING = "awaiting"    # on its way by an emergency transfer or purchase order
    CONSUMED = "consumed"    # fitted at the job
    RELEASED = "released"    # no longer needed (job cancelled, or a different part was used)


class JobPart(Base):
    """A part a job needs, and where it stands: reserved somewhere, on its way, used or given back."""

    __tablename__ = "job_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    state: Mapped[JobPartState] = mapped_column(string_enum(JobPartState, 16))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    expected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    part: Mapped[Part] = relationship()
    warehouse: Mapped[Warehouse | None] = relationship()
    transfer: Mapped[Transfer | None] = relationship()
    purchase_order: Mapped[PurchaseOrder | None] = relationship()
