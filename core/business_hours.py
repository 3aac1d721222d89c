"""Clocks that run only while a region's office is open (core.regions.BusinessHours).

A promise of "respond within 2 business hours" made on Friday evening falls due on Monday morning.
The arithmetic walks the local calendar day by day and measures in UTC, so a daylight-saving change
neither adds nor loses an hour of open time.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# A week with some open hours reaches any deadline within this many days for any sane promise;
# the bound keeps a data error (say one open minute a week and a 90-day promise) from looping long.
MAX_DAYS = 3 * 366


class OpenHours(Protocol):
    weekday: int  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True)
class Hours:
    """Plain opening hours, for callers and tests without database rows."""
    weekday: int
    opens: time
    closes: time


def _open_window(day: date, hours: dict[int, OpenHours], tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    row = hours.get(day.weekday())
    if row is None or row.closes <= row.opens:
        return None  # closed that weekday (a row closing before it opens is read as closed)
    return (datetime.combine(day, row.opens, tzinfo=tz).astimezone(UTC),
            datetime.combine(day, row.closes, tzinfo=tz).astimezone(UTC))


def add_open_minutes(start: datetime, minutes: int, *, hours: Iterable[OpenHours], tz: ZoneInfo) -> datetime:
    """The moment `minutes` of open time after `start` (aware). Without any open hours the clock
    runs around the clock: a promise must fall due some time."""
    by_weekday = {row.weekday: row for row in hours}
    if not any(_open_window(date(2026, 1, 5) + timedelta(days=d), by_weekday, tz) for d in range(7)):
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=minutes)
    moment = start.astimezone(UTC)
    day = moment.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        window = _open_window(day, by_weekday, tz)
        if window is not None and moment < window[1]:
            begin = max(moment, window[0])
            if begin + remaining <= window[1]:
                return begin + remaining
            remaining -= window[1] - begin
            moment = window[1]
        day += timedelta(days=1)
    return moment + remaining


def open_time_between(start: datetime, end: datetime, *, hours: Iterable[OpenHours], tz: ZoneInfo) -> timedelta:
    """How much open time lies between `start` and `end` (aware): the measure of a pause on a clock
    that runs only in business hours. Without any open hours, all of it."""
    if end <= start:
        return timedelta()
    by_weekday = {row.weekday: row for row in hours}
    if not any(_open_window(date(2026, 1, 5) + timedelta(days=d), by_weekday, tz) for d in range(7)):
        return end - start
    total = timedelta()
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        window = _open_window(day, by_weekday, tz)
        if window is not None:
            lo, hi = max(start, window[0]), min(end, window[1])
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total
