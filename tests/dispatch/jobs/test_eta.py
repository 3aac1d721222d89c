"""The arrival time a customer is told: live from a fresh position while the technician is on the way, the
planned start otherwise, never to the minute."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from core.geo import GreatCircleProvider, RoutingServiceUnavailable, TravelMatrix
from dispatch.jobs.eta import EtaSource, live_eta, rounded
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician

NOW = datetime(2026, 11, 23, 6, 2, 30, tzinfo=UTC)
FRESH = timedelta(minutes=15)


class Fixed:
    """A provider whose every trip takes `seconds`, recording what it was asked."""

    def __init__(self, seconds: int):
        self.seconds, self.asked = seconds, []

    def matrix(self, points):
        self.asked.append(list(points))
        durations = np.array([[0, self.seconds], [self.seconds, 0]], dtype=np.int64)
        return TravelMatrix(durations=durations, distances=durations * 8)


class Down:
    def matrix(self, points):
        raise RoutingServiceUnavailable("OSRM did not answer")


def _job(status=JobStatus.EN_ROUTE, *, seen_ago: timedelta | None = timedelta(minutes=2),
         planned_in: timedelta | None = timedelta(minutes=41)) -> Job:
    technician = Technician(last_lat=31.30, last_lon=120.60,
                            last_seen_at=NOW - seen_ago if seen_ago is not None else None)
    return Job(status=status, latitude=31.32, longitude=120.62, technician=technician,
               planned_start=NOW + planned_in if planned_in is not None else None)


def _on_step(moment: datetime) -> bool:
    return moment.second == 0 and moment.minute % 5 == 0


def test_a_fresh_position_on_the_way_gives_the_travel_time_from_there():
    provider = Fixed(seconds=17 * 60)
    eta = live_eta(_job(), now=NOW, provider=provider, fresh_for=FRESH)
    assert eta.source == EtaSource.LIVE
    assert provider.asked == [[(31.30, 120.60), (31.32, 120.62)]]
    arrival = NOW + timedelta(minutes=17)  # 06:19:30
    assert eta.around == datetime(2026, 11, 23, 6, 20, tzinfo=UTC)
    assert eta.earliest <= arrival <= eta.latest
    assert all(_on_step(m) for m in (eta.around, eta.earliest, eta.latest))
    assert eta.position_at == NOW - timedelta(minutes=2)


def test_the_position_moving_closer_brings_the_estimate_forward():
    job = _job()
    far = live_eta(job, now=NOW, provider=GreatCircleProvider(), fresh_for=FRESH)
    job.technician.last_lat, job.technician.last_lon = 31.318, 120.618
    near = live_eta(job, now=NOW, provider=GreatCircleProvider(), fresh_for=FRESH)
    assert near.around < far.around


def test_a_stale_position_falls_back_to_the_planned_start():
    provider = Fixed(seconds=5 * 60)
    eta = live_eta(_job(seen_ago=timedelta(minutes=16)), now=NOW, provider=provider, fresh_for=FRESH)
    assert provider.asked == []
    assert eta.source == EtaSource.PLANNED
    assert eta.around == datetime(2026, 11, 23, 6, 45, tzinfo=UTC)  # 06:43:30 on the nearest step


def test_no_position_at_all_falls_back_to_the_planned_start():
    eta = live_eta(_job(seen_ago=None), now=NOW, provider=Fixed(60), fresh_for=FRESH)
    assert eta.source == EtaSource.PLANNED


def test_a_job_not_yet_on_the_way_is_told_its_planned_start_even_with_a_fresh_position():
    provider = Fixed(seconds=5 * 60)
    eta = live_eta(_job(JobStatus.ASSIGNED), now=NOW, provider=provider, fresh_for=FRESH)
    assert provider.asked == []
    assert eta.source == EtaSource.PLANNED


def test_a_planned_start_already_past_is_not_told_as_a_time():
    assert live_eta(_job(seen_ago=None, planned_in=-timedelta(minutes=10)), now=NOW, provider=Fixed(60),
                    fresh_for=FRESH) is None


@pytest.mark.parametrize("status", [JobStatus.ON_SITE, JobStatus.COMPLETED, JobStatus.CANCELLED])
def test_once_there_or_done_there_is_no_arrival_time(status):
    assert live_eta(_job(status), now=NOW, provider=Fixed(60), fresh_for=FRESH) is None


def test_a_routing_service_that_does_not_answer_falls_back_to_the_plan():
    assert live_eta(_job(), now=NOW, provider=Down(), fresh_for=FRESH).source == EtaSource.PLANNED


def test_an_arrival_is_never_told_to_the_minute_and_never_before_now():
    for seconds in (0, 30, 61, 7 * 60 + 13, 59 * 60 + 59):
        trip = timedelta(seconds=seconds)
        around, earliest, latest = rounded(NOW + trip, trip=trip, now=NOW)
        assert all(_on_step(m) for m in (around, earliest, latest))
        assert earliest <= around <= latest and earliest < latest
        assert earliest >= NOW - timedelta(minutes=5)
        assert earliest <= NOW + trip <= latest
