"""The dashboard's SQL reading of a clock agrees with `read_clocks`, case for case: stopped in time or
late, running before or after the deadline, with ended pauses that moved the deadline and with a pause
still running."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from care.models import SlaClock
from care.sla_watch import kept_sql, pauses_of, read_clocks
from dispatch.jobs.models import Job, SlaPause
from tests.builders.care import make_open_job
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


@pytest.mark.parametrize("seed", range(3))
def test_the_sql_reading_of_each_clock_is_read_clocks_reading(session, seed):
    rng = random.Random(seed)
    jobs = []
    for _ in range(40):
        job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
        minutes = lambda: timedelta(minutes=rng.randrange(0, 400))  # noqa: E731 - a draw, read inline
        if rng.random() < 0.5:
            job.responded_at = NOW + minutes()
        if rng.random() < 0.4:
            job.resolved_at = NOW + minutes() * 12
        for _ in range(rng.randrange(0, 3)):
            start = NOW + minutes()
            ended = None if rng.random() < 0.3 else start + minutes()
            session.add(SlaPause(job_id=job.id, started_at=start, ended_at=ended, reason="waiting", started_by="t"))
            if ended is not None:  # the deadlines the ended pause moved, as dispatch.jobs.clocks stores them
                job.respond_by += ended - start
                job.repair_by += ended - start
        jobs.append(job)
    session.flush()
    now = NOW + timedelta(minutes=rng.randrange(0, 3000))
    pauses = pauses_of(session, [j.id for j in jobs])
    response = kept_sql(Job.respond_by, Job.responded_at, now=now)
    repair = kept_sql(Job.repair_by, Job.resolved_at, now=now)
    rows = dict((job_id, (r, p)) for job_id, r, p in session.execute(select(Job.id, response, repair)))
    for job in jobs:
        readings = read_clocks(job, pauses.get(job.id, []), now=now)
        expected = tuple(None if k is None else int(k) for k in (readings[SlaClock.RESPONSE].kept,
                                                                 readings[SlaClock.RESOLUTION].kept))
        assert rows[job.id] == expected, (job.id, readings, pauses.get(job.id))
