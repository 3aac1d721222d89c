"""SLA policies by category and priority, and clocks that count only the region's business hours."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from care.models import SlaClock
from care.sla_watch import read_clocks
from core.business_hours import Hours, add_open_minutes, open_time_between
from core.regions import BusinessHours
from dispatch.intake.services import FaultReport, reclassify_job, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, JobCategory, Priority, SlaPolicy
from dispatch.jobs.sla import sla_deadlines, sla_policy_for
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = [Hours(d, time(9), time(18)) for d in range(5)]  # Monday to Friday, 09:00-18:00


def _local(*args, tz=SHANGHAI) -> datetime:
    return datetime(*args, tzinfo=tz)


# --- the business-hours clock, without a database ---

def test_a_report_on_friday_evening_is_due_on_monday_morning():
    friday_evening = _local(2026, 11, 27, 20, 0)
    assert add_open_minutes(friday_evening, 120, hours=OFFICE, tz=SHANGHAI) == _local(2026, 11, 30, 11, 0)


def test_open_time_left_on_friday_carries_over_the_weekend():
    friday_afternoon = _local(2026, 11, 27, 17, 0)
    assert add_open_minutes(friday_afternoon, 120, hours=OFFICE, tz=SHANGHAI) == _local(2026, 11, 30, 10, 0)


def test_a_promise_inside_the_day_is_plain_arithmetic():
    assert add_open_minutes(_local(2026, 11, 24, 10, 0), 90, hours=OFFICE, tz=SHANGHAI) == _local(2026, 11, 24, 11, 30)


def test_three_business_days_of_repair_time_skip_nights_and_weekends():
    # 3 days = 4320 minutes = 8 office days of 9 hours: Friday 20:00 -> the second Wednesday after, 18:00.
    due = add_open_minutes(_local(2026, 11, 27, 20, 0), 3 * 24 * 60, hours=OFFICE, tz=SHANGHAI)
    assert due == _local(2026, 12, 9, 18, 0)


def test_daylight_saving_neither_adds_nor_loses_open_time():
    berlin = ZoneInfo("Europe/Berlin")
    every_day = [Hours(d, time(0), time(23, 59)) for d in range(7)]
    # The night of 28-29 March 2026 has 23 hours in Berlin: the open minutes still count in real time.
    start = _local(2026, 3, 28, 12, 0, tz=berlin)
    due = add_open_minutes(start, 24 * 60, hours=every_day, tz=berlin)
    assert (due - start) == timedelta(hours=24, minutes=1)  # one closed minute at 23:59 on the 28th


def test_no_business_hours_at_all_means_the_clock_never_stops():
    start = _local(2026, 11, 27, 20, 0)
    assert add_open_minutes(start, 120, hours=[], tz=SHANGHAI) == start + timedelta(hours=2)


def test_open_time_between_counts_only_office_hours_and_is_what_add_open_minutes_adds():
    friday_afternoon, monday_morning = _local(2026, 11, 27, 17, 0), _local(2026, 11, 30, 10, 0)
    assert open_time_between(friday_afternoon, monday_morning, hours=OFFICE, tz=SHANGHAI) == timedelta(hours=2)
    assert add_open_minutes(friday_afternoon, 120, hours=OFFICE, tz=SHANGHAI) == monday_morning
    assert open_time_between(monday_morning, friday_afternoon, hours=OFFICE, tz=SHANGHAI) == timedelta()
    assert open_time_between(friday_afternoon, monday_morning, hours=[], tz=SHANGHAI) == monday_morning - friday_afternoon


# --- choosing the policy ---

@pytest.fixture
def policies(session):
    rows = {
        "defect-urgent": SlaPolicy(code="defect-urgent", name="Urgent defect", category=JobCategory.QUALITY_DEFECT,
                                   priority=Priority.URGENT, respond_minutes=30, repair_minutes=480),
        "defect": SlaPolicy(code="defect", name="Defect", category=JobCategory.QUALITY_DEFECT, priority=None,
                            respond_minutes=60, repair_minutes=1440),
        "any-high": SlaPolicy(code="any-high", name="High, any category", category=None, priority=Priority.HIGH,
                              respond_minutes=90, repair_minutes=2880),
    }
    session.add_all(rows.values())
    session.flush()
    return rows


@pytest.mark.parametrize("category, priority, expected", [
    (JobCategory.QUALITY_DEFECT, Priority.URGENT, "defect-urgent"),  # exact priority first
    (JobCategory.QUALITY_DEFECT, Priority.NORMAL, "defect"),  # then the category's policy for any priority
    (JobCategory.QUALITY_DEFECT, Priority.HIGH, "defect"),  # the category beats a priority-only policy
    (JobCategory.INSTALLATION, Priority.HIGH, "any-high"),
    (JobCategory.INSTALLATION, Priority.NORMAL, "default"),  # then the default
    (JobCategory.QUALITY_DEFECT, None, "defect"),
    (JobCategory.USAGE_QUESTION, None, "default"),
])
def test_the_most_specific_policy_applies(session, policies, category, priority, expected):
    assert sla_policy_for(session, category, priority).code == expected


# --- the promise is made once and stored ---

@pytest.fixture
def office_region(session):
    region = make_region(session)
    region.business_hours = [BusinessHours(weekday=d, opens=time(9), closes=time(18)) for d in range(5)]
    session.flush()
    return region


def _report(session, asset, text, now):
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=now, tz=SHANGHAI,
                       report=FaultReport(Channel.QR, text, "Li Lei", "13800000000")).job
    session.flush()
    return job


def test_a_friday_evening_report_under_a_business_hours_policy_is_due_monday(session, office_region):
    session.add(SlaPolicy(code="office", name="Office hours", category=JobCategory.QUALITY_DEFECT,
                          business_hours_only=True, respond_minutes=120, repair_minutes=2 * 9 * 60))
    friday_evening = _local(2026, 11, 27, 20, 0).astimezone(UTC)
    job = _report(session, make_asset(session, region=office_region), "The fridge is not cooling", friday_evening)
    assert job.sla_policy.code == "office"
    assert job.respond_by == _local(2026, 11, 30, 11, 0)
    assert job.repair_by == _local(2026, 12, 1, 18, 0)
    # Every reader uses the stored promise: the watch's allowed time is the stored deadline's.
    reading = read_clocks(job, [], now=friday_evening + timedelta(hours=3))[SlaClock.RESPONSE]
    assert reading.deadline == job.respond_by and reading.kept is None  # 3 h later: not yet breached


def test_a_policy_running_around_the_clock_ignores_business_hours(session, office_region):
    friday_evening = _local(2026, 11, 27, 20, 0).astimezone(UTC)
    job = _report(session, make_asset(session, region=office_region), "The fridge is not cooling", friday_evening)
    assert job.sla_policy.code == "default" and job.respond_by == friday_evening + timedelta(hours=2)


def test_business_hours_are_read_in_the_regions_time_zone(session, office_region):
    office_region.time_zone = "Europe/London"
    policy = SlaPolicy(code="office", name="Office hours", business_hours_only=True, respond_minutes=60,
                       repair_minutes=60)
    # 09:30 in Shanghai is 01:30 in London: the London office opens at 09:00.
    reported = _local(2026, 11, 24, 9, 30).astimezone(UTC)
    respond_by, _ = sla_deadlines(policy, reported, region=office_region)
    assert respond_by == datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def test_an_urgent_report_gets_the_urgent_policy(session, policies):
    job = _report(session, make_asset(session), "Smoke is coming out of the fridge", NOW)
    assert job.priority == Priority.URGENT and job.sla_policy.code == "defect-urgent"
    assert job.respond_by == NOW + timedelta(minutes=30)


def test_reclassifying_makes_the_promise_again_from_the_report_time(session, policies):
    job = _report(session, make_asset(session), "The fridge is not cooling", NOW)
    assert job.sla_policy.code == "defect"
    reclassify_job(session, job=job, category=JobCategory.INSTALLATION, actor=Actor(label="agent"),
                   now=NOW + timedelta(hours=1), tz=SHANGHAI)
    assert job.sla_policy.code == "default" and job.respond_by == NOW + timedelta(hours=2)
