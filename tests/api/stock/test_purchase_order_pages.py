"""The purchase orders page without a browser: a compact list sorted and filtered by the query string (only
known keys), an order created from the form, shipped, received and cancelled (after a confirmation) on its
row, approval for a manager only, and every refusal a readable message that writes nothing."""
# The fixtures imported from the stock tests are parameters here, which pyflakes reads as redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from inventory import orders
from inventory.models import PurchaseOrder, StockLevel, Supplier
from tests.api.stock.test_stock_api import depot, open_job, stock_counts  # noqa: F401  (fixtures)
from tests.api.stock.test_stock_pages import clerk_client, post_form  # noqa: F401  (fixtures)
from tests.api.test_pages import sign_in
from tests.builders.inventory import make_supplier
from tests.conftest import NOW

PAGE = "/warehouse/purchase-orders"


def numbers(html: str) -> list[str]:
    """The order numbers of the list, top to bottom."""
    return re.findall(r'<tr data-number="(PO-\d+)"', html)


def place(session, depot, *, quantity=1, supplier=None, expected_in=None, status=None, emergency_for=None):
    order = orders.create_purchase_order(session, part=depot.part, quantity=quantity, warehouse=depot.north,
                                         now=NOW, supplier=supplier, approval_limit=None,
                                         emergency=emergency_for is not None,
                                         job_id=emergency_for.id if emergency_for is not None else None)
    if expected_in is not None:
        order.expected_at = NOW + expected_in
    if status is not None:
        order.status = status
    session.commit()
    return order.number


@pytest.fixture
def three_orders(session, depot):
    """PO-000001 from the depot's supplier due last; PO-000002 from a second supplier due first;
    PO-000003 shipped, due in between."""
    first = session.scalar(select(Supplier).order_by(Supplier.id))
    second = make_supplier(session, parts=[depot.part])
    second.code = "ZZ-SUP"
    session.commit()
    return [place(session, depot, supplier=first, expected_in=timedelta(days=5)),
            place(session, depot, supplier=second, expected_in=timedelta(days=1)),
            place(session, depot, supplier=first, expected_in=timedelta(days=3), status="shipped")]


def test_the_list_is_newest_first_and_sorts_by_each_column_both_ways(clerk_client, three_orders):
    assert numbers(clerk_client.get(PAGE).get_data(as_text=True)) == ["PO-000003", "PO-000002", "PO-000001"]
    assert numbers(clerk_client.get(f"{PAGE}?sort=due").get_data(as_text=True)) == ["PO-000002", "PO-000003",
                                                                                    "PO-000001"]
    assert numbers(clerk_client.get(f"{PAGE}?sort=due&dir=desc").get_data(as_text=True)) == [
        "PO-000001", "PO-000003", "PO-000002"]
    assert numbers(clerk_client.get(f"{PAGE}?sort=supplier&dir=desc").get_data(as_text=True))[0] == "PO-000002"
    assert numbers(clerk_client.get(f"{PAGE}?sort=state").get_data(as_text=True))[-1] == "PO-000003"
    html = clerk_client.get(f"{PAGE}?sort=due").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=due&amp;dir=desc" in html  # the header turns it round


def test_the_list_filters_by_state(clerk_client, three_orders):
    assert numbers(clerk_client.get(f"{PAGE}?state=shipped").get_data(as_text=True)) == ["PO-000003"]
    assert numbers(clerk_client.get(f"{PAGE}?state=requested").get_data(as_text=True)) == ["PO-000002", "PO-000001"]
    assert numbers(clerk_client.get(f"{PAGE}?state=open").get_data(as_text=True)) == ["PO-000003", "PO-000002",
                                                                                      "PO-000001"]
    assert numbers(clerk_client.get(f"{PAGE}?state=received").get_data(as_text=True)) == []


