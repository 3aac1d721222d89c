"""A paid repair ready to quote: an appliance out of warranty, its job planned for tech01 who has a van with
a part, the model's parts priced for customers, and a labour price with a call-out fee. The same without
the job (`build_out_of_warranty`) for journeys in which the customer reports it on the page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.geo import GreatCircleProvider
from core.users import Role, User
from dispatch.catalog.models import Asset
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, EntitlementKind, Job
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.planning.assignment import dispatch_job
from dispatch.quotes.prices import create_labour_price
from dispatch.technicians.models import Technician
from inventory import ledger
from inventory.models import Part, Warehouse, WarehouseKind
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_model, make_technician
from tests.builders.fieldwork import TZ
from tests.builders.inventory import make_part
from tests.conftest import NOW


@dataclass
class PaidRepair:
    job: Job
    tech: Technician
    agent: User
    gasket: Part  # priced 80.00, three in the van
    board: Part  # priced 450.00
    unpriced: Part  # fits the model, no customer price
    stranger: Part  # priced, but not in this model's bill of materials


@dataclass
class OutOfWarranty:
    """Everything a paid repair needs but the job: the customer reports it themselves."""
    tech: Technician
    asset: Asset  # bought in 2023, 12 months of free repair: out of warranty
    gasket: Part  # priced 80.00, three in the van
    board: Part  # priced 450.00
    unpriced: Part  # fits the model, no customer price
    stranger: Part  # priced, but not in this model's bill of materials


def build_out_of_warranty(session) -> OutOfWarranty:
    """tech01 of region gusu with a van holding three gaskets, an appliance out of warranty, its model's
    parts priced for customers and a labour price with a call-out fee."""
    region = make_region(session, code="gusu")
    tech = make_technician(session, region=region, username="tech01", home=(31.30, 120.60))
    tech.van = Warehouse(code="VAN-tech01", name="Van", kind=WarehouseKind.VAN)
    model = make_model(session)
    gasket, board = make_part(session, sku="P-GASKET"), make_part(session, sku="P-BOARD")
    unpriced, stranger = make_part(session, sku="P-UNPRICED"), make_part(session, sku="P-OTHER")
    gasket.customer_price, board.customer_price, stranger.customer_price = Decimal("80.00"), Decimal("450.00"), Decimal("9.00")
    gasket.name_zh, board.name_zh = "门封条", "控制板"
    model.parts = [gasket, board, unpriced]
    session.flush()
    ledger.receive(session, warehouse=tech.van, part=gasket, quantity=3, actor="test", now=NOW)
    asset = make_asset(session, model=model, region=region, at=(31.31, 120.61), purchase_date=date(2023, 1, 10))
    create_labour_price(session, code="REF-ANY", name="Refrigeration repair", skill="refrigeration",
                        labour=Decimal("150.00"), call_out_fee=Decimal("50.00"), actor="admin", now=NOW)
    return OutOfWarranty(tech=tech, asset=asset, gasket=gasket, board=board, unpriced=unpriced, stranger=stranger)


def build_paid_repair(session, *, customer_locale: str | None = None) -> PaidRepair:
    world = build_out_of_warranty(session)
    asset, tech = world.asset, world.tech
    asset.customer.locale = customer_locale
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(channel=Channel.QR, fault_text="Not cooling since yesterday, display shows E4",
                                          contact_name="Zhang Wei", contact_phone="+86 138 1234 5678")).job
    assert job.entitlement == EntitlementKind.PAID_REPAIR
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=GreatCircleProvider(), only_technician=tech)
    assert outcome.planned, outcome.reason
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    session.commit()
    return PaidRepair(job=job, tech=tech, agent=agent, gasket=world.gasket, board=world.board,
                      unpriced=world.unpriced, stranger=world.stranger)


def arrive(session, world: PaidRepair, *, now=NOW) -> None:
    """The technician sets off and arrives (the diagnosis the quote comes from)."""
    actor = Actor.staff(world.tech.user)
    for status in (JobStatus.EN_ROUTE, JobStatus.ON_SITE):
        transition_job(session, job=world.job, to=status, actor=actor, now=now)
