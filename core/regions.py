"""Service regions: the unit dispatch plans in and warehouses serve."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Float, ForeignKey, Integer, String, Time, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
    # IANA zone the region's shifts, business hours and pages are in.
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai", server_default="Asia/Shanghai")
    # Reports farther than this from the centre are outside the service area; None: no limit.
    service_radius_km: Mapped[float | None] = mapped_column(Float)

    business_hours: Mapped[list[BusinessHours]] = relationship(cascade="all, delete-orphan",
                                                                 order_by="BusinessHours.weekday")


class BusinessHours(Base):
    """When the region's office works on one weekday (0 = Monday), in local time. SLA policies marked
    `business_hours_only` run their clocks only inside these hours; a weekday without a row is closed."""

    __tablename__ = "region_business_hours"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


DEFAULT_TIME_ZONE = "Asia/Shanghai"


def zone_of(region: Region | None, fallback: ZoneInfo | None = None) -> ZoneInfo:
    """The region's time zone, in which its people read every time: its shifts, business hours and
    local dates (a warranty's days). `fallback` (the installation's zone) serves work with no
    region, or a region whose zone this machine does not know; without one, DEFAULT_TIME_ZONE."""
    if region is not None and region.time_zone:
        try:
            return ZoneInfo(region.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return fallback or ZoneInfo(DEFAULT_TIME_ZONE)


def local_stamp(moment: datetime, region: Region | None, fallback: ZoneInfo | None = None) -> str:
    """A moment as people of the region read it: "2026-12-04 17:00 Asia/Shanghai" (never raw UTC)."""
    tz = zone_of(region, fallback)
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}"


class RegionNotFound(Exception):
    pass


def region_by_code(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise RegionNotFound(f"No region {code!r}.")
    return region

