"""The dashboard's field-work numbers on small hand-built histories: first-time fix, repeat visits
within 30 days, the repair cycle against its target, technician utilisation, the part at hand at the
first visit, and the previous period beside the period. Each number's drill-down lists exactly the
jobs it counted."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from care.dashboard import build_dashboard, period_bounds, previous_period
from care.drilldown import Group, jobs_behind, list_jobs
from care.kpis import Share
from dispatch.jobs.audit import Actor
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import TechnicianDayOff
from inventory.models import JobPart, JobPartState, Part
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(TZ).date()
START = TODAY - timedelta(days=59)
TECH = Actor(label="tech")
S = JobStatus
EVERY = Group()


def _board(session, start=START, end=TODAY):
    return build_dashboard(session, start=start, end=end, tz=TZ, now=NOW)


def _listed(session, what, start=START, end=TODAY, group=EVERY) -> list[str]:
    lo, hi = period_bounds(start, end, TZ)
    total, lines = list_jobs(session, jobs_behind(session, what=what, lo=lo, hi=hi, now=NOW, group=group))
    assert total == len(lines)
    return sorted(line.number for line in lines)


def _walk(session, job, *statuses, at, step=timedelta(minutes=30)):
    for status in statuses:
        at += step
        transition_job(session, job=job, to=status, actor=TECH, now=at)
    return at


def _fixed_once(session, asset, *, days_ago: float, step=timedelta(minutes=30)):
    job = make_open_job(session, asset=asset, owner=None, now=NOW - timedelta(days=days_ago))
    complete_job(session, job, actor=TECH, now=job.reported_at, step=step)
    return job


def _fixed_in_two_visits(session, asset, *, days_ago: float):
    job = make_open_job(session, asset=asset, owner=None, now=NOW - timedelta(days=days_ago))
    _walk(session, job, S.TRIAGED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.WAITING_PARTS, S.ON_SITE, S.COMPLETED,
          at=job.reported_at)
    return job


def test_first_time_fix_counts_one_visit_and_no_new_visit_within_30_days(session):
    once = _fixed_once(session, make_asset(session), days_ago=50)
    twice = _fixed_in_two_visits(session, make_asset(session), days_ago=40)
    troubled = make_asset(session)
    came_back = _fixed_once(session, troubled, days_ago=45)
    again = make_open_job(session, asset=troubled, owner=None, now=came_back.resolved_at + timedelta(days=10))
    lasting = make_asset(session)
    held = _fixed_once(session, lasting, days_ago=55)
    much_later = _fixed_once(session, lasting, days_ago=10)  # 45 days on: a new fault, not a failed fix

    kpis = _board(session).kpis
    assert kpis.first_time_fix == Share(3, 5)
    assert _listed(session, "ftf_fixed") == sorted([once.number, held.number, much_later.number])
    assert _listed(session, "ftf_missed") == sorted([twice.number, came_back.number])
    assert again.number not in _listed(session, "ftf_counted")  # still open
    assert kpis.repeat_visits == Share(1, 6)
    assert _listed(session, "repeat_visits") == [again.number]


def test_the_repair_cycle_is_the_mean_from_report_to_fix_against_its_target(session):
    quick = _fixed_once(session, make_asset(session), days_ago=20, step=timedelta(minutes=30))   # 2.5 h
    slow = _fixed_once(session, make_asset(session), days_ago=20, step=timedelta(hours=20))      # 100 h
    make_open_job(session, asset=make_asset(session), owner=None, now=NOW - timedelta(days=3))  # not fixed yet

    kpis = _board(session).kpis
    assert (kpis.cycle_jobs, kpis.cycle_over_target, kpis.cycle_target_hours) == (2, 1, 48)
    assert kpis.cycle_mean_hours == pytest.approx((2.5 + 100) / 2)
    assert _listed(session, "cycle") == sorted([quick.number, slow.number])
    assert _listed(session, "cycle_over_target") == [slow.number]


def test_utilisation_is_time_on_site_over_shift_time_less_breaks_and_days_off(session):
    region = make_region(session)
    busy = make_technician(session, region=region, break_minutes=60)  # 8 h a day on shift
    idle = make_technician(session, region=region)                    # 9 h a day, nothing done
    away = make_technician(session, region=region)
    session.add(TechnicianDayOff(technician_id=away.id, day=TODAY, reason="leave"))
    job = make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW - timedelta(hours=6))
    job.technician_id = busy.id
    arrived = _walk(session, job, S.TRIAGED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, at=job.reported_at)
    transition_job(session, job=job, to=S.COMPLETED, actor=TECH, now=arrived + timedelta(minutes=90))
    still_there = make_open_job(session, asset=make_asset(session, region=region), owner=None,
                                now=NOW - timedelta(hours=2))
    still_there.technician_id = busy.id
    arrived = _walk(session, still_there, S.TRIAGED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, at=still_there.reported_at)
    session.flush()

    use = _board(session, start=TODAY, end=TODAY).kpis.utilisation
    on_site_now = int((NOW - arrived).total_seconds() // 60)
    assert use.by_technician[busy.id] == (90 + on_site_now, 8 * 60)
    assert use.by_technician[idle.id] == (0, 9 * 60)
    assert away.id not in use.by_technician   # no shift time today: not counted either way
    assert (use.on_job_minutes, use.shift_minutes) == (90 + on_site_now, 17 * 60)
    assert _listed(session, "on_site", TODAY, TODAY) == sorted([job.number, still_there.number])


def test_the_part_at_hand_at_the_first_visit(session):
    part = Part(sku="P-KPI-1", name="Compressor relay", unit_cost=30)
    session.add(part)
    session.flush()

    def needs_part(job):
        session.add(JobPart(job_id=job.id, part_id=part.id, quantity=1, state=JobPartState.CONSUMED,
                            created_at=job.reported_at, updated_at=job.reported_at))

    at_hand = _fixed_once(session, make_asset(session), days_ago=9)
    needs_part(at_hand)
    waited = _fixed_in_two_visits(session, make_asset(session), days_ago=8)
    needs_part(waited)
    _fixed_once(session, make_asset(session), days_ago=7)  # no part needed: not counted
    given_back = _fixed_once(session, make_asset(session), days_ago=6)
    session.add(JobPart(job_id=given_back.id, part_id=part.id, quantity=1, state=JobPartState.RELEASED,
                        created_at=given_back.reported_at, updated_at=given_back.reported_at))
    session.flush()

    assert _board(session).kpis.parts_at_first_visit == Share(1, 2)
    assert _listed(session, "parts_available") == [at_hand.number]
    assert _listed(session, "parts_missing") == [waited.number]


def test_the_previous_period_is_as_long_and_just_before(session):
    assert previous_period(date(2026, 11, 1), date(2026, 11, 28)) == (date(2026, 10, 4), date(2026, 10, 31))
    assert previous_period(date(1970, 1, 3), date(1970, 1, 4)) == (date(1970, 1, 1), date(1970, 1, 2))
    assert previous_period(date(1970, 1, 2), date(1970, 1, 4)) is None
    _fixed_once(session, make_asset(session), days_ago=40)
    _fixed_in_two_visits(session, make_asset(session), days_ago=10)
    board = _board(session, start=TODAY - timedelta(days=29))
    assert (board.previous.start, board.previous.end) == (TODAY - timedelta(days=59), TODAY - timedelta(days=30))
    assert board.kpis.first_time_fix == Share(0, 1)
    assert board.previous.kpis.first_time_fix == Share(1, 1)
    assert [m.rate.total for m in board.previous.metrics][:2] == [m.rate.total for m in board.metrics][:2]


def test_a_fix_before_the_period_makes_a_repeat_in_it_and_a_cancelled_report_is_no_new_visit(session):
    troubled = make_asset(session)
    before = _fixed_once(session, troubled, days_ago=65)            # fixed before the period starts
    again = _fixed_once(session, troubled, days_ago=45)             # reported within 30 days of that fix
    assert before.reported_at < period_bounds(START, TODAY, TZ)[0] <= again.reported_at
    calm = make_asset(session)
    kept = _fixed_once(session, calm, days_ago=30)
    withdrawn = make_open_job(session, asset=calm, owner=None, now=kept.resolved_at + timedelta(days=2))
    transition_job(session, job=withdrawn, to=S.CANCELLED, actor=TECH, now=withdrawn.reported_at + timedelta(hours=1))
    session.flush()

    assert _listed(session, "repeat_visits") == [again.number]
    assert _listed(session, "ftf_fixed") == sorted([again.number, kept.number])
    assert withdrawn.number not in _listed(session, "visits")
