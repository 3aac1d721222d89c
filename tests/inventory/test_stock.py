"""The stock ledger, transfers and purchase orders, and parts for jobs, against a real database."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.db import make_session_factory
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, Escalation, Job
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.parts import services as job_parts
from inventory import ledger, orders
from inventory.ledger import InsufficientStock, StockError
from inventory.models import JobPartState, OrderStatus, StockLevel, StockMovement, WarehouseKind
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
CLERK = "stock.clerk"
STAFF = Actor(label="agent.li")


def level(session, warehouse, part) -> tuple[int, int, int]:
    row = ledger.level_of(session, warehouse, part)
    return (row.on_hand, row.reserved, row.faulty) if row else (0, 0, 0)


def movement_count(session) -> int:
    return session.scalar(select(func.count()).select_from(StockMovement))


def test_receipts_reservations_and_consumption_keep_levels_equal_to_the_ledger(session):
    part, warehouse = make_part(session), make_warehouse(session)
    ledger.receive(session, warehouse=warehouse, part=part, quantity=5, actor=CLERK, now=NOW)
    ledger.reserve(session, warehouse=warehouse, part=part, quantity=2, actor=CLERK, now=NOW)
    ledger.consume(session, warehouse=warehouse, part=part, quantity=1, actor=CLERK, now=NOW, job_id=None,
                   from_reservation=True)
    ledger.adjust(session, warehouse=warehouse, part=part, change=-1, reason="count found one fewer", actor=CLERK,
                  now=NOW)
    assert level(session, warehouse, part) == (3, 1, 0)
    assert ledger.available(session, warehouse, part) == 2
    assert ledger.ledger_differences(session) == []


def test_reserving_more_than_is_available_is_refused_and_writes_nothing(session):
    part, warehouse = make_part(session), make_warehouse(session)
    ledger.receive(session, warehouse=warehouse, part=part, quantity=2, actor=CLERK, now=NOW)
    ledger.reserve(session, warehouse=warehouse, part=part, quantity=2, actor=CLERK, now=NOW)
    before = movement_count(session)
    with pytest.raises(InsufficientStock, match="0 available; 1 needed"):
        ledger.reserve(session, warehouse=warehouse, part=part, quantity=1, actor=CLERK, now=NOW)
    with pytest.raises(InsufficientStock):
        ledger.adjust(session, warehouse=warehouse, part=part, change=-1, reason="broken", actor=CLERK, now=NOW)
    assert movement_count(session) == before
    assert level(session, warehouse, part) == (2, 2, 0)


@pytest.mark.parametrize("quantity", [0, -3, 1.5, "2", True, 10**7])
def test_quantities_must_be_whole_positive_and_sane(session, quantity):
    part, warehouse = make_part(session), make_warehouse(session)
    with pytest.raises(StockError) as error:
        ledger.receive(session, warehouse=warehouse, part=part, quantity=quantity, actor=CLERK, now=NOW)
    assert error.value.field == "quantity"
    assert movement_count(session) == 0


def test_an_adjustment_needs_a_reason(session):
    part, warehouse = make_part(session), make_warehouse(session)
    with pytest.raises(StockError) as error:
        ledger.adjust(session, warehouse=warehouse, part=part, change=3, reason="  ", actor=CLERK, now=NOW)
    assert error.value.field == "reason"


def test_a_transfer_holds_ships_and_receives_with_the_stock_following(session):
    part = make_part(session)
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.37, 120.64))
    depot = make_warehouse(session, at=(31.29, 120.62))
    ledger.receive(session, warehouse=central, part=part, quantity=10, actor=CLERK, now=NOW)
    transfer = orders.request_transfer(session, part=part, quantity=4, source=central, destination=depot,
                                       actor=CLERK, now=NOW)
    assert level(session, central, part) == (10, 4, 0)  # held while the courier is booked
    assert NOW + timedelta(hours=1) < transfer.expected_at < NOW + timedelta(hours=3)
    orders.ship_transfer(session, transfer=transfer, actor=CLERK, now=NOW + timedelta(minutes=30))
    assert level(session, central, part) == (6, 0, 0)
    with pytest.raises(StockError, match="cannot receive 5"):
        orders.receive_transfer(session, transfer=transfer, quantity=5, actor=CLERK, now=NOW)
    orders.receive_transfer(session, transfer=transfer, quantity=4, actor=CLERK, now=NOW + timedelta(hours=2))
    assert (transfer.status, level(session, depot, part)) == (OrderStatus.RECEIVED, (4, 0, 0))
    with pytest.raises(orders.OrderStateError):
        orders.cancel_transfer(session, transfer=transfer, actor=CLERK, now=NOW)
    assert ledger.ledger_differences(session) == []


def test_a_transfer_to_the_same_warehouse_or_beyond_stock_is_refused(session):
    part, warehouse, other = make_part(session), make_warehouse(session), make_warehouse(session)
    ledger.receive(session, warehouse=warehouse, part=part, quantity=1, actor=CLERK, now=NOW)
    with pytest.raises(StockError) as error:
        orders.request_transfer(session, part=part, quantity=1, source=warehouse, destination=warehouse,
                                actor=CLERK, now=NOW)
    assert error.value.field == "to_warehouse"
    with pytest.raises(InsufficientStock):
        orders.request_transfer(session, part=part, quantity=2, source=warehouse, destination=other, actor=CLERK,
                                now=NOW)


def test_cancelling_a_requested_transfer_gives_the_units_back(session):
    part, source, destination = make_part(session), make_warehouse(session), make_warehouse(session)
    ledger.receive(session, warehouse=source, part=part, quantity=3, actor=CLERK, now=NOW)
    transfer = orders.request_transfer(session, part=part, quantity=3, source=source, destination=destination,
                                       actor=CLERK, now=NOW)
    orders.cancel_transfer(session, transfer=transfer, actor=CLERK, now=NOW)
    assert level(session, source, part) == (3, 0, 0)


def test_a_purchase_order_takes_the_cheapest_supplier_and_stock_arrives_on_receipt(session):
    part, depot = make_part(session), make_warehouse(session)
    make_supplier(session, parts=[part], unit_cost="150.00")
    cheap = make_supplier(session, parts=[part], unit_cost="90.00", normal_hours=96)
    order = orders.create_purchase_order(session, part=part, quantity=3, warehouse=depot, now=NOW)
    assert order.supplier.id == cheap.id and order.expected_at == NOW + timedelta(hours=96)
    assert level(session, depot, part) == (0, 0, 0)
    orders.ship_purchase_order(session, order=order, now=NOW)
    orders.receive_purchase_order(session, order=order, quantity=None, actor=CLERK, now=NOW + timedelta(days=3))
    assert level(session, depot, part) == (3, 0, 0)


# --- parts for jobs ---

def _job(session, region, at=(31.31, 120.62)) -> Job:
    asset = make_asset(session, region=region, at=at)
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                          "13800000000")).job
    session.flush()
    return job


def _on_site(session, job, technician):
    job.technician, job.technician_id = technician, technician.id
    for status in (JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.EN_ROUTE, JobStatus.ON_SITE):
        transition_job(session, job=job, to=status, actor=STAFF, now=NOW)


@pytest.fixture
def region(session):
    return make_region(session)


def test_a_part_comes_from_the_technicians_van_first(session, region):
    part = make_part(session)
    depot = make_warehouse(session, regions=[region], at=(31.31, 120.63))
    technician = make_technician(session, region=region)
    technician.van = make_warehouse(session, kind=WarehouseKind.VAN, at=None)
    for warehouse in (depot, technician.van):
        ledger.receive(session, warehouse=warehouse, part=part, quantity=1, actor=CLERK, now=NOW)
    job = _job(session, region)
    _on_site(session, job, technician)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert outcome.line.warehouse.id == technician.van.id and outcome.line.state == JobPartState.RESERVED
    assert job.status == JobStatus.ON_SITE  # no detour: the repair goes on


def test_without_it_in_the_van_the_nearest_serving_warehouse_holds_it(session, region):
    part = make_part(session)
    far = make_warehouse(session, regions=[region], at=(31.40, 120.75))
    near = make_warehouse(session, regions=[region], at=(31.315, 120.625))
    elsewhere = make_warehouse(session, at=(31.311, 120.621))  # nearest of all, but serves another region
    for warehouse in (far, near, elsewhere):
        ledger.receive(session, warehouse=warehouse, part=part, quantity=2, actor=CLERK, now=NOW)
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert outcome.line.warehouse.id == near.id
    assert level(session, near, part) == (2, 1, 0)


def test_an_emergency_transfer_is_chosen_when_it_arrives_before_the_deadline(session, region):
    part = make_part(session)
    depot = make_warehouse(session, regions=[region], at=(31.31, 120.63))
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.37, 120.64))
    ledger.receive(session, warehouse=central, part=part, quantity=5, actor=CLERK, now=NOW)
    make_supplier(session, parts=[part], expedited_hours=24)
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert outcome.line.state == JobPartState.AWAITING
    assert outcome.line.transfer.from_warehouse.id == central.id
    assert outcome.line.transfer.to_warehouse.id == depot.id and outcome.line.transfer.emergency
    assert "in time for the repair deadline" in outcome.line.transfer.reason
    assert [o.kind for o in outcome.emergency.options] == ["transfer", "purchase"]
    assert job.status == JobStatus.WAITING_PARTS and not outcome.escalated
    # The part arrives: it is held for the job where it landed.
    orders.ship_transfer(session, transfer=outcome.line.transfer, actor=CLERK, now=NOW)
    orders.receive_transfer(session, transfer=outcome.line.transfer, quantity=None, actor=CLERK, now=NOW)
    job_parts.arrived(session, order=outcome.line.transfer, actor=STAFF, now=NOW)
    assert outcome.line.state == JobPartState.RESERVED and level(session, depot, part) == (1, 1, 0)


def test_an_expedited_purchase_wins_when_no_transfer_is_possible(session, region):
    part = make_part(session)
    depot = make_warehouse(session, regions=[region])
    supplier = make_supplier(session, parts=[part], expedited_hours=20)
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=2, actor=STAFF, now=NOW)
    order = outcome.line.purchase_order
    assert order.expedited and order.supplier.id == supplier.id and order.warehouse.id == depot.id
    assert outcome.line.expected_at == NOW + timedelta(hours=20)


def test_cost_breaks_a_tie_between_options_arriving_together(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    make_supplier(session, parts=[part], expedited_hours=20, fee="300.00")
    cheaper = make_supplier(session, parts=[part], expedited_hours=20, fee="50.00")
    outcome = job_parts.request_part(session, job=_job(session, region), part=part, quantity=1, actor=STAFF,
                                     now=NOW)
    assert outcome.line.purchase_order.supplier.id == cheaper.id


def test_when_nothing_arrives_in_time_the_fastest_is_ordered_and_the_job_escalated(session, region):
    part = make_part(session)
    make_warehouse(session, regions=[region])
    make_supplier(session, parts=[part], expedited_hours=24 * 5)
    job = _job(session, region)
    outcome = job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert outcome.escalated and outcome.line.purchase_order is not None
    escalation = session.scalars(select(Escalation).where(Escalation.job_id == job.id)).one()
    assert escalation.kind == "parts_late" and "no option keeps the repair deadline" in escalation.reason


def test_completion_consumes_what_was_fitted_and_releases_the_rest(session, region):
    part, spare = make_part(session), make_part(session)
    technician = make_technician(session, region=region)
    technician.van = make_warehouse(session, kind=WarehouseKind.VAN, at=None)
    ledger.receive(session, warehouse=technician.van, part=part, quantity=3, actor=CLERK, now=NOW)
    ledger.receive(session, warehouse=technician.van, part=spare, quantity=1, actor=CLERK, now=NOW)
    job = _job(session, region)
    _on_site(session, job, technician)
    job_parts.request_part(session, job=job, part=part, quantity=2, actor=STAFF, now=NOW)
    job_parts.consume_parts(session, job=job, used=[(part, 1), (spare, 1)], actor=STAFF, now=NOW)
    transition_job(session, job=job, to=JobStatus.COMPLETED, actor=STAFF, now=NOW)
    assert level(session, technician.van, part) == (2, 0, 0)  # one fitted, one reserved and given back
    assert level(session, technician.van, spare) == (0, 0, 0)  # taken from the van unreserved
    states = sorted((line.part_id, line.quantity, line.state) for line in job_parts.parts_for_job(session, job))
    assert states == sorted([(part.id, 1, JobPartState.CONSUMED), (part.id, 1, JobPartState.RELEASED),
                             (spare.id, 1, JobPartState.CONSUMED)])
    assert ledger.ledger_differences(session) == []


def test_cancelling_a_job_releases_its_reservations(session, region):
    part, depot = make_part(session), make_warehouse(session, regions=[region])
    ledger.receive(session, warehouse=depot, part=part, quantity=1, actor=CLERK, now=NOW)
    job = _job(session, region)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    transition_job(session, job=job, to=JobStatus.CANCELLED, actor=STAFF, now=NOW)
    assert level(session, depot, part) == (1, 0, 0)


def test_parts_cannot_be_requested_for_a_finished_job(session, region):
    part, depot = make_part(session), make_warehouse(session, regions=[region])
    ledger.receive(session, warehouse=depot, part=part, quantity=1, actor=CLERK, now=NOW)
    job = _job(session, region)
    transition_job(session, job=job, to=JobStatus.CANCELLED, actor=STAFF, now=NOW)
    with pytest.raises(StockError) as error:
        job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert error.value.field == "job"


# --- concurrency: the database decides who gets the last units ---

def test_parallel_clients_reserve_exactly_the_available_units(database_url, engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    part, warehouse = make_part(session), make_warehouse(session)
    ledger.receive(session, warehouse=warehouse, part=part, quantity=5, actor=CLERK, now=NOW)
    session.commit()
    clients = 24
    barrier, factory = Barrier(clients), make_session_factory(engine)

    def reserve_one(n: int) -> bool:
        with factory() as own:
            barrier.wait()
            try:
                ledger.reserve(own, warehouse=own.merge(warehouse), part=own.merge(part), quantity=1,
                               actor=f"client{n}", now=NOW)
                own.commit()
                return True
            except InsufficientStock:
                own.rollback()
                return False

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(reserve_one, range(clients)))
    session.expire_all()
    assert sum(results) == 5
    assert session.get(StockLevel, (warehouse.id, part.id)).reserved == 5
    assert ledger.ledger_differences(session) == []


# --- min/max restock ---

def test_restock_refills_from_central_then_from_suppliers_and_never_orders_twice(session):
    from inventory import restock

    part, other = make_part(session), make_part(session)
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, at=(31.37, 120.64))
    depot = make_warehouse(session)
    make_supplier(session, parts=[part, other])
    ledger.receive(session, warehouse=central, part=part, quantity=20, actor=CLERK, now=NOW)
    ledger.receive(session, warehouse=depot, part=part, quantity=1, actor=CLERK, now=NOW)
    restock.save_rule(session, warehouse=depot, part=part, min_quantity=3, max_quantity=10, reorder_multiple=4)
    restock.save_rule(session, warehouse=depot, part=other, min_quantity=2, max_quantity=5)
    restock.save_rule(session, warehouse=central, part=other, min_quantity=1, max_quantity=6, auto_create=False)
    summary = restock.run_restock(session, now=NOW)
    by_part = {(p.rule.warehouse_id, p.rule.part_id): p for p in summary.proposals}
    assert (by_part[depot.id, part.id].source, by_part[depot.id, part.id].quantity) == ("transfer", 12)  # 9 → 12
    assert by_part[depot.id, other.id].source == "purchase"  # central has none to spare
    assert len(summary.created) == 2  # the central rule only proposes
    assert "3 below minimum, 2 order(s) created" == str(summary)
    again = restock.run_restock(session, now=NOW)
    assert [p.rule.warehouse_id for p in again.proposals] == [central.id] and again.created == []


@pytest.mark.parametrize("values, field", [((5, 2, 1), "max_quantity"), ((-1, 2, 1), "min_quantity"),
                                           ((1, 2, 0), "reorder_multiple"), ((1.5, 2, 1), "min_quantity")])
def test_a_restock_rule_must_make_sense(session, values, field):
    from inventory import restock

    with pytest.raises(StockError) as error:
        restock.save_rule(session, warehouse=make_warehouse(session), part=make_part(session),
                          min_quantity=values[0], max_quantity=values[1], reorder_multiple=values[2])
    assert error.value.field == field


def test_the_stock_check_command_proves_the_ledger_and_fails_on_a_difference(database_url, session):
    from click.testing import CliRunner
    from sqlalchemy import update

    from cli.commands import main

    part, warehouse = make_part(session), make_warehouse(session)
    ledger.receive(session, warehouse=warehouse, part=part, quantity=4, actor=CLERK, now=NOW)
    session.commit()
    runner = CliRunner(env={"AFTERCARE_DATABASE_URL": database_url})
    result = runner.invoke(main, ["stock", "check"])
    assert (result.exit_code, result.output.strip()) == (0, "stock check ok: 1 levels equal the sums of 1 ledger movements")
    # Someone edits a level behind the ledger's back.
    session.execute(update(StockLevel).values(on_hand=5))
    session.commit()
    result = runner.invoke(main, ["stock", "check"])
    assert result.exit_code == 1 and "level (on hand, reserved, faulty) = (5, 0, 0), ledger says (4, 0, 0)" in result.output


def test_a_part_to_fetch_mid_repair_keeps_the_technician_on_the_case_and_asks_dispatch_for_the_return(session,
                                                                                                      region):
    from core.work_queue import WorkItem
    from dispatch.jobs.work import DISPATCH_JOB

    part, depot = make_part(session), make_warehouse(session, regions=[region])
    ledger.receive(session, warehouse=depot, part=part, quantity=1, actor=CLERK, now=NOW)
    technician = make_technician(session, region=region)
    job = _job(session, region)
    _on_site(session, job, technician)
    job_parts.request_part(session, job=job, part=part, quantity=1, actor=STAFF, now=NOW)
    assert job.status == JobStatus.WAITING_PARTS
    assert job.technician_id == technician.id and job.plan_day is None
    kinds = session.scalars(select(WorkItem.kind).where(WorkItem.payload["job"].as_string() == job.number)).all()
    assert DISPATCH_JOB in kinds


def test_replenishment_runs_as_a_claimed_work_item_queued_once_per_tick(session, engine, settings):
    from cli.worker import RESTOCK, process_queue, request_restock
    from core.clock import FixedClock
    from core.work_queue import WorkItem
    from inventory import restock
    from inventory.models import PurchaseOrder

    part, depot = make_part(session), make_warehouse(session)
    make_supplier(session, parts=[part])
    restock.save_rule(session, warehouse=depot, part=part, min_quantity=2, max_quantity=6)
    assert request_restock(session, now=NOW) is not None
    assert request_restock(session, now=NOW) is None  # a second scheduler's tick while one waits
    session.commit()
    assert process_queue(make_session_factory(engine), settings, FixedClock(NOW), worker="w1") == 1
    session.expire_all()
    item = session.scalars(select(WorkItem).where(WorkItem.kind == RESTOCK)).one()
    assert item.done_at is not None
    order = session.scalars(select(PurchaseOrder)).one()
    assert (order.quantity, order.warehouse_id) == (6, depot.id)
