"""Street maps on configured tiles, in Chinese and in English: the dispatcher's board (1366x900) and the
technician's agenda (390x844) draw the routes over tiles from a tile server (here a tiny one on loopback
that answers every tile with the same generated PNG), and keep the SVG picture when the tile server does
not answer.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import dataclasses
import io
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from PIL import Image
from playwright.sync_api import expect

from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel
from tests.api.board.test_dispatch_api import run_worker
from tests.browser.conftest import PHONE
from tests.browser.journey_steps import fits_the_screen, sign_in
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import TZ, build_field_world
from tests.conftest import NOW

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 900}}
ATTRIBUTION = "Test tiles <b>& friends</b>"


def _tile_png() -> bytes:
    picture = Image.new("RGB", (256, 256), (222, 232, 214))
    for x in range(0, 256, 32):
        picture.paste((200, 200, 200), (x, 0, x + 2, 256))
        picture.paste((200, 200, 200), (0, x, 256, x + 2))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    png = _tile_png()
    served: ClassVar[list[str]] = []  # each server gets its own list (the fixture's subclass)

    def do_GET(self):
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tiles(request):
    """The tile server's address template and the tiles it served; "unreachable": a port nobody listens on."""
    if getattr(request, "param", "served") == "unreachable":
        yield f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png", []
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Tiles", (_Tiles,), {"served": []}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", server.RequestHandlerClass.served
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(settings, tiles):
    return dataclasses.replace(settings, map_tiles=tiles[0], map_attribution=ATTRIBUTION, map_max_zoom=18)


@pytest.fixture
def city(session):
    world = build_field_world(session, jobs=3)
    asset = make_asset(session, region=world.region, at=(31.32, 120.58))
    world.waiting = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                                 report=FaultReport(channel=Channel.QR, fault_text="Leaking water under the door",
                                                    contact_name="Li Na", contact_phone="+86 139 0000 1111")).job
    session.commit()
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _street_map_ready(page):
    street = page.get_by_test_id("street-map")
    expect(street).to_have_attribute("data-state", "ready")
    expect(street).to_be_visible()
    # The tiles really drew: at least one tile image finished loading inside the map.
    page.wait_for_function("() => [...document.querySelectorAll('.street-map img.leaflet-tile')]"
                           ".some(img => img.complete && img.naturalWidth === 256)")
    return street


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_board_draws_the_region_s_routes_on_the_configured_tiles(city, tiles, live_url, new_context, screenshot,
                                                                      locale):
    page = new_context(**{**DESK, "locale": locale}).new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, live_url, "dispatch.zhou")
    page.goto(f"{live_url}/dispatch")
    street = _street_map_ready(page)
    assert tiles[1], "the tile server was never asked for a tile"
    expect(page.get_by_test_id("board-map")).to_be_hidden()

    # Three stops of tech01 and one of tech02, numbered along each route; the waiting job apart.
    expect(street.locator(".stop-marker")).to_have_count(4)
    expect(street.locator(".unassigned-marker")).to_have_count(1)
    expect(street.locator("path.leaflet-interactive[stroke-linecap]")).to_have_count(4)  # 2 routes + 2 starts
    first = city.jobs[0]
    marker = street.locator(f".stop-marker[title='{first.number}']")
    expect(marker).to_have_text("1")
    expect(street.locator(".leaflet-control-attribution")).to_contain_text("Test tiles <b>& friends</b>")
    expect(street.locator(".street-map-legend div")).to_have_count(3)  # two technicians, the jobs left out
    one_stop = {"zh-CN": "— 1 个站点", "en-US": "— 1 stop"}[locale]
    expect(street.locator(".street-map-legend div").nth(1)).to_have_text(re.compile(f"{one_stop}$"))
    marker.click()
    popup = street.locator(".leaflet-popup-content")
    eta = first.planned_start.astimezone(TZ).strftime("%H:%M")
    expect(popup).to_contain_text(first.number)
    expect(popup).to_contain_text(eta)
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.wait_for_timeout(400)  # the popup fades in
    screenshot(page, f"street-map-board-{locale[:2]}.png")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_technician_s_agenda_draws_the_day_s_stops_on_the_same_tiles(city, tiles, live_url, new_context,
                                                                          screenshot, locale):
    page = new_context(**{**PHONE, "locale": locale}).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech")
    street = _street_map_ready(page)
    expect(page.get_by_test_id("day-map")).to_be_hidden()
    # The three visits of the day, numbered in route order.
    numbers = street.locator(".stop-marker")
    expect(numbers).to_have_count(len(city.jobs))
    expect(street.locator(".unassigned-marker")).to_have_count(0)
    second = city.jobs[1]
    street.locator(f".stop-marker[title='{second.number}']").click()
    popup = street.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(f"2 · {second.number}")
    expect(popup).to_contain_text(second.planned_start.astimezone(TZ).strftime("%H:%M"))
    expect(popup).to_contain_text("Zhang Wei")
    fits_the_screen(page)
    page.wait_for_timeout(400)  # the popup fades in
    screenshot(page, f"street-map-agenda-{locale[:2]}.png")
    popup.get_by_role("link", name=f"2 · {second.number}").click()  # the job's page, as from the list
    page.wait_for_url(f"{live_url}/tech/jobs/{second.number}")


@pytest.mark.parametrize("tiles", ["unreachable"], indirect=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_without_an_answering_tile_server_the_svg_map_stays(city, tiles, live_url, new_context, screenshot, locale):
    desk = new_context(**{**DESK, "locale": locale}).new_page()
    sign_in(desk, live_url, "dispatch.zhou")
    desk.goto(f"{live_url}/dispatch")
    expect(desk.get_by_test_id("street-map")).to_have_attribute("data-state", "failed")
    expect(desk.get_by_test_id("street-map")).to_be_hidden()
    expect(desk.locator("#board-map svg")).to_be_visible()
    screenshot(desk, f"street-map-board-unreachable-{locale[:2]}.png")

    phone = new_context(**{**PHONE, "locale": locale}).new_page()
    sign_in(phone, live_url, "tech01")
    phone.goto(f"{live_url}/tech")
    expect(phone.get_by_test_id("street-map")).to_have_attribute("data-state", "failed")
    expect(phone.locator("#day-map svg")).to_be_visible()
    screenshot(phone, f"street-map-agenda-unreachable-{locale[:2]}.png")


def test_without_scripts_the_svg_map_is_the_map(city, live_url, new_context):
    page = new_context(**DESK, java_script_enabled=False).new_page()
    sign_in(page, live_url, "dispatch.zhou")
    page.goto(f"{live_url}/dispatch")
    expect(page.locator("#board-map svg")).to_be_visible()
    expect(page.get_by_test_id("street-map")).to_be_hidden()


def test_the_plan_preview_draws_the_proposal_on_the_same_tiles(city, tiles, app, live_url, new_context, screenshot):
    page = new_context(**DESK).new_page()
    sign_in(page, live_url, "dispatch.zhou")
    page.goto(f"{live_url}/dispatch")
    page.select_option("#time_limit", "1")
    page.get_by_test_id("reoptimise").click()
    expect(page.get_by_test_id("plan-waiting")).to_be_visible()
    run_worker(app)  # the scheduler's part; the page refreshes itself until the plan is done
    expect(page.get_by_test_id("plan-status")).to_have_text("Done")
    street = _street_map_ready(page)
    expect(page.get_by_test_id("plan-map")).to_be_hidden()
    expect(street.locator(".stop-marker")).to_have_count(5)  # the waiting job too, once the plan serves it
    screenshot(page, "street-map-plan-en.png")
