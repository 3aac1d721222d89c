"""The board's timeline: each technician's day laid out on the hours of the region's clock.

Pages may carry no style attribute (api/security_headers.py), so a block's place is a pair of classes
from a fixed grid (`tl-x<n>` for where it starts, `tl-w<n>` for how long it is, in steps of
1/STEPS of the shown hours), defined once in static/timeline-grid.css, which `grid_css` writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch.jobs.models import Job
from dispatch.planning.read import TechnicianDay

STEPS = 400
# The hours shown when nobody works that day.
DEFAULT_HOURS = (8, 18)


@dataclass(frozen=True)
class Span:
    left: int  # steps from the start of the shown hours
    width: int

    @property
    def classes(self) -> str:
        return f"tl-x{self.left} tl-w{self.width}"

    @property
    def at(self) -> str:
        """Only where it starts (a tick, the present)."""
        return f"tl-x{self.left}"


@dataclass(frozen=True)
class Block:
    job: Job
    span: Span
    travel: Span | None  # the time between the previous stop (or the shift start) and this visit
    travel_minutes: int
    window: Span | None  # the promised window, drawn behind the visit
    late: bool  # planned to end after its repair deadline


@dataclass(frozen=True)
class Row:
    day: TechnicianDay
    shift: Span | None
    break_window: Span | None
    blocks: list[Block]


@dataclass(frozen=True)
class Tick:
    span: Span
    hour: int


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime
    ticks: list[Tick]
    rows: list[Row]
    now: Span | None  # where the present is, when it is on the shown hours


def _bounds(days: list[TechnicianDay], day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    moments = [m for d in days if d.hours for m in (d.hours.start, d.hours.end)]
    moments += [m for d in days for j in d.jobs for m in (j.planned_start, j.planned_end) if m is not None]
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    if not moments:
        return midnight + timedelta(hours=DEFAULT_HOURS[0]), midnight + timedelta(hours=DEFAULT_HOURS[1])
    first = max(min(moments).astimezone(tz), midnight)
    last = min(max(moments).astimezone(tz), midnight + timedelta(days=1))
    start = first.replace(minute=0, second=0, microsecond=0)
    end = last if last == last.replace(minute=0, second=0, microsecond=0) else \
        last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return start, max(end, start + timedelta(hours=1))


def build_timeline(days: list[TechnicianDay], *, day: date, tz: ZoneInfo, now: datetime) -> Timeline:
    start, end = _bounds(days, day, tz)
    length = (end - start).total_seconds()

    def step(moment: datetime) -> int:
        return min(STEPS, max(0, round((moment - start).total_seconds() / length * STEPS)))

    def span(first: datetime | None, last: datetime | None) -> Span | None:
        if first is None or last is None or last <= start or first >= end:
            return None
        left = step(first)
        return Span(left, max(1, min(STEPS - left, step(last) - left)))

    rows = []
    for technician_day in days:
        hours = technician_day.hours
        # Before the first visit the technician sets off from home at the shift's start, or from where
        # they are now once the shift is under way.
        blocks, previous = [], (max(hours.start, now) if hours.start <= now <= hours.end else hours.start) \
            if hours else None
        for job in technician_day.jobs:
            if job.planned_start is None or job.planned_end is None:
                continue
            gap_from = previous if previous is not None and previous < job.planned_start else None
            travel = span(gap_from, job.planned_start) if gap_from else None
            minutes = int((job.planned_start - gap_from).total_seconds() // 60) if gap_from else 0
            blocks.append(Block(job, span(job.planned_start, job.planned_end), travel, minutes,
                                span(job.window_start, job.window_end), job.planned_end > job.repair_by))
            previous = job.planned_end
        rows.append(Row(technician_day, span(hours.start, hours.end) if hours else None,
                        span(hours.break_earliest, hours.break_latest_end) if hours and hours.break_minutes else None,
                        [b for b in blocks if b.span is not None]))
    ticks = []
    moment = start
    while moment <= end:
        ticks.append(Tick(Span(step(moment), 0), moment.astimezone(tz).hour))
        moment += timedelta(hours=1)
    return Timeline(start, end, ticks, rows, Span(step(now), 0) if start <= now <= end else None)


def grid_css() -> str:
    """The placement classes: one left offset and one width per step of the shown hours."""
    lines = ["/* Written by api/board/timeline.py grid_css(): the timeline's placement grid. */"]
    lines += [f".tl-x{n}{{left:{n * 100 / STEPS:g}%}}" for n in range(STEPS + 1)]
    lines += [f".tl-w{n}{{width:{n * 100 / STEPS:g}%}}" for n in range(1, STEPS + 1)]
    return "\n".join(lines) + "\n"
