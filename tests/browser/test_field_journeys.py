"""Real headless-browser journeys for the people who do the work: a technician on a phone walks a job
from assigned to completed (and keeps working through a dead connection), a dispatcher at a desk
reassigns a job and re-optimises a region.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from dispatch.jobs.models import Job, JobEvent
from dispatch.technicians.models import Technician
from fieldwork.models import FieldUpdate, JobPhoto
from inventory.models import StockLevel
from tests.api.board.test_dispatch_api import run_worker
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey_steps import evaluated, sign_on_the_pad, wait_until
from tests.builders.core import PASSWORD
from tests.builders.fieldwork import build_field_world

pytestmark = pytest.mark.browser

# Where the phone says it is (a street corner near the first job).
HERE = {"latitude": 31.3021, "longitude": 120.6032}


@pytest.fixture
def city(session):
    world = build_field_world(session)
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


@pytest.fixture
def tech_page(new_context, live_url):
    context = new_context(**PHONE, geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    _sign_in(page, live_url, "tech01")
    return page


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _assert_fits_the_screen(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _status_events(fresh_session, job: Job, to: str) -> int:
    with fresh_session() as session:
        return session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.job_id == job.id,
                                                                               JobEvent.to_status == to))


def test_a_technician_walks_a_job_from_assigned_to_completed_on_a_phone(city, live_url, tech_page, fresh_session,
                                                                        screenshot):
    page, first, second = tech_page, city.jobs[0], city.jobs[1]
    assert page.url == f"{live_url}/tech"
    rows = page.locator("li.agenda-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-job", first.number)
    expect(rows.nth(1)).to_have_attribute("data-job", second.number)
    expect(page.locator(".route-map svg circle")).to_have_count(2)
    _assert_fits_the_screen(page)
    screenshot(page, "tech-route.png")

    rows.nth(0).locator("a").click()
    page.wait_for_url(f"{live_url}/tech/jobs/{first.number}")
    expect(page.get_by_test_id("fault")).to_have_text(first.fault_text)
    expect(page.get_by_test_id("nav-geo")).to_have_attribute("href", re.compile(r"^geo:31\.3"))
    expect(page.get_by_test_id("nav-amap")).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker"))
    page.get_by_test_id("action-accept").click()
    expect(page.locator(".notice")).to_contain_text(f"You accepted job {first.number}")
    page.get_by_test_id("action-en_route").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Technician on the way")
    page.get_by_test_id("action-on_site").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Technician on site")

    # Need a part: the gasket is in the van, so it is reserved there and the visit goes on.
    page.select_option("#part_id", label=f"P-GASKET · {city.part.name}")
    page.get_by_test_id("request-part").click()
    expect(page.get_by_test_id("parts")).to_contain_text("reserved at VAN-tech01")

    page.set_input_files("#photo", files=[{"name": "before.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_test_id("upload-photo").click()
    expect(page.locator(".photos img")).to_have_count(1)

    page.fill("#note", "Door gasket replaced; holds 4 °C again.")
    expect(page.locator(f"#use_{city.part.id}")).to_have_value("1")
    sign_on_the_pad(page)
    _assert_fits_the_screen(page)
    screenshot(page, "tech-job-complete-form.png")
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    expect(page.get_by_test_id("parts")).to_contain_text("fitted")
    screenshot(page, "tech-job-completed.png")

    with fresh_session() as session:
        job = session.scalar(select(Job).where(Job.number == first.number))
        technician = session.get(Technician, city.tech.id)
        van = session.get(StockLevel, (technician.van_warehouse_id, city.part.id))
        assert job.status == "completed" and job.events[-1].note == "Door gasket replaced; holds 4 °C again."
        assert (van.on_hand, van.reserved) == (2, 0)
        assert (technician.last_lat, technician.last_lon) == (HERE["latitude"], HERE["longitude"])
        assert session.scalar(select(func.count()).select_from(JobPhoto)) == 1


def test_an_update_sent_without_a_connection_is_delivered_once_when_it_comes_back(city, live_url, tech_page,
                                                                                  fresh_session, screenshot):
    page, job = tech_page, city.jobs[0]
    page.locator(f"li[data-job='{job.number}'] a").click()
    page.wait_for_url(f"**/tech/jobs/{job.number}")
    page.context.set_offline(True)
    page.get_by_test_id("action-en_route").click()
    banner = page.locator("#queue-status")
    expect(banner).to_contain_text("1 update(s) waiting to send")
    expect(banner).to_contain_text(f"On my way · {job.number}")
    assert page.evaluate("window.fieldQueue.pending()") == 1
    assert _status_events(fresh_session, job, "en_route") == 0
    screenshot(page, "tech-offline-queue.png")

    # The connection returns but the first answer is lost on the way back: the server applied the
    # update, the phone did not hear it, so the phone sends it again.
    lost = []

    def lose_the_answer(route):
        route.fetch()
        lost.append(route.request.url)
        route.abort("connectionreset")

    page.route("**/tech/jobs/*/status", lose_the_answer, times=1)
    page.context.set_offline(False)
    wait_until(page, lambda: lost and _status_events(fresh_session, job, "en_route") == 1)
    assert page.evaluate("window.fieldQueue.pending()") == 1  # the phone still thinks it is unsent

    with page.expect_navigation():
        page.evaluate("window.fieldQueue.flush()")
    expect(page.get_by_test_id("job-status")).to_have_text("Technician on the way")
    # The page that opens after the send has its queue once its scripts ran: asked until then.
    wait_until(page, lambda: evaluated(page, "window.fieldQueue && window.fieldQueue.pending() === 0"))
    assert lost and _status_events(fresh_session, job, "en_route") == 1
    with fresh_session() as session:
        assert session.scalar(select(func.count()).select_from(FieldUpdate)) == 1


def test_a_dispatcher_reassigns_a_job_and_re_optimises_the_region(city, app, live_url, new_context, fresh_session,
                                                                  screenshot):
    page = new_context(**DESKTOP).new_page()
    _sign_in(page, live_url, "dispatch.zhou")
    page.goto(f"{live_url}/dispatch?region=gusu")
    expect(page.get_by_test_id("load-tech01")).to_contain_text("2 visits")
    expect(page.get_by_test_id("load-tech02")).to_contain_text("1 visit ")
    screenshot(page, "dispatch-board.png")

    job = city.jobs[1]
    row = page.locator("tr[data-technician='tech01']")
    row.get_by_test_id(f"move-{job.number}").click()
    page.get_by_test_id("confirm-tech02").click()
    expect(page.locator(".notice")).to_contain_text(f"Job {job.number} moved to")
    expect(page.get_by_test_id("load-tech01")).to_contain_text("1 visit ")
    expect(page.get_by_test_id("load-tech02")).to_contain_text("2 visits")
    with fresh_session() as session:
        assert session.scalar(select(Job.technician_id).where(Job.number == job.number)) == city.other.id

    page.select_option("#time_limit", "1")
    page.get_by_test_id("reoptimise").click()
    page.wait_for_url(re.compile(r"/dispatch/plans/\d+$"))
    expect(page.get_by_test_id("plan-waiting")).to_be_visible()
    screenshot(page, "dispatch-plan-waiting.png")
    run_worker(app)  # the scheduler's part; the page refreshes itself until the plan is done
    expect(page.get_by_test_id("plan-status")).to_have_text("Done")
    expect(page.locator("[data-testid^=plan-changes]")).to_be_visible()
    expect(page.get_by_test_id("served")).to_have_text("3")
    expect(page.locator("[data-testid=plan-map] svg")).to_be_visible()
    screenshot(page, "dispatch-plan-preview.png")
    page.get_by_test_id("apply-plan").click()
    expect(page.locator(".notice")).to_contain_text("applied")
    assert "/dispatch?region=gusu" in page.url
