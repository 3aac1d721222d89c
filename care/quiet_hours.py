"""Quiet hours: the local night during which a customer is not disturbed by a message that can wait."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(now: datetime, *, tz: ZoneInfo, start: time, end: time) -> datetime | None:
    """When the quiet hours around `now` end (UTC), or None when `now` is not in them. The hours may
    cross midnight (21:00-08:00); equal start and end mean there are none."""
    if start == end:
        return None
    local = now.astimezone(tz)
    at = local.time()
    if start > end:
        if end <= at < start:
            return None
        end_day = local.date() + timedelta(days=1) if at >= start else local.date()
    else:
        if not start <= at < end:
            return None
        end_day = local.date()
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)
