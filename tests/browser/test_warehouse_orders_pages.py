"""Real headless-browser journeys on the warehouse's purchase orders, at a desk (1366×900) in Chinese and
English: a clerk sees the job's emergency pinned above the stock with its deadline, places a purchase
order, marks it shipped and receives it on its row; rows stay one line tall. On a phone (390 px) the
transfers and purchase orders pages fit the screen, their tables scrolling inside their own box.
Screenshots land in out/screenshots/."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.users import Role
from inventory import ledger, orders
from inventory.models import Part, PurchaseOrder, StockLevel, Warehouse, WarehouseKind
from tests.api.stock.test_stock_api import open_job
from tests.browser.conftest import PHONE
from tests.builders.core import PASSWORD, make_region, make_user
from tests.builders.inventory import make_part, make_supplier, make_warehouse
from tests.conftest import NOW

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 900}}
TEXTS = {
    "zh-CN": {"nav": "采购单", "placed": "已向", "shipped": "已发货", "received": "已收货", "pinned": "紧急需求"},
    "en-US": {"nav": "Purchase orders", "placed": "placed with", "shipped": "Shipped", "received": "Received",
              "pinned": "Emergencies"},
}


@pytest.fixture
def warehouse(session):
    region = make_region(session)
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, code="WH-CENTRAL")
    north = make_warehouse(session, code="WH-NORTH", regions=[region])
    part = make_part(session, sku="P-0003")
    supplier = make_supplier(session, parts=[part])
    supplier.code = "SUP-SZ"
    ledger.receive(session, warehouse=central, part=part, quantity=12, actor="setup", now=NOW)
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    session.commit()
    job = open_job(session, SimpleNamespace(region=region))
    emergency = orders.create_purchase_order(session, part=part, quantity=1, warehouse=north, now=NOW,
                                             expedited=True, emergency=True, job_id=job.id, approval_limit=None)
    orders.request_transfer(session, part=part, quantity=2, source=central, destination=north, actor="setup",
                            now=NOW, reason="north depot is short")
    session.commit()
    numbers = SimpleNamespace(emergency=emergency.number, job=job.number,
                              deadline=(job.repair_by + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M"))
    session.close()
    return numbers


def _sign_in(page, live_url):
    page.goto(f"{live_url}/login")
    page.fill("#username", "stock.chen")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_url}/warehouse")


def _row_heights(page, table: str) -> list[float]:
    return page.locator(f'[data-testid="{table}"] tbody tr[data-number]').evaluate_all(
        "rows => rows.map(row => row.getBoundingClientRect().height)")


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_clerk_chases_the_emergency_then_orders_ships_and_receives_on_the_rows(
        warehouse, live_url, new_context, fresh_session, screenshot, locale):
    texts = TEXTS[locale]
    page = new_context(locale=locale, **DESK).new_page()
    _sign_in(page, live_url)

    # The job's emergency is the first thing on the stock page, its deadline in local time, its action beside it.
    pinned = page.get_by_test_id("pinned-emergencies")
    expect(pinned).to_contain_text(texts["pinned"])
    row = pinned.locator(f'tr[data-number="{warehouse.emergency}"]')
    expect(row).to_contain_text(warehouse.job)
    expect(row.get_by_test_id("deadline")).to_contain_text(warehouse.deadline)
    expect(row.locator("button[name=ship]")).to_be_visible()
    assert pinned.bounding_box()["y"] < page.get_by_test_id("stock-levels").bounding_box()["y"]
    screenshot(page, f"warehouse-emergency-pinned-{locale}.png")

    page.click(f"nav.subnav >> text={texts['nav']}")
    page.select_option("#supplier", "SUP-SZ")
    page.select_option("#warehouse", "WH-CENTRAL")
    page.fill("#sku", "P-0003")
    page.fill("#quantity", "0")
    page.click("#purchase-order-form button[type=submit]")
    expect(page.locator("#quantity-error")).to_be_visible()
    with fresh_session() as session:
        assert session.scalar(select(PurchaseOrder).where(PurchaseOrder.id == 2)) is None
    page.fill("#quantity", "6")
    page.click("#purchase-order-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text(texts["placed"])
    table = page.get_by_test_id("purchase-orders")
    expect(table.locator("tbody tr").first).to_have_attribute("data-number", warehouse.emergency)  # pinned
    row = table.locator('tr[data-number="PO-000002"]')
    screenshot(page, f"warehouse-purchase-order-placed-{locale}.png")

    row.locator("button[name=ship]").click()
    expect(row).to_contain_text(texts["shipped"])
    screenshot(page, f"warehouse-purchase-order-shipped-{locale}.png")
    assert max(_row_heights(page, "purchase-orders")) < 50, _row_heights(page, "purchase-orders")
    row.locator("input[name=quantity]").fill("6")
    row.locator("button[name=receive]").click()
    expect(row).to_contain_text(texts["received"])
    screenshot(page, f"warehouse-purchase-order-received-{locale}.png")
    with fresh_session() as session:
        on_hand = session.scalar(select(StockLevel.on_hand).where(StockLevel.warehouse_id == 1,
                                                                  StockLevel.part_id == 1))
    assert on_hand == 18

    page.click(f"nav.subnav >> text={'调拨' if locale == 'zh-CN' else 'Transfers'}")
    screenshot(page, f"warehouse-transfers-desk-{locale}.png")
    assert max(_row_heights(page, "open-transfers")) < 50, _row_heights(page, "open-transfers")
    assert _page_width(page) <= 1366


def test_the_transfers_and_purchase_orders_pages_fit_a_phone(warehouse, live_url, new_context, screenshot):
    page = new_context(locale="zh-CN", **PHONE).new_page()
    _sign_in(page, live_url)
    for path, name in (("/warehouse/transfers", "transfers"), ("/warehouse/purchase-orders", "purchase-orders"),
                       ("/warehouse", "levels")):
        page.goto(f"{live_url}{path}")
        width = _page_width(page)
        screenshot(page, f"warehouse-{name}-phone.png")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_clerk_sorts_the_open_transfers_on_a_phone(warehouse, session, live_url, new_context, screenshot, locale):
    central, north = (session.get(Warehouse, 1), session.get(Warehouse, 2))
    later = orders.request_transfer(session, part=session.get(Part, 1), quantity=1, source=central,
                                    destination=north, actor="setup", now=NOW)
    later.expected_at = NOW + timedelta(days=7)
    session.commit()
    session.close()
    page = new_context(locale=locale, **PHONE).new_page()
    _sign_in(page, live_url)
    page.goto(f"{live_url}/warehouse/transfers")
    table = page.get_by_test_id("open-transfers")
    expect(table.locator("tbody tr[data-number]").first).to_have_attribute("data-number", "TR-000002")
    table.locator('a[data-sort="expected"]').click()
    expect(table.locator('th[aria-sort="ascending"] a[data-sort="expected"]')).to_be_visible()
    expect(table.locator("tbody tr[data-number]").first).to_have_attribute("data-number", "TR-000001")
    table.locator('a[data-sort="expected"]').click()
    expect(table.locator('th[aria-sort="descending"] a[data-sort="expected"]')).to_be_visible()
    expect(table.locator("tbody tr[data-number]").first).to_have_attribute("data-number", "TR-000002")
    table.locator('a[data-sort="expected"]').scroll_into_view_if_needed()  # the table scrolls in its own box
    screenshot(page, f"warehouse-transfers-sorted-phone-{locale}.png")
    assert _page_width(page) <= 390, _page_width(page)
    page.goto(f"{live_url}/warehouse/transfers?sort=colour")
    expect(page.locator(".error-summary")).to_contain_text("colour")
    screenshot(page, f"warehouse-transfers-bad-sort-phone-{locale}.png")
    assert _page_width(page) <= 390, _page_width(page)
