"""A technician without a connection, in Chinese and in English, on a 390x844 phone: the job page opened
earlier reads from the phone's copy, a part asked for and a photo wait in the phone's queue like status
updates do, and reach the server once, in order, when the connection comes back, even when the server's
first answer is lost on the way.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from dispatch.jobs.models import Job
from fieldwork.models import FieldUpdate, JobPhoto
from fieldwork.updates import PART_REQUEST, PHOTO
from inventory.models import JobPart
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.journey_steps import evaluated, fits_the_screen, sign_in, wait_until
from tests.builders.fieldwork import build_field_world

pytestmark = pytest.mark.browser

TEXTS = {"en-US": {"waiting": "update(s) waiting to send", "part": "Request part", "photo": "Photo",
                   "reserved": "reserved at VAN-tech01"},
         "zh-CN": {"waiting": "条更新等待发送", "part": "申请配件", "photo": "照片", "reserved": "VAN-tech01"}}


KEPT = """(paths) => caches.open('aftercare-tech-day-v1')
              .then(cache => Promise.all(paths.map(path => cache.match(path)))).then(kept => kept.every(Boolean))"""
# Any of the day's pages (the agenda, a job page) still kept: what must go when the session ends. (A
# style or script fetched meanwhile may be kept again; it holds nobody's name or address.)
PAGES_KEPT = """() => caches.keys().then(names => Promise.all(names.map(name => caches.open(name)
              .then(cache => cache.keys())))).then(lists => lists.flat()
              .some(request => /^\\/tech(\\/jobs\\/[^\\/]+)?$/.test(new URL(request.url).pathname)))"""
# This page and every script it runs are kept (the service worker stores them as they arrive).
PAGE_KEPT = """() => caches.open('aftercare-tech-day-v1').then(cache => Promise.all(
              [location.pathname, ...[...document.scripts].filter(s => s.src).map(s => new URL(s.src).pathname)]
              .map(path => cache.match(path, {ignoreSearch: true})))).then(kept => kept.every(Boolean))"""


@pytest.fixture
def city(session):
    world = build_field_world(session)
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def _arrived(fresh_session, job) -> dict[str, int]:
    with fresh_session() as session:
        return {
            "parts": session.scalar(select(func.count()).select_from(JobPart).where(JobPart.job_id == job.id)),
            "photos": session.scalar(select(func.count()).select_from(JobPhoto).where(JobPhoto.job_id == job.id)),
            "steps": list(session.scalars(select(FieldUpdate.action).where(FieldUpdate.job_id == job.id)
                                         .order_by(FieldUpdate.id))),
        }


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_part_and_a_photo_asked_for_offline_wait_on_the_phone_and_arrive_once(city, live_url, new_context,
                                                                                 fresh_session, screenshot, locale):
    texts, job = TEXTS[locale], city.jobs[0]
    page = new_context(**{**PHONE, "locale": locale}).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(r => r.active && r.active.state === 'activated')")
    page.goto(f"{live_url}/tech/jobs/{job.number}")  # opened once online: the phone keeps it
    wait_until(page, lambda: page.evaluate(PAGE_KEPT))

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("offline-copy")).to_be_visible()
    page.select_option("#part_id", str(city.part.id))
    page.get_by_test_id("request-part").click()
    banner = page.locator("#queue-status")
    expect(banner).to_contain_text(f"1 {texts['waiting']}" if locale == "en-US" else f"1{texts['waiting']}")
    page.set_input_files("#photo", files=[{"name": "door.png", "mimeType": "image/png", "buffer": _photo()}])
    page.get_by_test_id("upload-photo").click()
    expect(banner).to_contain_text(f"{texts['part']} · {job.number}, {texts['photo']} · {job.number}")
    expect(banner).to_contain_text("2")
    assert page.evaluate("window.fieldQueue.pending()") == 2
    assert _arrived(fresh_session, job) == {"parts": 0, "photos": 0, "steps": []}
    fits_the_screen(page)
    screenshot(page, f"tech-offline-part-and-photo-{locale[:2]}.png")
    page.screenshot(path=str(SCREENSHOTS / f"tech-offline-part-and-photo-screen-{locale[:2]}.png"))  # as the phone shows it

    # Back online, but the server's answer to the part is lost: the phone sends the part again, then the photo.
    lost = []

    def lose_the_answer(route):
        route.fetch()
        lost.append(route.request.url)
        route.abort("connectionreset")

    page.route("**/tech/jobs/*/parts", lose_the_answer, times=1)
    with page.expect_navigation(timeout=20_000):
        page.context.set_offline(False)
    expect(page.locator(".photos img")).to_have_count(1)
    expect(page.get_by_test_id("parts")).to_contain_text(texts["reserved"])
    expect(banner).to_be_hidden()
    assert lost, "the first answer was not lost: the retry was not tested"
    wait_until(page, lambda: evaluated(page, "window.fieldQueue && window.fieldQueue.pending() === 0"))
    assert _arrived(fresh_session, job) == {"parts": 1, "photos": 1, "steps": [PART_REQUEST, PHOTO]}
    fits_the_screen(page)
    screenshot(page, f"tech-offline-part-and-photo-arrived-{locale[:2]}.png")


def test_a_job_of_the_day_never_opened_is_readable_offline_once_the_day_was_loaded(city, live_url, new_context):
    page = new_context(**PHONE).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(r => r.active && r.active.state === 'activated')")
    unopened = city.jobs[1]
    # The day is loaded once the agenda and the job never opened are both kept (asked from here: the cache's
    # answer is a promise, which page.evaluate waits for).
    wait_until(page, lambda: page.evaluate(KEPT, ["/tech", f"/tech/jobs/{unopened.number}"]))
    page.context.set_offline(True)
    page.reload()
    page.get_by_test_id(f"open-{unopened.number}").click()
    page.wait_for_url(f"{live_url}/tech/jobs/{unopened.number}")
    expect(page.get_by_test_id("fault")).to_have_text(unopened.fault_text)
    expect(page.get_by_test_id("offline-copy")).to_be_visible()


def test_the_worker_runs_on_the_workbox_this_server_ships_and_forgets_the_day_when_the_session_ends(city, live_url,
                                                                                                   new_context):
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_url, "tech01")
    page.evaluate("() => caches.open('aftercare-tech-day-v0')")  # what an earlier version of the worker kept
    page.goto(f"{live_url}/tech")
    wait_until(page, lambda: page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active.state)") == "activated")
    [worker] = context.service_workers
    assert worker.evaluate("() => typeof workbox.strategies.NetworkFirst") == "function"
    loaded = worker.evaluate("() => performance.getEntriesByType('resource').map(entry => entry.name)")
    assert f"{live_url}/static/vendor/workbox/workbox-strategies.prod.js" in loaded, loaded
    assert all(address.startswith(live_url) for address in loaded), loaded
    wait_until(page, lambda: page.evaluate("() => caches.keys()") == ["aftercare-tech-day-v1"])
    wait_until(page, lambda: page.evaluate(KEPT, ["/tech"]))

    context.clear_cookies()  # the session ends without signing out (it expired): the agenda sends to sign in
    page.goto(f"{live_url}/tech")
    page.wait_for_url(f"{live_url}/login**", timeout=20_000)
    wait_until(page, lambda: not page.evaluate(PAGES_KEPT))


def test_a_queued_part_for_a_job_given_to_someone_else_meanwhile_says_so_and_holds_nothing_up(city, live_url,
                                                                                               new_context,
                                                                                               fresh_session):
    first = city.jobs[0]
    page = new_context(**PHONE).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech/jobs/{first.number}")
    page.context.set_offline(True)
    page.select_option("#part_id", str(city.part.id))
    page.get_by_test_id("request-part").click()
    banner = page.locator("#queue-status")
    expect(banner).to_contain_text("1 update(s) waiting to send")
    with fresh_session() as session:  # the office moves the job to the other technician meanwhile
        session.get(Job, first.id).technician_id = city.other.id
        session.commit()
    page.context.set_offline(False)
    expect(banner).to_contain_text(f"Request part · {first.number}: It could not be sent: the job is no longer yours")
    wait_until(page, lambda: evaluated(page, "window.fieldQueue && window.fieldQueue.pending() === 0"))
    assert _arrived(fresh_session, first) == {"parts": 0, "photos": 0, "steps": []}


def test_an_update_left_in_the_queue_s_earlier_home_is_moved_and_sent_once(city, live_url, new_context, fresh_session):
    job = city.jobs[0]
    page = new_context(**PHONE).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech/jobs/{job.number}")
    # As the phone's queue kept it before it moved to IndexedDB: an "on my way" that never went.
    page.evaluate("""() => {
        const form = document.querySelector("form.queued-update input[name=to][value=en_route]").form;
        const fields = Object.fromEntries([...new FormData(form)].filter(([, v]) => typeof v === "string"));
        localStorage.setItem("aftercare.field.queue.v1",
                             JSON.stringify([{id: fields.client_id, url: form.action, fields, label: "old"}]));
    }""")
    with page.expect_navigation():
        page.reload()  # the page's queue starts, finds it, sends it and opens the job as it is now
    expect(page.get_by_test_id("job-status")).to_have_text("Technician on the way", timeout=15_000)
    # The queue may open the job once more after sending: asked again until the page has settled.
    wait_until(page, lambda: evaluated(page, "localStorage.getItem('aftercare.field.queue.v1') === null"
                                               " && window.fieldQueue && window.fieldQueue.pending() === 0"))
    with fresh_session() as session:
        assert session.scalars(select(FieldUpdate.action).where(FieldUpdate.job_id == job.id)).all() == ["en_route"]
