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
