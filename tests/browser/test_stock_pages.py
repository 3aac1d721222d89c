"""Real headless-browser journeys on the warehouse pages at a desktop viewport: a clerk receives goods
(a typo first, refused with a message), then requests, ships and receives a transfer, and the stock
follows. Screenshots land in out/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.users import Role
from inventory import ledger
from inventory.models import StockLevel, StockMovement, WarehouseKind
from tests.browser.conftest import DESKTOP
from tests.builders.core import PASSWORD, make_user
from tests.builders.inventory import make_part, make_warehouse
from tests.conftest import NOW

pytestmark = pytest.mark.browser


@pytest.fixture
def warehouse_page(session, live_url, new_context):
    central = make_warehouse(session, kind=WarehouseKind.CENTRAL, code="WH-CENTRAL")
    make_warehouse(session, code="WH-GUSU-N")
    part = make_part(session, sku="P-0003")
    make_part(session, sku="P-0004")
    ledger.receive(session, warehouse=central, part=part, quantity=12, actor="setup", now=NOW)
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    session.commit()
    session.close()
    page = new_context(**DESKTOP).new_page()
    page.goto(f"{live_url}/login")
    page.fill("#username", "stock.chen")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Stock by warehouse and part")
    return page


def _level(fresh_session, warehouse_code: str, sku: str) -> tuple[int, int]:
    from inventory.models import Part, Warehouse

    with fresh_session() as session:
        row = session.execute(select(StockLevel.on_hand, StockLevel.reserved).join(Warehouse).join(Part)
                              .where(Warehouse.code == warehouse_code, Part.sku == sku)).first()
        return tuple(row) if row else (0, 0)


def _movements(fresh_session) -> int:
    with fresh_session() as session:
        return session.scalar(select(func.count()).select_from(StockMovement))


def _assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def test_a_clerk_receives_goods_after_correcting_a_typo(warehouse_page, live_url, fresh_session, screenshot):
    page = warehouse_page
    page.click("nav.subnav >> text=Receive goods")
    page.select_option("#warehouse", "WH-GUSU-N")
    page.fill("#sku", "P-0004")
    page.fill("#quantity", "1.5")
    before = _movements(fresh_session)
    page.click("#receive-form button[type=submit]")
    expect(page.locator(".error-summary")).to_contain_text("Nothing was saved")
    expect(page.locator("#quantity-error")).to_contain_text("whole number of units")
    expect(page.locator("#sku")).to_have_value("P-0004")  # the input is kept
    screenshot(page, "stock-receive-refused.png")
    assert _movements(fresh_session) == before

    page.fill("#quantity", "6")
    page.fill("#reason", "delivery note 5531")
    page.click("#receive-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("6 × P-0004 received at WH-GUSU-N")
    row = page.locator('tr[data-warehouse="WH-GUSU-N"][data-sku="P-0004"]')
    expect(row.locator('[data-col="on_hand"]')).to_have_text("6")
    screenshot(page, "stock-levels-after-receipt.png")
    assert _level(fresh_session, "WH-GUSU-N", "P-0004") == (6, 0)


def test_a_transfer_is_requested_shipped_and_received_on_the_page(warehouse_page, fresh_session, screenshot,
                                                                  new_context, live_url):
    page = warehouse_page
    page.click("nav.subnav >> text=Transfers")
    page.fill("#sku", "P-0003")
    page.fill("#quantity", "5")
    page.select_option("#from_warehouse", "WH-CENTRAL")
    page.select_option("#to_warehouse", "WH-GUSU-N")
    page.fill("#reason", "north depot is short")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Transfer TR-000001 requested")
    row = page.locator('[data-testid="open-transfers"] tr[data-number="TR-000001"]')
    expect(row).to_contain_text("Requested")
    assert _level(fresh_session, "WH-CENTRAL", "P-0003") == (12, 5)  # held at the source
    screenshot(page, "stock-transfer-requested.png")

    row.locator("button[name=ship]").click()
    expect(page.locator(".notice")).to_contain_text("Transfer TR-000001 shipped")
    expect(row).to_contain_text("Shipped")
    assert _level(fresh_session, "WH-CENTRAL", "P-0003") == (7, 0)

    # More than shipped: the browser's own max check is lifted to prove the server refuses it too.
    row.locator("input[name=quantity]").evaluate("input => input.removeAttribute('max')")
    row.locator("input[name=quantity]").fill("6")
    row.locator("button[name=receive]").click()
    expect(page.locator('[data-testid="action-error"]')).to_contain_text("shipped 5; cannot receive 6")
    assert _level(fresh_session, "WH-GUSU-N", "P-0003") == (0, 0)
    screenshot(page, "stock-transfer-receive-refused.png")

    row.locator("input[name=quantity]").fill("5")
    row.locator("button[name=receive]").click()
    expect(page.locator(".notice")).to_contain_text("Transfer TR-000001 received")
    expect(page.locator('[data-testid="recent-transfers"] tr[data-number="TR-000001"]')).to_contain_text("Received")
    assert _level(fresh_session, "WH-GUSU-N", "P-0003") == (5, 0)
    screenshot(page, "stock-transfer-received.png")

    # The same pages on a tablet held sideways: usable, nothing sticking out of the screen.
    tablet = new_context(viewport={"width": 1024, "height": 768}, storage_state=page.context.storage_state())
    tablet_page = tablet.new_page()
    tablet_page.goto(f"{live_url}/warehouse")
    _assert_no_sideways_scroll(tablet_page)
    screenshot(tablet_page, "stock-levels-tablet.png")


@pytest.mark.parametrize("lang, texts", [
    ("en", {"link": "Ledger", "title": "Stock ledger", "kind": "Transfer in", "why": "received from TR-000001"}),
    ("zh", {"link": "台账", "title": "库存台账", "kind": "调入", "why": "从调拨单 TR-000001 收货"}),
])
def test_the_ledger_of_a_level_says_what_moved_and_why_in_the_readers_language(
        warehouse_page, session, live_url, screenshot, lang, texts):
    from dispatch.jobs.audit import SYSTEM
    from dispatch.parts import desk

    with session.begin():
        transfer = desk.create_transfer(session, sku="P-0003", quantity=2, from_code="WH-CENTRAL",
                                        to_code="WH-GUSU-N", actor=SYSTEM, now=NOW)
        desk.ship_transfer(session, number=transfer.number, actor=SYSTEM, now=NOW)
        desk.receive_transfer(session, number=transfer.number, quantity=None, actor=SYSTEM, now=NOW)
    page = warehouse_page
    page.goto(f"{live_url}/warehouse?lang={lang}")
    page.locator('tr[data-warehouse="WH-GUSU-N"][data-sku="P-0003"]').get_by_role("link", name=texts["link"]).click()
    expect(page.locator("h1")).to_have_text(texts["title"])
    [line] = page.locator('[data-testid="stock-ledger"] tbody tr').all()
    expect(line).to_contain_text(texts["kind"])
    expect(line.get_by_test_id("movement-reason")).to_have_text(texts["why"])
    _assert_no_sideways_scroll(page)
    screenshot(page, f"stock-ledger-{lang}.png")
