"""The customer's tracking page stays live on a phone, in English and in Chinese: the technician sets off,
their phone shares its position, the page shows an arrival time from it; the technician gets closer and
the page, refreshing itself, brings the time forward. Screenshots land in out/screenshots/."""
from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from core.settings import Settings
from core.storage import LocalStorage
from dispatch.technicians.models import Technician
from fieldwork.portraits import set_portrait
from tests.browser.conftest import PHONE
from tests.builders.core import PASSWORD
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

pytestmark = pytest.mark.browser

# About 6 km from the first job (31.30, 120.60), then about 600 m.
FAR = {"latitude": 31.345, "longitude": 120.635}
NEAR = {"latitude": 31.305, "longitude": 120.603}
HOTLINE = "400-820-1234"


@pytest.fixture
def settings(settings) -> Settings:
    return dataclasses.replace(settings, hotline=HOTLINE, track_refresh_seconds=5)


@pytest.fixture
def city(session):
    world = build_field_world(session)
    world.tech.user.display_name = "Wei Zhang"
    session.commit()
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _wait_until(page, condition, timeout_s: float = 15.0) -> None:
    for _ in range(int(timeout_s * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("condition not met in time")


def _position(fresh_session, technician_id: int):
    with fresh_session() as session:
        technician = session.get(Technician, technician_id)
        return technician.last_lat, technician.last_lon


def _portrait() -> bytes:
    image = Image.new("RGB", (600, 600), (225, 235, 240))
    ImageDraw.Draw(image).ellipse((150, 120, 450, 480), fill=(60, 110, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _assert_fits_the_screen(page) -> None:
    # Against the phone's own width: a mobile browser widens its layout viewport to fit wide content.
    width, screen = page.evaluate("() => document.documentElement.scrollWidth"), PHONE["viewport"]["width"]
    assert width <= screen, f"page is {width}px wide on a {screen}px screen"


@pytest.mark.parametrize("locale, about, on_the_way", [("en-US", "about", "Technician on the way"),
                                                       ("zh-CN", "约", "师傅在路上")])
def test_the_tracking_page_follows_the_technician_on_the_way_and_refreshes_itself(
        city, live_url, new_context, fresh_session, clock, screenshot, settings, locale, about, on_the_way):
    job, tag = city.jobs[0], locale[:2]
    tech_context = new_context(**PHONE, geolocation=FAR, permissions=["geolocation"])
    tech = tech_context.new_page()
    _sign_in(tech, live_url, "tech01")
    tech.goto(f"{live_url}/tech/jobs/{job.number}")
    tech.get_by_test_id("action-en_route").click()
    expect(tech.get_by_test_id("position-sharing")).to_be_visible()
    _wait_until(tech, lambda: _position(fresh_session, city.tech.id) == (FAR["latitude"], FAR["longitude"]))
    expect(tech.get_by_test_id("position-sharing")).to_contain_text("Position shared with the customer")
    _assert_fits_the_screen(tech)
    screenshot(tech, f"tech-job-sharing-position-{tag}.png")

    if tag == "zh":  # with a portrait; the English run shows the initials
        with fresh_session() as session:
            set_portrait(session, technician=session.get(Technician, city.tech.id), data=_portrait(),
                         storage=LocalStorage(settings.upload_dir), actor="test", now=NOW)
            session.commit()
    customer = new_context(**PHONE, locale=locale).new_page()
    customer.goto(f"{live_url}/t/{job.tracking_token}")
    expect(customer.get_by_test_id("job-status")).to_have_text(on_the_way)
    eta = customer.get_by_test_id("eta")
    expect(eta).to_contain_text(about)
    far_text = eta.inner_text()
    assert re.search(r"\d\d:\d\d", far_text) and not re.search(r"\d\d:\d[1-46-9]\b", far_text)  # on 5 minutes
    expect(customer.get_by_test_id("technician-name")).to_have_text("Wei")
    if tag == "zh":
        expect(customer.locator(".technician img.avatar")).to_have_js_property("naturalWidth", 480)
    else:
        expect(customer.locator(".technician .avatar.initials")).to_have_text("WZ")
    body = customer.locator("main").inner_text()
    # No surname, no technician's or customer's number (a mobile number's digits: a job number may hold "138").
    assert "Zhang" not in body and re.search(r"138[\s-]?\d{4}[\s-]?\d{4}", body) is None
    expect(customer.get_by_test_id("call")).to_have_attribute("href", "tel:4008201234")
    times = customer.locator(".timeline time").all_inner_texts()
    assert times == sorted(times) and len(times) >= 2  # oldest first
    _assert_fits_the_screen(customer)
    screenshot(customer, f"track-on-the-way-far-{tag}.png")

    # A minute later the technician is round the corner; the phone reports it when the page opens again.
    clock.advance(timedelta(minutes=1))
    tech_context.set_geolocation(NEAR)
    tech.reload()
    _wait_until(tech, lambda: _position(fresh_session, city.tech.id) == (NEAR["latitude"], NEAR["longitude"]))

    # Nobody touches the customer's page: it asks for news itself and puts the new time in place.
    expect(eta).not_to_have_text(far_text, timeout=15_000)
    near_text = eta.inner_text()
    assert about in near_text
    assert customer.evaluate("document.getElementById('tracking').dataset.updatedAt") is not None
    _assert_fits_the_screen(customer)
    screenshot(customer, f"track-on-the-way-near-{tag}.png")


def test_without_javascript_the_tracking_page_still_refreshes_itself(city, live_url, new_context):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_url}/t/{city.jobs[0].tracking_token}")
    expect(page.get_by_test_id("eta")).to_contain_text("about")
    with page.expect_navigation(timeout=12_000):
        pass  # the <noscript> refresh, every track_refresh_seconds (5 here)


@pytest.mark.parametrize("locale, missed", [("en-US", "We missed our promise to contact you by"),
                                            ("zh-CN", "我们没能在承诺的")])
def test_before_the_visit_a_missed_promise_reads_plainly_and_the_visit_time_is_told(
        city, live_url, new_context, clock, screenshot, locale, missed):
    job = city.jobs[1]
    clock.set(job.respond_by + timedelta(minutes=20))
    page = new_context(**PHONE, locale=locale).new_page()
    page.goto(f"{live_url}/t/{job.tracking_token}")
    expect(page.locator(".promise-missed")).to_contain_text(missed)
    expect(page.locator(".promise-missed")).not_to_contain_text("We will")
    _assert_fits_the_screen(page)
    screenshot(page, f"track-before-visit-missed-{locale[:2]}.png")
