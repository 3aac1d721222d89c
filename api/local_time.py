"""Times as people read them: in the local time of the region the thing happened in (regions.time_zone),
falling back to the installation's zone, never raw UTC."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(where, default: ZoneInfo) -> ZoneInfo:
    """The zone of `where`: a region, anything with a `.region` (an asset), a job (its asset's region),
    a zone name or a ZoneInfo; `default` when none is known."""
    if isinstance(where, ZoneInfo):
        return where
    if isinstance(where, str):
        return _zone(where) or default
    asset = getattr(where, "asset", None)
    region = getattr(asset, "region", None) or getattr(where, "region", None) or where
    name = getattr(region, "time_zone", None)
    return (_zone(name) if name else None) or default


def _moment(value: datetime | str | None) -> datetime | None:
    """Stored results (a plan's stops) carry their times as ISO text; a naive time is UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def local_datetime(value: datetime | str | None, where, default: ZoneInfo) -> str:
    value = _moment(value)
    return value.astimezone(zone_of(where, default)).strftime("%Y-%m-%d %H:%M") if value else "—"


def local_clock(value: datetime | str | None, where, default: ZoneInfo) -> str:
    value = _moment(value)
    return value.astimezone(zone_of(where, default)).strftime("%H:%M") if value else "—"
