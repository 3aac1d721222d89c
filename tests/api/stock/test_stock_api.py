"""The stock API over real requests: levels, the ledger, receipts, adjustments, transfers, purchase
orders, restock rules, the emergency queue and parts for jobs — and every refusal changing nothing."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.idempotency import IdempotentRequest
from core.users import Role
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, Escalation, Job
from inventory import ledger
from inventory.models import (
    JobPart,
    Part,
    PurchaseOrder,
    RestockRule,
    StockMovement,
    Transfer,
    Warehouse,
    WarehouseKind,
)
from tests.api.conftest import assert_error_shape
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Depot:
    central: Warehouse
    north: Warehouse
    south: Warehouse
    part: Part
    rare: Part
    region: object
    technician: object
    other_technician: object


@pytest.fixture
def depot(session) -> Depot:
    region = make_region(session)
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, code="WH-CENTRAL", at=(31.37, 120.64))
    north = make_warehouse(session, code="WH-NORTH", regions=[region], at=(31.33, 120.615))
    south = make_warehouse(session, code="WH-SOUTH", at=(31.29, 120.625))
    part, rare = make_part(session, sku="P-0001"), make_part(session, sku="P-0099")
    make_supplier(session, parts=[part, rare], expedited_hours=20)
    ledger.receive(session, warehouse=central, part=part, quantity=20, actor="setup", now=NOW)
    ledger.receive(session, warehouse=central, part=rare, quantity=3, actor="setup", now=NOW)
    ledger.receive(session, warehouse=north, part=part, quantity=4, actor="setup", now=NOW)
    for username, role in (("stock.chen", Role.WAREHOUSE), ("manager.xu", Role.MANAGER), ("agent.li", Role.AGENT),
                           ("dispatch.zhou", Role.DISPATCHER)):
        make_user(session, username=username, role=role)
    technician = make_technician(session, region=region, username="tech01")
    other = make_technician(session, region=region, username="tech02")
    session.commit()
    return Depot(central, north, south, part, rare, region, technician, other)


@pytest.fixture
def clerk(token_for, depot):
    return token_for("stock.chen")


@pytest.fixture
def stock_counts(session):
    """Rows a stock request could write; compare before and after a refused request."""

    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (StockMovement, Transfer, PurchaseOrder, RestockRule, JobPart, IdempotentRequest,
                                 Escalation)}
        session.rollback()
        return counted

    return snapshot


def levels(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/stock/levels", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def level_of(client, headers, warehouse: str, sku: str) -> tuple[int, int]:
    rows = levels(client, headers, warehouse=warehouse, sku=sku)
    return (rows[0]["on_hand"], rows[0]["reserved"]) if rows else (0, 0)


def open_job(session, depot, *, technician=None) -> Job:
    asset = make_asset(session, region=depot.region, at=(31.31, 120.62))
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                          "13800000000")).job
    if technician is not None:
        job.technician, job.technician_id = technician, technician.id
    session.commit()
    return job


# --- levels and the ledger ---

def test_goods_received_show_in_the_levels_the_part_view_and_the_ledger(client, clerk, depot):
    response = client.post("/api/v1/stock/receipts", headers=clerk,
                           json={"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": 6, "reason": "delivery 118"})
    assert response.status_code == 201, response.json
    assert response.json["movement"]["kind"] == "receipt" and response.json["movement"]["actor"] == "stock.chen"
    assert level_of(client, clerk, "WH-SOUTH", "P-0001") == (6, 0)
    part = client.get("/api/v1/parts/P-0001/stock", headers=clerk).json
    assert {row["warehouse"]: row["on_hand"] for row in part["levels"]} == {"WH-CENTRAL": 20, "WH-NORTH": 4,
                                                                           "WH-SOUTH": 6}
    assert part["total_on_hand"] == 30
    ledger_rows = client.get("/api/v1/stock/movements?warehouse=WH-SOUTH", headers=clerk).json
    assert [(m["kind"], m["quantity"], m["reason"]) for m in ledger_rows] == [("receipt", 6, "delivery 118")]


def test_levels_are_paginated_and_low_stock_means_below_the_rules_minimum(client, clerk, depot):
    assert client.put("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk,
                      json={"min_quantity": 5, "max_quantity": 12}).status_code == 200
    # A rule for a part never received there is low stock too.
    assert client.put("/api/v1/restock-rules/WH-SOUTH/P-0099", headers=clerk,
                      json={"min_quantity": 1, "max_quantity": 2}).status_code == 200
    assert client.put("/api/v1/restock-rules/WH-CENTRAL/P-0001", headers=clerk,
                      json={"min_quantity": 5, "max_quantity": 40}).status_code == 200
    low = levels(client, clerk, low="true")
    assert [(r["warehouse"], r["sku"], r["available"], r["min_quantity"], r["low"]) for r in low] == [
        ("WH-NORTH", "P-0001", 4, 5, True), ("WH-SOUTH", "P-0099", 0, 1, True)]
    page = client.get("/api/v1/stock/levels?page=1&page_size=2", headers=clerk)
    assert len(page.json) == 2 and '"total": 4' in page.headers["X-Pagination"]


def test_bad_stock_queries_are_422(client, clerk):
    assert_error_shape(client.get("/api/v1/stock/levels?warehouse=NOPE", headers=clerk), 422, location="query",
                       field="warehouse")
    assert_error_shape(client.get("/api/v1/stock/movements?sku=NOPE", headers=clerk), 422, location="query",
                       field="sku")
    assert_error_shape(client.get("/api/v1/stock/levels?low=perhaps", headers=clerk), 422, location="query",
                       field="low")
    assert_error_shape(client.get("/api/v1/parts/NOPE/stock", headers=clerk), 404)


@pytest.mark.parametrize("body, field", [
    ({"quantity": -3}, "quantity"), ({"quantity": 0}, "quantity"), ({"quantity": 1.5}, "quantity"),
    ({"quantity": "2"}, "quantity"), ({"quantity": True}, "quantity"), ({"quantity": 10**7}, "quantity"),
    ({"sku": "P-NOPE"}, "sku"), ({"warehouse": "WH-NOPE"}, "warehouse"), ({"sku": None}, "sku"),
    ({"purchase_order": "PO-999999"}, "purchase_order"), ({"purchase_order": "TR-000001"}, "purchase_order"),
])
def test_a_bad_receipt_is_refused_with_the_field_and_writes_nothing(client, clerk, stock_counts, body, field):
    before = stock_counts()
    request = {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": 2, **body}
    assert_error_shape(client.post("/api/v1/stock/receipts", json=request, headers=clerk), 422, field=field)
    assert stock_counts() == before


def test_an_adjustment_needs_a_reason_and_cannot_take_stock_below_zero(client, clerk, stock_counts):
    before = stock_counts()
    for body, code, field in [({"change": -1}, 422, "reason"), ({"change": -1, "reason": "  "}, 422, "reason"),
                              ({"change": 0, "reason": "recount"}, 422, "change"),
                              ({"change": 2.5, "reason": "recount"}, 422, "change"),
                              ({"change": -5, "reason": "count found 5 fewer"}, 409, "quantity")]:
        response = client.post("/api/v1/stock/adjustments", headers=clerk,
                               json={"warehouse": "WH-NORTH", "sku": "P-0001", **body})
        assert_error_shape(response, code, field=field)
    assert stock_counts() == before
    done = client.post("/api/v1/stock/adjustments", headers=clerk,
                       json={"warehouse": "WH-NORTH", "sku": "P-0001", "change": -1, "reason": "dropped, broken"})
    assert done.status_code == 201 and done.json["on_hand_delta"] == -1 and done.json["reason"] == "dropped, broken"
    assert level_of(client, clerk, "WH-NORTH", "P-0001") == (3, 0)


def test_a_retried_receipt_with_the_same_idempotency_key_is_received_once(client, clerk, stock_counts):
    before = stock_counts()["StockMovement"]
    body = {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": 2}
    headers = {**clerk, "Idempotency-Key": "receipt-7781"}
    first = client.post("/api/v1/stock/receipts", json=body, headers=headers)
    again = client.post("/api/v1/stock/receipts", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and stock_counts()["StockMovement"] == before + 1
    other = client.post("/api/v1/stock/receipts", json={**body, "quantity": 3}, headers=headers)
    assert_error_shape(other, 422, location="headers", field="Idempotency-Key")


# --- transfers ---

def test_a_transfer_is_requested_shipped_and_received_with_the_stock_following(client, clerk, depot):
    created = client.post("/api/v1/transfers", headers=clerk,
                          json={"sku": "P-0001", "quantity": 5, "from_warehouse": "WH-CENTRAL",
                                "to_warehouse": "WH-SOUTH", "reason": "south is short"})
    assert created.status_code == 201, created.json
    number = created.json["number"]
    assert created.json["status"] == "requested" and level_of(client, clerk, "WH-CENTRAL", "P-0001") == (20, 5)
    assert client.post(f"/api/v1/transfers/{number}/ship", headers=clerk).json["status"] == "shipped"
    assert level_of(client, clerk, "WH-CENTRAL", "P-0001") == (15, 0)
    received = client.post(f"/api/v1/transfers/{number}/receive", json={"quantity": 4}, headers=clerk)
    assert received.json["status"] == "received" and received.json["received_quantity"] == 4
    assert level_of(client, clerk, "WH-SOUTH", "P-0001") == (4, 0)
    listed = client.get("/api/v1/transfers?status=received&warehouse=WH-SOUTH", headers=clerk).json
    assert [t["number"] for t in listed] == [number]
    assert client.get(f"/api/v1/transfers/{number}", headers=clerk).json["to_warehouse"] == "WH-SOUTH"


def test_bad_transfers_are_refused_and_change_nothing(client, clerk, stock_counts, depot):
    base = {"sku": "P-0001", "quantity": 2, "from_warehouse": "WH-CENTRAL", "to_warehouse": "WH-SOUTH"}
    before = stock_counts()
    for body, code, field in [({"to_warehouse": "WH-CENTRAL"}, 422, "to_warehouse"),
                              ({"to_warehouse": "WH-NOPE"}, 422, "to_warehouse"),
                              ({"from_warehouse": "WH-NOPE"}, 422, "from_warehouse"),
                              ({"quantity": -2}, 422, "quantity"), ({"quantity": 0.5}, 422, "quantity"),
                              ({"quantity": 21}, 409, "quantity")]:
        assert_error_shape(client.post("/api/v1/transfers", json={**base, **body}, headers=clerk), code, field=field)
    assert stock_counts() == before
    assert_error_shape(client.post("/api/v1/transfers/TR-424242/ship", headers=clerk), 404)
    assert_error_shape(client.post("/api/v1/transfers/garbage/ship", headers=clerk), 404)

    number = client.post("/api/v1/transfers", json=base, headers=clerk).json["number"]
    assert_error_shape(client.post(f"/api/v1/transfers/{number}/receive", json={}, headers=clerk), 409,
                       field="status")  # not shipped yet
    client.post(f"/api/v1/transfers/{number}/ship", headers=clerk)
    before = stock_counts()
    assert_error_shape(client.post(f"/api/v1/transfers/{number}/receive", json={"quantity": 3}, headers=clerk), 422,
                       field="quantity")  # more than shipped
    assert_error_shape(client.post(f"/api/v1/transfers/{number}/cancel", headers=clerk), 409, field="status")
    assert stock_counts() == before and level_of(client, clerk, "WH-SOUTH", "P-0001") == (0, 0)

    cancelled = client.post("/api/v1/transfers", json=base, headers=clerk).json["number"]
    assert client.post(f"/api/v1/transfers/{cancelled}/cancel", headers=clerk).json["status"] == "cancelled"
    before = stock_counts()
    assert_error_shape(client.post(f"/api/v1/transfers/{cancelled}/ship", headers=clerk), 409, field="status")
    assert stock_counts() == before and level_of(client, clerk, "WH-CENTRAL", "P-0001") == (18, 0)


# --- purchase orders ---

def test_a_purchase_order_is_received_at_the_door_by_its_number(client, clerk, stock_counts, depot):
    created = client.post("/api/v1/purchase-orders", headers=clerk,
                          json={"sku": "P-0099", "quantity": 3, "warehouse": "WH-SOUTH"})
    assert created.status_code == 201 and created.json["supplier"].startswith("SUP-")
    number = created.json["number"]
    shipped = client.post(f"/api/v1/purchase-orders/{number}/ship", json={"expected_at": "2026-11-25T08:00:00Z"},
                          headers=clerk)
    assert shipped.json["status"] == "shipped" and shipped.json["expected_at"].startswith("2026-11-25T08:00")
    before = stock_counts()
    wrong = client.post("/api/v1/stock/receipts", headers=clerk,
                        json={"warehouse": "WH-NORTH", "sku": "P-0099", "quantity": 3, "purchase_order": number})
    assert_error_shape(wrong, 422, field="purchase_order")
    too_many = client.post("/api/v1/stock/receipts", headers=clerk,
                           json={"warehouse": "WH-SOUTH", "sku": "P-0099", "quantity": 4, "purchase_order": number})
    assert_error_shape(too_many, 422, field="quantity")
    assert stock_counts() == before
    received = client.post("/api/v1/stock/receipts", headers=clerk,
                           json={"warehouse": "WH-SOUTH", "sku": "P-0099", "quantity": 3, "purchase_order": number})
    assert received.status_code == 201 and received.json["purchase_order"]["status"] == "received"
    assert level_of(client, clerk, "WH-SOUTH", "P-0099") == (3, 0)
    assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/cancel", headers=clerk), 409, field="status")


def test_bad_purchase_orders_are_refused(client, clerk, stock_counts, depot):
    van = client.application.extensions["aftercare"].session_factory()
    van.add(Warehouse(code="VAN-01", name="Van", kind=WarehouseKind.VAN))
    van.commit()
    van.close()
    before = stock_counts()
    base = {"sku": "P-0001", "quantity": 2, "warehouse": "WH-SOUTH"}
    for body, field in [({"warehouse": "VAN-01"}, "warehouse"), ({"supplier": "SUP-NOPE"}, "supplier"),
                        ({"quantity": -1}, "quantity"), ({"sku": "P-NOPE"}, "sku")]:
        assert_error_shape(client.post("/api/v1/purchase-orders", json={**base, **body}, headers=clerk), 422,
                           field=field)
    assert stock_counts() == before
    number = client.post("/api/v1/purchase-orders", json=base, headers=clerk).json["number"]
    assert client.post(f"/api/v1/purchase-orders/{number}/cancel", headers=clerk).json["status"] == "cancelled"
    assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/receive", json={}, headers=clerk), 409,
                       field="status")
    assert_error_shape(client.post("/api/v1/purchase-orders/PO-999999/receive", json={}, headers=clerk), 404)


# --- restock ---

def test_restock_rules_are_put_listed_run_and_deleted(client, clerk, stock_counts, depot):
    put = client.put("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk,
                     json={"min_quantity": 6, "max_quantity": 10, "reorder_multiple": 2})
    assert put.status_code == 200 and put.json["reorder_multiple"] == 2
    assert [r["sku"] for r in client.get("/api/v1/restock-rules?warehouse=WH-NORTH", headers=clerk).json] == ["P-0001"]
    run = client.post("/api/v1/restock/runs", headers=clerk)
    assert run.status_code == 200 and run.json["summary"] == "1 below minimum, 1 order(s) created"
    assert run.json["proposals"][0]["source"] == "transfer" and run.json["proposals"][0]["quantity"] == 6
    assert run.json["created"][0].startswith("TR-")
    assert client.delete("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk).status_code == 204
    assert_error_shape(client.delete("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk), 404)
    before = stock_counts()
    for body, field in [({"min_quantity": 5, "max_quantity": 2}, "max_quantity"),
                        ({"min_quantity": -1, "max_quantity": 2}, "min_quantity"),
                        ({"min_quantity": 1, "max_quantity": 2, "reorder_multiple": 0}, "reorder_multiple"),
                        ({"min_quantity": 1.5, "max_quantity": 2}, "min_quantity")]:
        assert_error_shape(client.put("/api/v1/restock-rules/WH-NORTH/P-0001", json=body, headers=clerk), 422,
                           field=field)
    assert_error_shape(client.put("/api/v1/restock-rules/WH-NOPE/P-0001", json={"min_quantity": 1, "max_quantity": 2},
                                  headers=clerk), 404)
    assert stock_counts() == before


# --- parts for jobs and the emergency queue ---

def test_a_part_missing_nearby_is_transferred_in_queued_and_reserved_for_the_job_on_arrival(
        client, session, clerk, token_for, depot):
    job = open_job(session, depot)
    agent = token_for("agent.li")
    asked = client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0099", "quantity": 1}, headers=agent)
    assert asked.status_code == 201, asked.json
    assert asked.json["line"]["state"] == "awaiting" and asked.json["keeps_deadline"] is True
    transfer = asked.json["line"]["transfer"]
    queue = client.get("/api/v1/stock/emergencies", headers=clerk).json
    assert [(o["number"], o["job"], o["sku"], o["source"], o["destination"], o["late"]) for o in queue["orders"]] == [
        (transfer, job.number, "P-0099", "WH-CENTRAL", "WH-NORTH", False)]
    assert "in time for the repair deadline" in queue["orders"][0]["reason"] and queue["orders"][0]["expected_at"]

    client.post(f"/api/v1/transfers/{transfer}/ship", headers=clerk)
    assert client.post(f"/api/v1/transfers/{transfer}/receive", json={}, headers=clerk).status_code == 200
    lines = client.get(f"/api/v1/jobs/{job.number}/parts", headers=agent).json
    assert [(line["sku"], line["state"], line["warehouse"]) for line in lines] == [("P-0099", "reserved", "WH-NORTH")]
    assert level_of(client, clerk, "WH-NORTH", "P-0099") == (1, 1)
    assert client.get("/api/v1/stock/emergencies", headers=clerk).json["orders"] == []


def test_a_part_no_one_can_bring_in_time_is_escalated_into_the_queue(client, session, clerk, token_for, depot):
    job = open_job(session, depot)
    job.repair_by = NOW  # already due: nothing arrives in time
    session.commit()
    asked = client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0099", "quantity": 1},
                        headers=token_for("dispatch.zhou"))
    assert asked.status_code == 201 and asked.json["escalated"] is True
    queue = client.get("/api/v1/stock/emergencies", headers=clerk).json
    assert queue["orders"][0]["late"] is True
    assert [(e["job"], e["kind"]) for e in queue["escalations"]] == [(job.number, "parts_late")]


def test_a_technician_asks_for_parts_only_for_their_own_jobs(client, session, token_for, depot, stock_counts):
    own, other = open_job(session, depot, technician=depot.technician), open_job(session, depot)
    tech = token_for("tech01")
    before = stock_counts()
    asked = client.post(f"/api/v1/jobs/{other.number}/parts", json={"sku": "P-0001", "quantity": 1}, headers=tech)
    looked = client.get(f"/api/v1/jobs/{other.number}/parts", headers=tech)
    missing = client.get("/api/v1/jobs/J-NO-SUCH/parts", headers=tech)
    for response in (asked, looked, missing):
        assert_error_shape(response, 404)
    # The same answer as for a job that does not exist, but for the number itself.
    assert looked.json["message"].replace(other.number, "N") == missing.json["message"].replace("J-NO-SUCH", "N")
    assert stock_counts() == before
    mine = client.post(f"/api/v1/jobs/{own.number}/parts", json={"sku": "P-0001", "quantity": 1}, headers=tech)
    assert mine.status_code == 201 and mine.json["line"]["state"] == "reserved"
    assert mine.json["line"]["warehouse"] == "WH-NORTH"


def test_bad_part_requests_are_refused_and_change_nothing(client, session, token_for, depot, stock_counts):
    job = open_job(session, depot)
    agent = token_for("agent.li")
    before = stock_counts()
    for body, field in [({"sku": "P-NOPE", "quantity": 1}, "sku"), ({"sku": "P-0001", "quantity": 0}, "quantity"),
                        ({"sku": "P-0001", "quantity": 1.5}, "quantity"), ({"sku": "P-0001"}, "quantity")]:
        assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/parts", json=body, headers=agent), 422,
                           field=field)
    assert_error_shape(client.post("/api/v1/jobs/AC-NOPE0000/parts", json={"sku": "P-0001", "quantity": 1},
                                   headers=agent), 404)
    assert stock_counts() == before


# --- who may do what ---

@pytest.mark.parametrize("username, method, path, body", [
    ("agent.li", "post", "/api/v1/stock/receipts", {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": 1}),
    ("tech01", "post", "/api/v1/stock/adjustments",
     {"warehouse": "WH-NORTH", "sku": "P-0001", "change": 1, "reason": "found one"}),
    ("dispatch.zhou", "post", "/api/v1/transfers",
     {"sku": "P-0001", "quantity": 1, "from_warehouse": "WH-CENTRAL", "to_warehouse": "WH-SOUTH"}),
    ("agent.li", "put", "/api/v1/restock-rules/WH-NORTH/P-0001", {"min_quantity": 1, "max_quantity": 2}),
    ("tech01", "post", "/api/v1/restock/runs", None),
    ("stock.chen", "post", "/api/v1/jobs/AC-00000000/parts", {"sku": "P-0001", "quantity": 1}),
])
def test_roles_without_the_right_are_refused_and_nothing_changes(client, token_for, depot, stock_counts, username,
                                                                 method, path, body):
    before = stock_counts()
    response = getattr(client, method)(path, json=body, headers=token_for(username))
    assert_error_shape(response, 403)
    assert stock_counts() == before


def test_reading_stock_is_open_to_staff_but_not_to_strangers(client, token_for, depot):
    for username in ("agent.li", "dispatch.zhou", "tech01", "manager.xu"):
        assert client.get("/api/v1/stock/levels", headers=token_for(username)).status_code == 200
    assert_error_shape(client.get("/api/v1/stock/levels"), 401)
    assert_error_shape(client.post("/api/v1/stock/receipts", json={}), 401)
    manager = token_for("manager.xu")
    assert client.post("/api/v1/stock/receipts", headers=manager,
                       json={"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": 1}).status_code == 201
