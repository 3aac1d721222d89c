"""The purchase approval limit is a setting (AFTERCARE_PURCHASE_APPROVAL_LIMIT) the stock API follows."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from core.settings import Settings
from tests.api.stock.test_stock_api import clerk, depot  # noqa: F401 (fixtures)


@pytest.fixture
def settings(settings):
    return replace(settings, purchase_approval_limit=Decimal("100.00"))


def test_the_api_holds_orders_above_the_configured_limit(client, clerk, depot):
    created = client.post("/api/v1/purchase-orders", headers=clerk,
                          json={"sku": "P-0001", "quantity": 1, "warehouse": "WH-NORTH"})  # 100.00: at the limit
    assert created.status_code == 201 and created.json["status"] == "requested", created.json
    above = client.post("/api/v1/purchase-orders", headers=clerk,
                        json={"sku": "P-0001", "quantity": 2, "warehouse": "WH-NORTH"})
    assert above.json["status"] == "pending_approval", above.json


def test_the_limit_is_read_from_the_environment():
    assert Settings.from_env({}).purchase_approval_limit == Decimal("5000.00")
    assert Settings.from_env({"AFTERCARE_PURCHASE_APPROVAL_LIMIT": "1200.50"}).purchase_approval_limit == \
        Decimal("1200.50")
    for wrong in ("-1", "lots", "NaN"):
        with pytest.raises(ValueError, match="AFTERCARE_PURCHASE_APPROVAL_LIMIT"):
            Settings.from_env({"AFTERCARE_PURCHASE_APPROVAL_LIMIT": wrong})
