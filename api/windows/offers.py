"""The windows of a job as the boundary serves them: offered from the live plan (dispatch.planning.windows)
with this app's settings and clock, grouped by the region's local day for a page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date

from api.context import now, services, travel_provider
from api.database import db
from api.local_time import zone_of
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.services import get_job
from dispatch.planning.windows import OfferedWindow, choose_window, offer_windows, takes_window


def window_minutes() -> int:
    return services().settings.appointment_window_minutes


def offered(job: Job) -> list[OfferedWindow]:
    if not takes_window(job):
        return []
    return offer_windows(db(), job=job, now=now(), provider=travel_provider(job.asset.region), tz=services().tz,
                         window_minutes=window_minutes())


def choose(job: Job, *, start: datetime, end: datetime, actor: Actor) -> OfferedWindow:
    """Choose with the job's row locked, so two taps at once place it once."""
    job = get_job(db(), job.number, for_update=True)
    return choose_window(db(), job=job, start=start, end=end, actor=actor, now=now(),
                         provider=travel_provider(job.asset.region), tz=services().tz, window_minutes=window_minutes())


@dataclass(frozen=True)
class WindowChoice:
    start: datetime
    end: datetime
    local_start: str  # HH:MM in the region's time
    local_end: str
    value: str  # what a form sends back: the UTC start, ISO 8601
    day: date  # the region's local day

    @property
    def day_label(self) -> str:
        return format_date(self.day, format="full")

    @classmethod
    def of(cls, job: Job, start: datetime, end: datetime) -> WindowChoice:
        tz = zone_of(job, services().tz)
        return cls(start=start, end=end, local_start=f"{start.astimezone(tz):%H:%M}",
                   local_end=f"{end.astimezone(tz):%H:%M}", value=start.isoformat(), day=start.astimezone(tz).date())


@dataclass(frozen=True)
class WindowDay:
    day: date
    windows: list[WindowChoice]

    @property
    def label(self) -> str:
        """The day with its weekday, in the page's language."""
        return format_date(self.day, format="full")


def by_day(job: Job, windows: list[OfferedWindow]) -> list[WindowDay]:
    days: dict[date, list[WindowChoice]] = {}
    for window in windows:
        days.setdefault(window.day, []).append(WindowChoice.of(job, window.start, window.end))
    return [WindowDay(day, choices) for day, choices in days.items()]


def confirmed(job: Job) -> WindowChoice | None:
    if job.window_start is None or job.window_end is None:
        return None
    return WindowChoice.of(job, job.window_start, job.window_end)
