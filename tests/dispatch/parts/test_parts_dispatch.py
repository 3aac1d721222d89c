"""Parts-aware dispatch against a real database: the technician, the part's source and the route are
decided together — a van that holds the part, or a pickup stop at the warehouse, never before it is there."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.geo import GreatCircleProvider
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, Job
from dispatch.jobs.status import JobStatus
from dispatch.parts import services as job_parts
from dispatch.parts.pickups import pickups_for
from dispatch.planning.assignment import dispatch_job
from inventory import ledger
from inventory.models import JobPartState, WarehouseKind
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
PROVIDER = GreatCircleProvider()
AGENT = Actor(label="agent.li")
JOB_AT = (31.30, 120.60)


@pytest.fixture
def region(session):
    return make_region(session)


def _job(session, region) -> Job:
    asset = make_asset(session, region=region, at=JOB_AT)
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                          "13800000000")).job
    session.flush()
    return job


def _technician_with_van(session, region, home):
    technician = make_technician(session, region=region, home=home)
    technician.van = make_warehouse(session, kind=WarehouseKind.VAN, at=None)
    session.flush()
    return technician


def test_a_technician_whose_van_holds_the_part_is_preferred_over_a_detour(session, region):
    part = make_part(session)
    # The only warehouse is 15 km away; two technicians live equally close to the job.
    warehouse = make_warehouse(session, regions=[region], at=(31.43, 120.60))
    ledger.receive(session, warehouse=warehouse, part=part, quantity=1, actor="clerk", now=NOW)
    without = _technician_with_van(session, region, home=(31.31, 120.60))
    holder = _technician_with_van(session, region, home=(31.29, 120.60))
    ledger.receive(session, warehouse=holder.van, part=part, quantity=1, actor="clerk", now=NOW)
    job = _job(session, region)
    line = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW).line
    assert line.warehouse.id == warehouse.id  # nobody assigned yet: the nearest serving warehouse holds it

    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)

    assert outcome.planned and outcome.technician.id == holder.id and without.id != holder.id
    # The reservation followed the plan into the van, so the ledger says where the unit really is.
    assert line.warehouse.id == holder.van.id and line.state == JobPartState.RESERVED
    assert ledger.level_of(session, warehouse, part).reserved == 0
    assert ledger.level_of(session, holder.van, part).reserved == 1
    assert pickups_for(session, job) == []
    assert ledger.ledger_differences(session) == []


def test_without_the_part_in_any_van_the_route_collects_it_at_the_warehouse_first(session, region):
    part = make_part(session)
    warehouse = make_warehouse(session, regions=[region], at=(31.35, 120.60))  # about 5.5 km north of the job
    ledger.receive(session, warehouse=warehouse, part=part, quantity=1, actor="clerk", now=NOW)
    technician = _technician_with_van(session, region, home=(31.30, 120.61))
    job = _job(session, region)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)

    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)

    assert outcome.planned and outcome.technician.id == technician.id
    assert [line.warehouse.id for line in pickups_for(session, job)] == [warehouse.id]
    # Leaving home at 10:00: to the warehouse and back south with a 10-minute pickup takes far longer
    # than the few hundred metres straight to the job.
    start = job.planned_start.astimezone(TZ)
    assert start - NOW.astimezone(TZ) > timedelta(minutes=10 + 2 * 5.5 * 1.3 / 30 * 60 - 5)


def test_a_part_on_its_way_means_the_visit_is_planned_after_it_arrives(session, region):
    part = make_part(session)
    warehouse = make_warehouse(session, regions=[region], at=(31.31, 120.60))
    make_supplier(session, parts=[part], expedited_hours=26)  # tomorrow 12:00 local
    _technician_with_van(session, region, home=(31.30, 120.61))
    job = _job(session, region)

    ordered = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    assert job.status == JobStatus.WAITING_PARTS and ordered.line.state == JobPartState.AWAITING
    assert ordered.line.warehouse.id == warehouse.id

    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)

    arrival = NOW + timedelta(hours=26)
    assert outcome.planned and outcome.day == arrival.astimezone(TZ).date()
    assert job.planned_start >= arrival + timedelta(minutes=10)  # collected first, then fitted
    assert job.status == JobStatus.ASSIGNED  # a visit is booked; the card still shows the part on its way
    assert [line.state for line in job_parts.parts_for_job(session, job)] == [JobPartState.AWAITING]


def test_a_part_with_no_way_to_arrive_keeps_the_job_out_of_the_routes(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    _technician_with_van(session, region, home=(31.30, 120.61))
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=1, actor=AGENT, now=NOW)
    assert outcome.escalated and outcome.emergency.chosen is None
    assert not dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER).planned
    assert job.technician_id is None
