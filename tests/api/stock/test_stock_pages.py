"""Warehouse pages without a browser: who may open them, CSRF, and refusals that show a readable
message and write nothing."""
from __future__ import annotations

import pytest

from tests.api.stock.test_stock_api import depot, stock_counts  # noqa: F401  (fixtures)
from tests.api.test_pages import csrf_from, sign_in


@pytest.fixture
def clerk_client(client, depot):  # noqa: F811
    assert sign_in(client, "stock.chen").headers["Location"] == "/warehouse"
    return client


def post_form(client, path: str, data: dict, *, page: str | None = None):
    token = csrf_from(client.get(page or path))
    return client.post(path, data={"csrf_token": token, **data})


def test_a_warehouse_clerk_lands_on_the_stock_page_and_sees_low_stock_highlighted(clerk_client):
    post_form(clerk_client, "/warehouse/rules", {"warehouse": "WH-NORTH", "sku": "P-0001", "min_quantity": "5",
                                                 "max_quantity": "10", "reorder_multiple": "1"})
    html = clerk_client.get("/warehouse").get_data(as_text=True)
    assert 'class="low" data-warehouse="WH-NORTH" data-sku="P-0001"' in html
    assert 'class="" data-warehouse="WH-CENTRAL" data-sku="P-0001"' in html
    assert "1 level(s) below their minimum" in html
    zh = clerk_client.get("/warehouse?lang=zh").get_data(as_text=True)
    assert "各仓库配件库存" in zh and "低于最低" in zh


@pytest.mark.parametrize("username, status", [("agent.li", 403), ("tech01", 403), ("manager.xu", 200)])
def test_only_warehouse_staff_and_managers_open_the_warehouse_pages(client, depot, username, status):  # noqa: F811
    sign_in(client, username)
    assert client.get("/warehouse").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/warehouse/receive")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/warehouse/receive", "/warehouse/adjust", "/warehouse/transfers",
                                  "/warehouse/transfers/TR-000001/ship", "/warehouse/rules", "/warehouse/rules/delete"])
def test_every_warehouse_form_refuses_a_post_without_csrf(clerk_client, stock_counts, path):  # noqa: F811
    before = stock_counts()
    assert clerk_client.post(path, data={"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "1"}).status_code == 400
    assert stock_counts() == before


@pytest.mark.parametrize("path, data, message", [
    ("/warehouse/receive", {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "-2"},
     "Enter a whole number of units, from 1 to 100000."),
    ("/warehouse/receive", {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "1.5"},
     "Enter a whole number of units, from 1 to 100000."),
    ("/warehouse/receive", {"warehouse": "WH-SOUTH", "sku": "P-NOPE", "quantity": "2"}, "No part with SKU"),
    ("/warehouse/receive", {"warehouse": "", "sku": "P-0001", "quantity": "2"}, "Choose a warehouse."),
    ("/warehouse/adjust", {"warehouse": "WH-NORTH", "sku": "P-0001", "change": "-1", "reason": ""},
     "Say why the stock is adjusted"),
    ("/warehouse/adjust", {"warehouse": "WH-NORTH", "sku": "P-0001", "change": "-9", "reason": "count"},
     "Not enough P-0001 at WH-NORTH"),
    ("/warehouse/transfers", {"sku": "P-0001", "quantity": "1", "from_warehouse": "WH-NORTH",
                              "to_warehouse": "WH-NORTH"}, "A transfer needs two different warehouses."),
    ("/warehouse/rules", {"warehouse": "WH-NORTH", "sku": "P-0001", "min_quantity": "9", "max_quantity": "2"},
     "Enter the maximum as a whole number, at least the minimum."),
])
def test_bad_input_on_a_page_is_explained_keeps_the_input_and_writes_nothing(clerk_client, stock_counts, path, data,
                                                                             message):  # noqa: F811
    before = stock_counts()
    response = post_form(clerk_client, path, data)
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422), html
    assert message in html and "Nothing was saved" in html and 'aria-invalid="true"' in html
    assert stock_counts() == before


def test_shipping_a_cancelled_transfer_is_refused_on_the_page(clerk_client, stock_counts):  # noqa: F811
    post_form(clerk_client, "/warehouse/transfers", {"sku": "P-0001", "quantity": "2", "from_warehouse": "WH-CENTRAL",
                                                     "to_warehouse": "WH-SOUTH"})
    unconfirmed = post_form(clerk_client, "/warehouse/transfers/TR-000001/cancel", {}, page="/warehouse/transfers")
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    post_form(clerk_client, "/warehouse/transfers/TR-000001/cancel", {"confirm": "yes"}, page="/warehouse/transfers")
    before = stock_counts()
    response = post_form(clerk_client, "/warehouse/transfers/TR-000001/ship", {}, page="/warehouse/transfers")
    assert response.status_code == 409
    assert "Cannot ship TR-000001: it is cancelled" in response.get_data(as_text=True)
    assert stock_counts() == before


def _level_rows(html: str) -> list[tuple[str, str]]:
    import re
    return re.findall(r'data-warehouse="([^"]+)" data-sku="([^"]+)"', html)


def test_the_stock_levels_sort_by_each_column_both_ways_and_keep_the_sort_across_pages(clerk_client):
    post_form(clerk_client, "/warehouse/rules", {"warehouse": "WH-NORTH", "sku": "P-0001", "min_quantity": "9",
                                                 "max_quantity": "12", "reorder_multiple": "1"})
    assert _level_rows(clerk_client.get("/warehouse").get_data(as_text=True)) == [
        ("WH-CENTRAL", "P-0001"), ("WH-CENTRAL", "P-0099"), ("WH-NORTH", "P-0001")]
    assert _level_rows(clerk_client.get("/warehouse?sort=part").get_data(as_text=True)) == [
        ("WH-CENTRAL", "P-0001"), ("WH-NORTH", "P-0001"), ("WH-CENTRAL", "P-0099")]
    assert _level_rows(clerk_client.get("/warehouse?sort=available&dir=desc").get_data(as_text=True)) == [
        ("WH-CENTRAL", "P-0001"), ("WH-NORTH", "P-0001"), ("WH-CENTRAL", "P-0099")]
    assert _level_rows(clerk_client.get("/warehouse?sort=available").get_data(as_text=True)) == [
        ("WH-CENTRAL", "P-0099"), ("WH-NORTH", "P-0001"), ("WH-CENTRAL", "P-0001")]
    # The biggest shortfall first; levels without a rule last whichever way.
    for direction in ("desc", "asc"):
        rows = _level_rows(clerk_client.get(f"/warehouse?sort=shortfall&dir={direction}").get_data(as_text=True))
        assert rows[0] == ("WH-NORTH", "P-0001")
    html = clerk_client.get("/warehouse?sort=on_hand&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and 'href="/warehouse?sort=on_hand&amp;dir=asc"' in html


@pytest.mark.parametrize("query", ["sort=price", "sort=on_hand&dir=sideways", "sort=%00", "sort=" + "x" * 5000])
def test_an_unknown_sort_of_the_stock_levels_is_a_message(clerk_client, query):
    page = clerk_client.get(f"/warehouse?{query}")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'role="alert"' in text or "cannot be accepted: sort" in text  # NUL: refused before the page
