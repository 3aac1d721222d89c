"""Service regions: the unit dispatch plans in and warehouses serve."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Float, ForeignKey, Integer, Select, String, Time, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.admin_audit import diff, record_change
from core.db import Base
from core.i18n import gettext as _


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
    # The number customers of this region call; None: the installation's hotline (AFTERCARE_HOTLINE).
    hotline: Mapped[str | None] = mapped_column(String(32))

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
        raise RegionNotFound(_("No region %(code)s.", code=repr(code)))
    return region


# --- administration: every change audited, by whom and when ---

class RegionRefused(Exception):
    """A region that cannot be saved as given; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str, conflict: bool = False, weekday: int | None = None):
        super().__init__(message)
        self.field = field
        self.conflict = conflict  # True: clashes with what is there now (a code in use)
        self.weekday = weekday  # the day of the business hours at fault, when it is one day's


@dataclass(frozen=True)
class OpeningHours:
    """One weekday's business hours as given to the services (0 = Monday, local time)."""
    weekday: int
    opens: time
    closes: time


def valid_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"  # a real IANA zone, not a file name that happens to exist


def _check(session: Session, region: Region | None, *, code: str | None, time_zone: str | None,
           business_hours: list[OpeningHours] | None) -> None:
    if code is not None:
        taken = session.scalar(select(Region).where(func.lower(Region.code) == code.lower()))
        if taken is not None and taken is not region:
            raise RegionRefused(_("The region code %(code)s is already taken.", code=code), field="code",
                                conflict=True)
    if time_zone is not None and not valid_time_zone(time_zone):
        raise RegionRefused(_("%(zone)s is not a time zone; use a name such as Asia/Shanghai.", zone=time_zone),
                            field="time_zone")
    if business_hours is not None:
        days = [hours.weekday for hours in business_hours]
        if len(days) != len(set(days)):
            raise RegionRefused(_("Each weekday may have business hours once."), field="business_hours")
        for hours in business_hours:
            if not 0 <= hours.weekday <= 6:
                raise RegionRefused(_("Weekdays run from 0 (Monday) to 6 (Sunday)."), field="business_hours")
            if hours.closes <= hours.opens:
                raise RegionRefused(_("Closing time must be after opening time."), field="business_hours",
                                    weekday=hours.weekday)


_FIELDS = ("name", "time_zone", "center_lat", "center_lon", "road_factor", "speed_kmh", "service_radius_km", "hotline")


def _facts(region: Region) -> dict:
    facts = {name: getattr(region, name) for name in ("code",) + _FIELDS}
    facts["business_hours"] = [f"{h.weekday} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in region.business_hours]
    return facts


def _set_hours(region: Region, business_hours: list[OpeningHours]) -> None:
    region.business_hours = [BusinessHours(weekday=h.weekday, opens=h.opens, closes=h.closes)
                             for h in sorted(business_hours, key=lambda h: h.weekday)]


def create_region(session: Session, *, actor: str, now: datetime, code: str, name: str, center_lat: float,
                  center_lon: float, time_zone: str = "Asia/Shanghai", road_factor: float = 1.35,
                  speed_kmh: float = 28.0, service_radius_km: float | None = None, hotline: str | None = None,
                  business_hours: list[OpeningHours] | None = None) -> Region:
    _check(session, None, code=code, time_zone=time_zone, business_hours=business_hours)
    region = Region(code=code, name=name, center_lat=center_lat, center_lon=center_lon, time_zone=time_zone,
                    road_factor=road_factor, speed_kmh=speed_kmh, service_radius_km=service_radius_km,
                    hotline=hotline or None)
    _set_hours(region, business_hours or [])
    session.add(region)
    session.flush()
    record_change(session, actor=actor, at=now, kind="region", key=region.code, action="create",
                  changes=_facts(region))
    return region



def update_region(session: Session, *, actor: str, now: datetime, region: Region,
                  business_hours: list[OpeningHours] | None = None, **changes) -> Region:
    """Change any of the region's settings (`code`, `name`, `time_zone`, the centre, the travel model,
    `service_radius_km` — None removes the limit, `hotline` — None uses the installation's) and, when given,
    replace its business hours."""
    unknown = set(changes) - set(_FIELDS) - {"code"}
    if unknown:
        raise TypeError(f"unknown region fields: {sorted(unknown)}")
    _check(session, region, code=changes.get("code"), time_zone=changes.get("time_zone"),
           business_hours=business_hours)
    before = _facts(region)
    for name, value in changes.items():
        setattr(region, name, value)
    if business_hours is not None:
        _set_hours(region, business_hours)
    session.flush()
    if difference := diff(before, _facts(region)):
        # Audited under the code it had, so a renamed region's history is found by its old code too.
        record_change(session, actor=actor, at=now, kind="region", key=before["code"], action="update",
                      changes=difference)
    return region


def regions_query(*, search: str | None = None) -> Select:
    query = select(Region).order_by(Region.code)
    if search:
        text = search.lower()
        query = query.where(or_(func.lower(Region.code).contains(text, autoescape=True),
                                func.lower(Region.name).contains(text, autoescape=True)))
    return query
