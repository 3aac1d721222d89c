"""The board's timeline as numbers: blocks placed on the shown hours, the travel before each visit,
the break window and the promised window behind a visit, days nobody works."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from api.board.timeline import STEPS, Span, build_timeline
from dispatch.planning.read import TechnicianDay
from dispatch.technicians.roster import WorkingDay

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=TZ)


def job(start: datetime, minutes: int = 45, window: tuple[datetime, datetime] | None = None):
    return SimpleNamespace(planned_start=start, planned_end=start + timedelta(minutes=minutes),
                           window_start=window[0] if window else None, window_end=window[1] if window else None,
                           repair_by=at(23))


def hours(start: int = 8, end: int = 17, break_minutes: int = 60) -> WorkingDay:
    return WorkingDay(technician_id=1, start=at(start), end=at(end), break_earliest=at(11, 30) if break_minutes else None,
                      break_latest_end=at(14) if break_minutes else None, break_minutes=break_minutes)


def test_visits_travel_breaks_and_windows_are_placed_on_the_shown_hours():
    first, second = job(at(9)), job(at(10, 30), window=(at(10), at(12)))
    timeline = build_timeline([TechnicianDay(None, hours(), [first, second]),
                               TechnicianDay(None, None, [])], day=DAY, tz=TZ, now=at(7))
    assert (timeline.start, timeline.end) == (at(8), at(17))
    assert [t.hour for t in timeline.ticks] == list(range(8, 18))
    per_hour = STEPS / 9
    row, off = timeline.rows
    assert row.shift == Span(0, STEPS)
    assert row.break_window == Span(round(3.5 * per_hour), round(6 * per_hour) - round(3.5 * per_hour))
    a, b = row.blocks
    assert a.span == Span(round(per_hour), round(1.75 * per_hour) - round(per_hour))
    assert a.travel == Span(0, round(per_hour)) and a.travel_minutes == 60  # from the shift's start
    assert b.travel_minutes == 45 and b.window == Span(round(2 * per_hour), round(4 * per_hour) - round(2 * per_hour))
    assert not a.late and timeline.now is None
    assert off.shift is None and off.blocks == []


def test_once_the_shift_is_under_way_travel_before_the_first_visit_starts_from_now():
    timeline = build_timeline([TechnicianDay(None, hours(break_minutes=0), [job(at(10, 20))])], day=DAY, tz=TZ,
                              now=at(10))
    block = timeline.rows[0].blocks[0]
    assert block.travel_minutes == 20 and timeline.now == Span(round(2 * STEPS / 9), 0)
    assert timeline.rows[0].break_window is None


def test_a_day_nobody_works_shows_the_usual_hours():
    timeline = build_timeline([TechnicianDay(None, None, [])], day=DAY, tz=TZ, now=at(7))
    assert (timeline.start, timeline.end) == (at(8), at(18))
