"""A region's own time zone: the local day a report is judged on, the shifts dispatch plans in, and
the times people are told."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.geo import GreatCircleProvider
from core.regions import Region, local_stamp, zone_of
from dispatch.intake.services import FaultReport, report_fault, warranty_verdict
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, EntitlementKind
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.read import region_day
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_a_region_has_its_own_zone_and_work_without_a_region_uses_the_fallback():
    assert zone_of(Region(time_zone="America/New_York"), SHANGHAI) == NEW_YORK
    assert zone_of(None, SHANGHAI) == SHANGHAI
    assert zone_of(Region(time_zone="Mars/Olympus_Mons"), SHANGHAI) == SHANGHAI  # a zone this machine lacks
    assert zone_of(None) == ZoneInfo("UTC")


def test_times_are_told_in_the_regions_local_time():
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert local_stamp(moment, Region(time_zone="Asia/Shanghai")) == "2026-11-23 10:00 Asia/Shanghai"
    assert local_stamp(moment, Region(time_zone="America/New_York")) == "2026-11-22 21:00 America/New_York"


def _region(session, zone: str, code: str):
    region = make_region(session, code=code)
    region.time_zone = zone
    return region


def test_the_warranty_day_is_the_regions_local_day(session):
    # NOW is 10:00 on the 23rd in Shanghai but 21:00 on the 22nd in New York: bought on the 15th, a
    # defect is on day 8 (exchange) in Shanghai and day 7 (refund) in New York.
    shanghai = make_asset(session, region=_region(session, "Asia/Shanghai", "sh"), purchase_date=date(2026, 11, 15))
    new_york = make_asset(session, region=_region(session, "America/New_York", "ny"), purchase_date=date(2026, 11, 15))
    assert warranty_verdict(shanghai, now=NOW, tz=SHANGHAI).kind == EntitlementKind.EXCHANGE
    assert warranty_verdict(new_york, now=NOW, tz=SHANGHAI).kind == EntitlementKind.REFUND
    job = report_fault(session, asset=new_york, actor=CUSTOMER, now=NOW, tz=SHANGHAI,
                       report=FaultReport(Channel.QR, "It stopped working", "Li Lei", "13800000000")).job
    assert job.entitlement == EntitlementKind.REFUND and job.entitlement_facts["days"] == 7


def test_dispatch_plans_in_the_shifts_of_the_regions_zone(session):
    region = _region(session, "America/New_York", "ny")
    make_technician(session, region=region, home=(40.75, -73.99))  # 08:00-17:00 local, every day
    asset = make_asset(session, region=region, at=(40.76, -73.98))
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=SHANGHAI,
                       report=FaultReport(Channel.QR, "The fridge is not cooling", "Li Lei", "13800000000")).job
    # Passed Shanghai's zone (the installation's), the job is still planned in New York's day: at
    # 21:00 there the shift is over, so the visit is tomorrow morning, New York time.
    outcome = dispatch_job(session, job=job, now=NOW, tz=SHANGHAI, provider=GreatCircleProvider())
    assert outcome.planned and outcome.day == date(2026, 11, 23)
    local_start = job.planned_start.astimezone(NEW_YORK)
    assert local_start.date() == date(2026, 11, 23) and 8 <= local_start.hour < 17
    days, _ = region_day(session, region=region, day=date(2026, 11, 23), tz=SHANGHAI)
    assert days[0].hours.start == datetime(2026, 11, 23, 8, 0, tzinfo=NEW_YORK)
