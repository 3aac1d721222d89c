"""Hardening of the parts API: a job's part request is bounded, an expensive purchase order waits for a
manager's approval, and a cancelled order a job waits for is sourced again."""
from __future__ import annotations

from tests.api.conftest import assert_error_shape
from tests.api.stock.test_stock_api import clerk, depot, open_job, stock_counts  # noqa: F401 (fixtures)


def test_a_job_cannot_ask_for_more_units_than_a_repair_needs(client, session, token_for, depot, stock_counts):
    job = open_job(session, depot)
    agent = token_for("agent.li")
    before = stock_counts()
    for quantity in (100_000, 51):
        assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0099", "quantity": quantity},
                                       headers=agent), 422, field="quantity")
    assert stock_counts() == before
    assert client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0001", "quantity": 2},
                       headers=agent).status_code == 201


def test_an_expensive_purchase_order_waits_for_a_managers_approval(client, session, clerk, token_for, depot):
    # The depot's supplier sells at 100.00 with an 80.00 expedite fee: 60 units are 6000.00, above 5000.00.
    created = client.post("/api/v1/purchase-orders", headers=clerk,
                          json={"sku": "P-0001", "quantity": 60, "warehouse": "WH-NORTH"})
    assert created.status_code == 201, created.json
    order = created.json
    assert order["status"] == "pending_approval" and "waits for a manager's approval" in order["reason"]
    number = order["number"]
    assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/ship", json={}, headers=clerk), 409)
    assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/receive", json={}, headers=clerk), 409)
    assert_error_shape(client.post("/api/v1/stock/receipts", headers=clerk, json={
        "warehouse": "WH-NORTH", "sku": "P-0001", "quantity": 60, "purchase_order": number}), 409)
    for username in ("stock.chen", "agent.li", "dispatch.zhou"):
        assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/approve", headers=token_for(username)), 403)
    listed = client.get("/api/v1/purchase-orders", query_string={"status": "pending_approval"}, headers=clerk)
    assert [o["number"] for o in listed.json] == [number]

    approved = client.post(f"/api/v1/purchase-orders/{number}/approve", headers=token_for("manager.xu"))
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "requested" and approved.json["approved_by"] == "manager.xu"
    assert approved.json["approved_at"]
    assert_error_shape(client.post(f"/api/v1/purchase-orders/{number}/approve", headers=token_for("manager.xu")),
                       409)
    assert client.post(f"/api/v1/purchase-orders/{number}/receive", json={}, headers=clerk).status_code == 200


def test_a_declined_order_is_cancelled_with_who_and_why(client, session, clerk, token_for, depot):
    number = client.post("/api/v1/purchase-orders", headers=clerk,
                         json={"sku": "P-0001", "quantity": 60, "warehouse": "WH-NORTH"}).json["number"]
    declined = client.post(f"/api/v1/purchase-orders/{number}/decline", json={"reason": "order fewer"},
                           headers=token_for("manager.xu"))
    assert declined.status_code == 200, declined.json
    assert (declined.json["status"], declined.json["declined_by"]) == ("cancelled", "manager.xu")
    assert "order fewer" in declined.json["reason"]


def test_a_cancelled_emergency_transfer_is_replaced_for_the_job(client, session, clerk, token_for, depot):
    job = open_job(session, depot)
    agent = token_for("agent.li")
    asked = client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0099", "quantity": 1}, headers=agent)
    transfer = asked.json["line"]["transfer"]
    assert transfer and asked.json["line"]["state"] == "awaiting"

    assert client.post(f"/api/v1/transfers/{transfer}/cancel", headers=clerk).status_code == 200

    [line] = client.get(f"/api/v1/jobs/{job.number}/parts", headers=agent).json
    # The only other holder of P-0099 was the cancelled source: the supplier is asked instead.
    assert line["state"] == "awaiting" and line["transfer"] is None and line["purchase_order"]
    assert transfer in line["note"]
    queue = client.get("/api/v1/stock/emergencies", headers=clerk).json
    assert [o["number"] for o in queue["orders"]] == [line["purchase_order"]]
    session.expire_all()
    assert session.get(type(job), job.id).status == "waiting_parts"


def test_a_cancelled_emergency_purchase_order_nothing_can_replace_escalates_the_job(client, session, clerk, token_for,
                                                                                   depot):
    job = open_job(session, depot)
    agent = token_for("agent.li")
    ledger_free = client.post("/api/v1/stock/adjustments", headers=clerk, json={
        "warehouse": "WH-CENTRAL", "sku": "P-0099", "change": -3, "reason": "all three found broken"})
    assert ledger_free.status_code == 201
    asked = client.post(f"/api/v1/jobs/{job.number}/parts", json={"sku": "P-0099", "quantity": 1}, headers=agent)
    order = asked.json["line"]["purchase_order"]
    assert order

    assert client.post(f"/api/v1/purchase-orders/{order}/cancel", headers=clerk).status_code == 200

    [line] = client.get(f"/api/v1/jobs/{job.number}/parts", headers=agent).json
    assert line["state"] == "awaiting" and line["purchase_order"] is None
    queue = client.get("/api/v1/stock/emergencies", headers=clerk).json
    assert [(e["job"], e["kind"]) for e in queue["escalations"]] == [(job.number, "parts_late")]
