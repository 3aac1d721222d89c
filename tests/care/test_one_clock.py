"""One promise, one clock: a pause moves the job's stored deadlines when it ends (in open time under a
business-hours policy), and every reader — the SLA watch, the at-risk list, dispatch, the pages, the
dashboard — then reads the same deadline, with nothing counted twice."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from care.dashboard import build_dashboard
from care.models import AlertKind, SlaClock
from care.sla_watch import job_clocks, pause_clocks, resume_clocks, sla_sweep
from core.regions import BusinessHours
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import change_priority
from dispatch.jobs.models import JobCategory, Priority, SlaPolicy
from dispatch.jobs.read import jobs_at_risk
from tests.builders.care import make_open_job
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
PAUSE = (NOW + timedelta(minutes=60), NOW + timedelta(hours=4))  # three hours waiting for the customer


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def agent(session):
    return Actor.staff(make_user(session, username="agent.li", role=Role.AGENT))


def _pause_and_resume(session, job, actor, *, start=PAUSE[0], end=PAUSE[1]):
    pause_clocks(session, job=job, reason="Customer away until tonight", actor=actor, now=start)
    resume_clocks(session, job=job, actor=actor, now=end, tz=TZ)


def test_after_a_pause_every_reader_shows_the_same_moved_deadline(session, agent):
    city = build_field_world(session)
    job = city.jobs[0]  # planned by live dispatch, nobody has called the customer yet
    _pause_and_resume(session, job, agent)
    respond_by, repair_by = NOW + timedelta(hours=2 + 3), NOW + timedelta(days=3, hours=3)
    assert (job.respond_by, job.repair_by) == (respond_by, repair_by)  # stored

    almost = respond_by - timedelta(minutes=10)
    clocks = job_clocks(session, job, now=almost).readings
    assert clocks[SlaClock.RESPONSE].deadline == respond_by and clocks[SlaClock.RESOLUTION].deadline == repair_by
    [risk] = [r for r in jobs_at_risk(session, region=city.region, now=almost) if r.job is job]
    assert (risk.deadline, risk.reason) == (respond_by, "respond by")
    # Nothing is counted twice: the watch breaches exactly at the stored deadline, not a pause later.
    def breaches():
        return [a.deadline for a in job_clocks(session, job, now=respond_by).alerts if a.kind == AlertKind.BREACH]

    sla_sweep(session, now=respond_by - timedelta(seconds=1))
    assert breaches() == []
    sla_sweep(session, now=respond_by)
    assert breaches() == [respond_by]
    board = build_dashboard(session, start=NOW.astimezone(TZ).date(), end=NOW.astimezone(TZ).date(), tz=TZ,
                            now=respond_by + timedelta(minutes=1))
    response = next(m for m in board.metrics if m.key == "response")
    assert (response.rate.hit, response.rate.total) == (0, 3)  # the three planned jobs: nobody called anyone


@pytest.fixture
def office(session):
    region = make_region(session)
    region.business_hours = [BusinessHours(weekday=d, opens=time(9), closes=time(18)) for d in range(5)]
    session.add(SlaPolicy(code="office", name="Office hours", category=JobCategory.QUALITY_DEFECT,
                          business_hours_only=True, respond_minutes=120, repair_minutes=2 * 9 * 60))
    session.flush()
    return region


def test_under_business_hours_a_pause_moves_the_deadlines_by_the_open_time_it_took(session, office, agent):
    job = make_open_job(session, asset=make_asset(session, region=office), owner=None, now=NOW)  # Monday 10:00
    assert job.sla_policy.code == "office" and job.respond_by == _local(2026, 11, 23, 12, 0)
    # Waiting from Monday 11:00 to Tuesday 10:00 takes 8 open hours (7 on Monday, 1 on Tuesday).
    _pause_and_resume(session, job, agent, start=_local(2026, 11, 23, 11, 0).astimezone(UTC),
                      end=_local(2026, 11, 24, 10, 0).astimezone(UTC))
    assert job.respond_by == _local(2026, 11, 24, 11, 0)  # the hour left before the pause
    assert job.repair_by == _local(2026, 11, 25, 18, 0)
    assert job_clocks(session, job, now=_local(2026, 11, 24, 10, 30)).readings[SlaClock.RESPONSE].kept is None


def test_a_pause_begun_after_the_deadline_moves_nothing(session, agent):
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    _pause_and_resume(session, job, agent, start=NOW + timedelta(hours=3), end=NOW + timedelta(hours=6))
    assert job.respond_by == NOW + timedelta(hours=2)  # already missed: waiting now does not un-miss it
    assert job.repair_by == NOW + timedelta(days=3, hours=3)
    assert job_clocks(session, job, now=NOW + timedelta(hours=7)).readings[SlaClock.RESPONSE].kept is False


def test_a_job_waiting_for_the_customer_is_not_at_risk(session, agent):
    city = build_field_world(session)
    job = city.jobs[0]
    pause_clocks(session, job=job, reason="Customer abroad", actor=agent, now=NOW + timedelta(minutes=30))
    late = NOW + timedelta(hours=3)
    assert job not in [r.job for r in jobs_at_risk(session, region=city.region, now=late)]
    assert city.jobs[1] in [r.job for r in jobs_at_risk(session, region=city.region, now=late)]
    assert sla_sweep(session, now=late).breached == 2  # the other two jobs; the paused one stands still
    resume_clocks(session, job=job, actor=agent, now=late, tz=TZ)
    assert job.respond_by == NOW + timedelta(hours=2) + (late - NOW - timedelta(minutes=30))


def test_a_priority_change_keeps_the_time_waited_for_the_customer(session, agent):
    session.add(SlaPolicy(code="urgent", name="Urgent", priority=Priority.URGENT, respond_minutes=30,
                          repair_minutes=8 * 60))
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    _pause_and_resume(session, job, agent, start=NOW + timedelta(minutes=10), end=NOW + timedelta(minutes=40))
    change_priority(session, job=job, priority=Priority.URGENT, actor=agent, now=NOW + timedelta(minutes=45), tz=TZ)
    assert (job.respond_by, job.repair_by) == (NOW + timedelta(minutes=60), NOW + timedelta(hours=8, minutes=30))
    sla_sweep(session, now=NOW + timedelta(minutes=60))
    assert [(a.clock, a.kind) for a in job_clocks(session, job, now=NOW).alerts][-1] == (SlaClock.RESPONSE,
                                                                                     AlertKind.BREACH)


def test_reclassifying_keeps_the_time_waited_for_the_customer(session, agent):
    from dispatch.intake.services import reclassify_job

    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    _pause_and_resume(session, job, agent)
    reclassify_job(session, job=job, category=JobCategory.INSTALLATION, actor=agent, now=NOW + timedelta(hours=4),
                   tz=TZ)
    assert job.respond_by == NOW + timedelta(hours=2 + 3)