@pytest.mark.parametrize("query, message", [
    ("sort=price;drop table", "cannot be sorted by price;drop table"),
    ("sort=due&dir=sideways", "Sort up (asc) or down (desc)."),
    ("state=" + "x" * 500, "There is no order state " + "x" * 20),
])
def test_an_unknown_sort_or_state_is_named_and_the_default_list_is_shown(clerk_client, three_orders, query,
                                                                         message):
    response = clerk_client.get(f"{PAGE}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert len(numbers(html)) == 3


def test_an_open_emergency_is_pinned_above_routine_orders_with_its_deadline_in_local_time(
        clerk_client, session, depot, three_orders):
    job = open_job(session, depot)
    number = place(session, depot, emergency_for=job, expected_in=timedelta(days=9))
    html = clerk_client.get(f"{PAGE}?sort=due").get_data(as_text=True)
    assert numbers(html)[0] == number
    row = html[html.index(f'<tr data-number="{number}"'):].split("</tr>")[0]
    local = (job.repair_by + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai, the test region
    assert "Emergency" in row and local in row and 'name="ship"' in row
    levels = clerk_client.get("/warehouse").get_data(as_text=True)
    pinned = levels[levels.index('data-testid="pinned-emergencies"'):levels.index('data-testid="stock-levels"')]
    assert number in pinned and job.number in pinned and local in pinned and 'name="ship"' in pinned


def test_a_clerk_places_ships_and_receives_an_order_and_the_stock_follows(clerk_client, session, depot):
    created = post_form(clerk_client, PAGE, {"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "4",
                                             "reason": "spring stock"})
    assert created.status_code == 303
    page = clerk_client.get(PAGE).get_data(as_text=True)
    assert "Purchase order PO-000001 placed with" in page and numbers(page) == ["PO-000001"]
    assert post_form(clerk_client, f"{PAGE}/PO-000001/ship", {}, page=PAGE).status_code == 303
    assert post_form(clerk_client, f"{PAGE}/PO-000001/receive", {"quantity": "4"}, page=PAGE).status_code == 303
    order = session.scalar(select(PurchaseOrder))
    session.refresh(order)
    assert order.status == "received" and order.received_quantity == 4
    level = session.scalar(select(StockLevel).where(StockLevel.warehouse_id == depot.south.id))
    assert level.on_hand == 4
    zh = clerk_client.get(f"{PAGE}?lang=zh").get_data(as_text=True)
    assert "采购单" in zh and "已收货" in zh


def test_cancelling_asks_for_the_confirmation_first(clerk_client, session, depot, stock_counts):
    number = place(session, depot)
    before = stock_counts()
    unconfirmed = post_form(clerk_client, f"{PAGE}/{number}/cancel", {}, page=PAGE)
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert stock_counts() == before
    assert session.scalar(select(PurchaseOrder.status)) == "requested"
    confirmed = post_form(clerk_client, f"{PAGE}/{number}/cancel?sort=due", {"confirm": "yes"}, page=PAGE)
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("sort=due")
    session.rollback()
    assert session.scalar(select(PurchaseOrder.status)) == "cancelled"


@pytest.mark.parametrize("data, field, message", [
    ({"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "0"}, "quantity", "from 1 to 100000"),
    ({"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "100001"}, "quantity", "from 1 to 100000"),
    ({"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "2.5"}, "quantity", "from 1 to 100000"),
    ({"warehouse": "", "sku": "P-0001", "quantity": "2"}, "warehouse", "Choose a warehouse."),
    ({"warehouse": "WH-SOUTH", "sku": "P-NOPE", "quantity": "2"}, "sku", "No part with SKU"),
    ({"warehouse": "WH-SOUTH", "sku": "P" * 41, "quantity": "2"}, "sku", "Enter the part&#39;s SKU."),
    ({"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "2", "supplier": "NOBODY"}, "supplier", "No supplier"),
    ({"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "2", "reason": "x" * 2001}, "reason",
     "Keep the note under 2000 characters."),
])
def test_a_refused_order_names_the_field_keeps_the_input_and_writes_nothing(clerk_client, stock_counts, data, field,
                                                                           message):
    before = stock_counts()
    response = post_form(clerk_client, PAGE, data)
    html = response.get_data(as_text=True)
    assert response.status_code in (404, 409, 422), html
    assert "Nothing was saved" in html and message in html and f'id="{field}-error"' in html
    assert stock_counts() == before


@pytest.mark.parametrize("action, data, status, message", [
    ("ship", {}, 409, "Cannot mark as shipped PO-000001: it is shipped"),
    ("receive", {"quantity": "9"}, 422, "is for 1; cannot receive 9"),
    ("receive", {"quantity": "-1"}, 422, "Enter a whole number of units"),
    ("approve", {}, 403, "Your account cannot open this page."),
    ("launch", {}, 404, ""),
])
def test_a_refused_row_action_says_why_and_changes_nothing(clerk_client, session, depot, stock_counts, action,
                                                           data, status, message):
    place(session, depot, status="shipped")
    before = stock_counts()
    response = post_form(clerk_client, f"{PAGE}/PO-000001/{action}", data, page=PAGE)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert stock_counts() == before
    session.rollback()
    assert session.scalar(select(PurchaseOrder.status)) == "shipped"


def test_an_unknown_order_is_a_readable_404(clerk_client):
    response = post_form(clerk_client, f"{PAGE}/PO-999999/ship", {}, page=PAGE)
    assert response.status_code == 404 and "No purchase order" in response.get_data(as_text=True)


def test_a_manager_approves_what_waits_and_a_clerk_only_sees_that_it_waits(client, session, depot):
    order = orders.create_purchase_order(session, part=depot.part, quantity=60, warehouse=depot.north, now=NOW)
    session.commit()
    assert order.status == "pending_approval"
    sign_in(client, "stock.chen")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Waits for a manager" in html and 'name="approve"' not in html
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    sign_in(client, "manager.xu")
    assert 'name="approve"' in client.get(PAGE).get_data(as_text=True)
    assert post_form(client, f"{PAGE}/{order.number}/approve", {}, page=PAGE).status_code == 303
    session.rollback()
    assert session.scalar(select(PurchaseOrder.status)) == "requested"


def test_the_page_is_for_warehouse_staff_and_needs_csrf(client, depot, stock_counts):
    sign_in(client, "agent.li")
    assert client.get(PAGE).status_code == 403
    sign_in(client, "stock.chen")
    before = stock_counts()
    assert client.post(PAGE, data={"warehouse": "WH-SOUTH", "sku": "P-0001", "quantity": "1"}).status_code == 400
    assert stock_counts() == before


def _statements(app, client, path: str) -> int:
    sent = []

    def record(conn, cursor, statement, *rest):
        sent.append(statement)

    engine = app.extensions["aftercare_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(sent)


def test_more_orders_and_emergencies_cost_no_more_queries(app, clerk_client, session, depot):
    place(session, depot, emergency_for=open_job(session, depot))
    place(session, depot)
    one = {path: _statements(app, clerk_client, path) for path in (PAGE, "/warehouse", "/warehouse/transfers")}
    for _ in range(3):
        place(session, depot, emergency_for=open_job(session, depot))
        place(session, depot)
    assert {path: _statements(app, clerk_client, path) for path in one} == one


@pytest.mark.parametrize("back, location", [("stock.levels", "/warehouse"), ("stock.emergencies", "/warehouse/emergencies"),
                                            ("https://elsewhere.example", PAGE)])
def test_an_action_on_a_pinned_row_returns_to_the_page_it_was_taken_on(clerk_client, session, depot, back,
                                                                       location):
    number = place(session, depot, emergency_for=open_job(session, depot))
    assert 'name="ship"' in clerk_client.get("/warehouse/emergencies").get_data(as_text=True)
    response = post_form(clerk_client, f"{PAGE}/{number}/ship", {"next": back}, page="/warehouse")
    assert response.status_code == 303 and response.headers["Location"] == location
