"""When the customer can expect the technician: while they are on the way and their phone's position is
fresh, the travel time from there; otherwise the planned start. Never minute-exact: a time people are
given is rounded to a few minutes and comes with a range, because traffic makes a minute a false promise."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.geo import MatrixProvider, RoutingServiceUnavailable, is_valid_position
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus

# Times told to customers fall on these steps.
STEP = timedelta(minutes=5)
# How much later than the estimate the technician may still arrive: a share of the trip, at least this.
MIN_SPREAD = timedelta(minutes=10)
SPREAD_SHARE = 0.25
DEFAULT_FRESH_FOR = timedelta(minutes=15)


class EtaSource(enum.StrEnum):
    LIVE = "live"        # from the technician's last position, just now
    PLANNED = "planned"  # the plan's start time


@dataclass(frozen=True)
class Eta:
    source: EtaSource
    around: datetime    # "about HH:MM", on a STEP
    earliest: datetime  # the range told with it, on STEPs
    latest: datetime
    position_at: datetime | None = None  # when the position behind a live estimate was taken


def _floor(moment: datetime) -> datetime:
    step = STEP.total_seconds()
    return datetime.fromtimestamp(math.floor(moment.timestamp() / step) * step, moment.tzinfo)


def _ceil(moment: datetime) -> datetime:
    step = STEP.total_seconds()
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / step) * step, moment.tzinfo)


def _nearest(moment: datetime) -> datetime:
    step = STEP.total_seconds()
    return datetime.fromtimestamp(round(moment.timestamp() / step) * step, moment.tzinfo)


def rounded(arrival: datetime, *, trip: timedelta, now: datetime) -> tuple[datetime, datetime, datetime]:
    """(around, earliest, latest) for an arrival `trip` from now; none of them before now's step."""
    spread = max(MIN_SPREAD, trip * SPREAD_SHARE)
    earliest = max(_floor(arrival), _floor(now))
    latest = max(_ceil(arrival + spread), earliest + STEP)
    return min(max(_nearest(arrival), earliest), latest), earliest, latest


def position_is_fresh(job: Job, *, now: datetime, fresh_for: timedelta) -> bool:
    technician = job.technician
    return (technician is not None and technician.last_seen_at is not None
            and technician.last_lat is not None and technician.last_lon is not None
            and is_valid_position(technician.last_lat, technician.last_lon)
            and now - fresh_for <= technician.last_seen_at <= now + timedelta(minutes=1))


def live_eta(job: Job, *, now: datetime, provider: MatrixProvider | None,
             fresh_for: timedelta = DEFAULT_FRESH_FOR) -> Eta | None:
    """The arrival time to tell the customer. Live from the technician's fresh position while the job is
    en route; the planned start otherwise, as long as it is still ahead. None when there is nothing honest
    to say (no plan, or a planned time already past with no fresh position), or once the technician is there."""
    if job.status in (JobStatus.ON_SITE,) or not job.is_open:
        return None
    if job.status == JobStatus.EN_ROUTE and provider is not None and position_is_fresh(job, now=now,
                                                                                        fresh_for=fresh_for):
        technician = job.technician
        try:
            matrix = provider.matrix([(technician.last_lat, technician.last_lon), (job.latitude, job.longitude)])
        except RoutingServiceUnavailable:
            matrix = None
        if matrix is not None:
            trip = timedelta(seconds=int(matrix.durations[0][1]))
            around, earliest, latest = rounded(now + trip, trip=trip, now=now)
            return Eta(EtaSource.LIVE, around, earliest, latest, position_at=technician.last_seen_at)
    if job.technician is None or job.planned_start is None or job.planned_start <= now:
        return None
    around, earliest, latest = rounded(job.planned_start, trip=timedelta(), now=now)
    return Eta(EtaSource.PLANNED, around, earliest, latest)
