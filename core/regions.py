"""Service regions: the unit dispatch plans in and warehouses serve."""
from __future__ import annotations

from sqlalchemy import Float, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)
    # Travel model for the great-circle provider: streets are this much longer than the crow flies,
    # and vans average this speed door to door (parking included).
    road_factor: Mapped[float] = mapped_column(Float, default=1.35, server_default="1.35")
    speed_kmh: Mapped[float] = mapped_column(Float, default=28.0, server_default="28.0")


class RegionNotFound(Exception):
    pass


def region_by_code(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise RegionNotFound(f"No region {code!r}.")
    return region
