"""A small city for field-work tests: two technicians with vans, jobs planned into their day, stock."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.geo import GreatCircleProvider
from core.regions import Region
from core.users import Role, User
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, Job
from dispatch.planning.assignment import dispatch_job
from dispatch.technicians.models import Technician
from inventory import ledger
from inventory.models import Part, Warehouse, WarehouseKind
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_model, make_technician
from tests.builders.inventory import make_part, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class FieldWorld:
    region: Region
    tech: Technician  # tech01, the one signed in
    other: Technician  # tech02
    jobs: list[Job]  # tech01's, in route order
    other_job: Job  # tech02's
    part: Part  # in tech01's van (3) and the depot (5)
    spare: Part  # only in the depot
    depot: Warehouse
    dispatcher: User


def planned_job(session, *, technician: Technician, region: Region, at: tuple[float, float], model=None,
                fault: str = "Not cooling since yesterday, display shows E4") -> Job:
    asset = make_asset(session, region=region, at=at, model=model)
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(channel=Channel.QR, fault_text=fault, contact_name="Zhang Wei",
                                          contact_phone="+86 138 1234 5678")).job
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=GreatCircleProvider(), only_technician=technician)
    assert outcome.planned, outcome.reason
    return job


def build_field_world(session, *, jobs: int = 2) -> FieldWorld:
    region = make_region(session, code="gusu")
    tech = make_technician(session, region=region, username="tech01", home=(31.30, 120.60))
    other = make_technician(session, region=region, username="tech02", home=(31.33, 120.64))
    for technician in (tech, other):
        technician.van = Warehouse(code=f"VAN-{technician.user.username}", name="Van", kind=WarehouseKind.VAN)
    depot = make_warehouse(session, regions=[region], at=(31.31, 120.61), code="WH-GUSU")
    model = make_model(session)
    part, spare = make_part(session, sku="P-GASKET"), make_part(session, sku="P-COMPRESSOR")
    model.parts = [part, spare]
    session.flush()
    ledger.receive(session, warehouse=tech.van, part=part, quantity=3, actor="test", now=NOW)
    ledger.receive(session, warehouse=depot, part=part, quantity=5, actor="test", now=NOW)
    ledger.receive(session, warehouse=depot, part=spare, quantity=2, actor="test", now=NOW)
    mine = [planned_job(session, technician=tech, region=region, model=model, at=(31.30 + 0.01 * n, 120.60 + 0.01 * n))
            for n in range(jobs)]
    theirs = planned_job(session, technician=other, region=region, model=model, at=(31.34, 120.65))
    dispatcher = make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    session.commit()
    mine.sort(key=lambda job: job.route_position)
    return FieldWorld(region=region, tech=tech, other=other, jobs=mine, other_job=theirs, part=part, spare=spare,
                      depot=depot, dispatcher=dispatcher)
