"""Who works when: a technician's weekly calendar and days off turned into concrete working days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch.technicians.models import Technician


@dataclass(frozen=True)
class WorkingDay:
    technician_id: int
    start: datetime  # timezone-aware
    end: datetime
    # The lunch break: `minutes` long, somewhere between `earliest` and `latest_end`.
    break_earliest: datetime | None
    break_latest_end: datetime | None
    break_minutes: int


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)


def working_day(technician: Technician, day: date, tz: ZoneInfo) -> WorkingDay | None:
    """The technician's hours on `day` (local calendar), or None on a day off or a day not worked."""
    if any(off.day == day for off in technician.days_off):
        return None
    shift = next((s for s in technician.shifts if s.weekday == day.weekday()), None)
    if shift is None:
        return None
    has_break = shift.break_minutes > 0 and shift.break_earliest is not None and shift.break_latest_end is not None
    return WorkingDay(
        technician_id=technician.id,
        start=_at(day, shift.start, tz), end=_at(day, shift.end, tz),
        break_earliest=_at(day, shift.break_earliest, tz) if has_break else None,
        break_latest_end=_at(day, shift.break_latest_end, tz) if has_break else None,
        break_minutes=shift.break_minutes if has_break else 0,
    )


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
