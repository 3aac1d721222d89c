"""The technician's phone reporting where it is while they drive to a customer: the customer's tracking
page turns it into a live arrival time. Only for the technician's own job and only while that job is on
the way, so a technician is never followed the rest of the day."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.i18n import gettext as _
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician
from fieldwork.updates import Position, UpdateRefused, check_owns, check_position, record_position

# A fix vaguer than this (metres) says little about the trip left: it is refused rather than shown.
MAX_ACCURACY_M = 5_000.0
# A phone's clock may run a little ahead of ours; a fix from further in the future is a wrong clock.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class PositionReport:
    latitude: float
    longitude: float
    accuracy_m: float | None = None
    observed_at: datetime | None = None


def report_position(*, technician: Technician, job: Job, report: PositionReport, now: datetime) -> bool:
    """Remember `report` as the technician's position. True when it became the latest one; False when a
    newer fix is already known (phones send out of order). UpdateRefused, with nothing changed, for
    another technician's job (NotYourJob), a job not on the way, or a position that cannot be right."""
    check_owns(technician, job)
    if job.status != JobStatus.EN_ROUTE:
        raise UpdateRefused(_("Your position is only shared while you are on the way to a job; job %(number)s is "
                              "not.", number=job.number), field="job", code=409)
    check_position(Position(report.latitude, report.longitude))
    if report.accuracy_m is not None and not (math.isfinite(report.accuracy_m)
                                              and 0 <= report.accuracy_m <= MAX_ACCURACY_M):
        raise UpdateRefused(_("The position's accuracy must be from 0 to %(max)s metres.", max=int(MAX_ACCURACY_M)),
                            field="accuracy")
    if report.observed_at is not None and report.observed_at > now + CLOCK_SKEW:
        raise UpdateRefused(_("The position is dated in the future; check the phone's clock."), field="observed_at")
    before = technician.last_seen_at
    record_position(technician, Position(report.latitude, report.longitude, report.observed_at), now=now)
    return technician.last_seen_at != before
