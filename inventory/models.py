"""Parts and the places that hold them (central and regional warehouses, technicians' vans)."""
from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Column, Float, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, string_enum
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
