"""The customer's promise, end to end on phones, in Chinese and in English: a consumer reports a fault on an
appliance out of warranty from its QR label; the scheduler's pass plans the visit and the SMS gateway (a real
receiver that verifies the Standard Webhooks signature) gets the message with the tracking link; the
consumer opens that link and picks an arrival window; the technician sets off, the phone shares its
position and the arrival time on the tracking page moves when the technician gets closer; the consumer
approves the quote from the link in its message; the technician completes with the customer's signature
drawn on the screen; the tracking page shows what was done and the repair's own warranty.

Every step goes through the pages and endpoints the product serves; only the region, the technician, the
appliance and the price list are built directly. Screenshots land in out/screenshots/.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.settings import Settings
from dispatch.jobs.models import Job
from dispatch.quotes.models import Quote
from fieldwork.models import CompletionRecord
from tests.api.board.test_dispatch_api import run_worker
from tests.browser.conftest import PHONE
from tests.browser.journey_steps import fits_the_screen, sign_in, sign_on_the_pad
from tests.builders.care import WEBHOOK_SECRET, webhook_receiver
from tests.builders.quotes import build_out_of_warranty
from tests.live_server import address_of, listening_socket, serve

pytestmark = pytest.mark.browser

# Where the technician's phone is: setting off across town, then round the corner from the appliance.
FAR = {"latitude": 31.355, "longitude": 120.645}
NEAR = {"latitude": 31.315, "longitude": 120.613}
HOTLINE = "400-820-1234"
TIME = re.compile(r"\d\d:\d\d")

TEXTS = {
    "en-US": {"report": "Report a fault", "paid": "Paid repair", "fault": "Not cooling since yesterday, display shows E4",
              "name": "Wang Fang", "technician": "Wei Zhang", "first_name": "Wei",
              "received": "We received your report", "window": "Your visit window",
              "confirmed": "Your visit window is confirmed.", "on_the_way": "Technician on the way", "about": "about",
              "around": "expects to arrive around", "quote": "Your quote", "waiting": "Wei is waiting for your answer to the quote", "approved": "You approved this quote",
              "note": "Door gasket replaced; holds 4 °C again.", "card": "Card", "warranty": "90 days, until 2027-02-21"},
    "zh-CN": {"report": "报修", "paid": "付费维修", "fault": "冰箱从昨天开始不制冷，显示 E4", "name": "王芳",
              "technician": "张伟", "first_name": "张师傅", "received": "我们已收到您的报修", "window": "您的上门时间窗",
              "confirmed": "您的上门时间窗已确认。", "on_the_way": "师傅在路上", "about": "约",
              "around": None, "quote": "您的报价", "waiting": "张师傅正在等待您对报价的答复", "approved": "您已确认该报价",
              "note": "更换门封条，恢复 4 °C 制冷。", "card": "刷卡", "warranty": "90 天，至 2027-02-21"},
}


@pytest.fixture
def server_socket():
    with listening_socket() as sock:
        yield sock


@pytest.fixture
def sms_gateway():
    """(url, Received): the gateway behind the webhook, which takes only correctly signed posts."""
    with webhook_receiver() as gateway:
        yield gateway


@pytest.fixture
def settings(settings, server_socket, sms_gateway) -> Settings:
    # The links in the messages point to the live server itself, so the test can open them as they are.
    return dataclasses.replace(settings, public_base_url=address_of(server_socket), hotline=HOTLINE,
                               track_refresh_seconds=5, webhook_url=sms_gateway[0], webhook_secret=WEBHOOK_SECRET)


@pytest.fixture
def live_url(app, server_socket):
    with serve(app, sock=server_socket) as url:
        yield url


def _world(session, *, technician_name: str):
    world = build_out_of_warranty(session)
    world.tech.user.display_name = technician_name
    session.commit()
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _message(app, received, *, purpose: str, live_url: str) -> tuple[str, str]:
    """The scheduler's pass (dispatch, plans, the outbox), then the body of the last `purpose` message the
    gateway received and the tracking link in it."""
    run_worker(app)
    with received.lock:
        bodies = [message["text"] for message in received.messages if message["purpose"] == purpose]
    assert bodies, f"no {purpose} message reached the gateway"
    link = re.search(re.escape(live_url) + r"/t/[A-Za-z0-9_-]+", bodies[-1])
    assert link, bodies[-1]
    return bodies[-1], link.group(0)


def _open(context, link: str):
    """The customer taps the link in a message: a new tab on their phone."""
    page = context.new_page()
    page.goto(link)
    return page


def _first_time(text: str) -> str:
    found = TIME.search(text)
    assert found, text
    return found.group(0)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_customer_reports_picks_a_window_follows_the_technician_approves_and_signs_on_a_phone(
        session, app, live_url, new_context, fresh_session, clock, sms_gateway, screenshot, locale):
    words, tag = TEXTS[locale], locale[:2]
    world = _world(session, technician_name=words["technician"])
    received = sms_gateway[1]

    def shot(page, step: str) -> None:
        screenshot(page, f"promise-{step}-{tag}.png")

    customer = new_context(**{**PHONE, "locale": locale})
    tech_context = new_context(**{**PHONE, "locale": locale}, geolocation=FAR, permissions=["geolocation"])

    # 1. The consumer scans the label of an appliance out of warranty and reports the fault.
    report = customer.new_page()
    report.goto(f"{live_url}/r/{world.asset.qr_token}")
    expect(report.locator("h1")).to_have_text(words["report"])
    expect(report.get_by_test_id("verdict")).to_contain_text(words["paid"])
    report.fill("#fault_text", words["fault"])
    report.fill("#contact_name", words["name"])
    report.fill("#contact_phone", "+86 139 1234 5678")
    fits_the_screen(report)
    shot(report, "1-report")
    report.locator("#report-form button[type=submit]").click()
    report.wait_for_url(re.compile(r"/t/[^/?]+$"))
    number = report.get_by_test_id("job-number").inner_text().strip()
    report.close()

    # 2. The message with the tracking link reaches the phone, in the customer's language; the customer
    # opens that link and picks an arrival window.
    body, link = _message(app, received, purpose="report_received", live_url=live_url)
    assert words["received"] in body and number in body
    assert (locale == "en-US") == ("We received" in body)  # one language: the one they reported in
    track = _open(customer, link)
    expect(track.get_by_test_id("job-number")).to_have_text(number)
    card = track.get_by_test_id("window")
    expect(card.locator("h2")).to_have_text(words["window"])
    choice = card.get_by_test_id("window-choice").first
    expect(choice).to_have_text("10:00–12:00")  # the test clock stands at the first window's start
    fits_the_screen(track)
    shot(track, "2-windows")
    choice.click()
    expect(track.get_by_text(words["confirmed"])).to_be_visible()
    expect(track.get_by_test_id("window-confirmed")).to_contain_text("12:00")
    shot(track, "2-window-confirmed")
    with fresh_session() as read:
        job = read.scalar(select(Job).where(Job.number == number))
        assert job.technician_id == world.tech.id and job.window_start is not None
    track.close()

    # 3. The technician sets off from their phone's job page; the page shares the phone's position.
    tech = tech_context.new_page()
    sign_in(tech, live_url, "tech01")
    tech.goto(f"{live_url}/tech/jobs/{number}")
    tech.get_by_test_id("action-en_route").click()
    sharing = tech.get_by_test_id("position-sharing")
    expect(sharing.locator("[data-state]")).to_have_text(sharing.get_attribute("data-shared"))
    fits_the_screen(tech)
    shot(tech, "3-tech-on-the-way")

    body, link = _message(app, received, purpose="technician_on_the_way", live_url=live_url)
    track = _open(customer, link)
    expect(track.get_by_test_id("job-status")).to_have_text(words["on_the_way"])
    expect(track.get_by_test_id("technician-name")).to_have_text(words["first_name"])
    expect(track.get_by_test_id("call")).to_have_attribute("href", "tel:4008201234")
    eta = track.get_by_test_id("eta")
    expect(eta).to_contain_text(words["about"])
    far_text = eta.inner_text()
    # The message told the same time the page shows.
    assert _first_time(far_text) in body
    if words["around"]:
        assert words["around"] in body
    fits_the_screen(track)
    shot(track, "3-eta-far")

    # Later the technician is round the corner: the phone says so when its page opens again, and
    # the customer's page, left alone, brings the arrival time forward.
    clock.advance(timedelta(minutes=1))
    tech_context.set_geolocation(NEAR)
    with tech.expect_response(lambda r: r.url.endswith(f"/tech/jobs/{number}/position")) as posted:
        tech.reload()
    assert posted.value.ok and posted.value.json()["recorded"] is True
    expect(eta).not_to_have_text(far_text, timeout=15_000)
    near_text = eta.inner_text()
    assert words["about"] in near_text and _first_time(near_text) < _first_time(far_text)
    shot(track, "3-eta-near")
    track.close()

    # 4. On site, the technician diagnoses and writes the quote; paid work cannot be completed before the yes.
    tech.get_by_test_id("action-on_site").click()
    # The quote form is on the page on the way too: wait for the on-site page before filling it in.
    expect(tech.get_by_test_id("position-sharing")).to_have_count(0)
    expect(tech.get_by_test_id("tech-quote")).to_be_visible()
    expect(tech.get_by_test_id("complete")).to_have_count(0)
    tech.fill(f"#quote_{world.gasket.id}", "1")
    tech.get_by_test_id("quote-save").click()
    expect(tech.get_by_test_id("quote-state")).to_be_visible()
    shot(tech, "4-tech-quote")

    # 5. The quote's message brings the customer to the page, where they approve it.
    body, link = _message(app, received, purpose="quote_given", live_url=live_url)
    assert "¥230.00" in body
    track = _open(customer, link)
    expect(track.get_by_test_id("quote").locator("h2")).to_have_text(words["quote"])
    expect(track.get_by_test_id("quote-total")).to_have_text("¥230.00")
    expect(track.get_by_test_id("next-step")).to_contain_text(words["waiting"])
    fits_the_screen(track)
    shot(track, "5-quote")
    track.get_by_test_id("quote-approve").click()
    expect(track.get_by_test_id("quote-state")).to_contain_text(words["approved"])
    shot(track, "5-quote-approved")
    track.close()

    # 6. The technician completes: what was done, the part fitted, the card payment, the customer's signature.
    tech.reload()
    expect(tech.locator("#amount_paid")).to_have_value("230.00")
    tech.fill("#note", words["note"])
    tech.fill(f"#use_{world.gasket.id}", "1")
    tech.get_by_test_id("pay-card").check()
    sign_on_the_pad(tech, touch=True)
    fits_the_screen(tech)
    shot(tech, "6-tech-signed")
    tech.get_by_test_id("complete").click()
    tech.wait_for_url(re.compile(rf"/tech/jobs/{number}$"))
    expect(tech.get_by_test_id("job-status")).to_be_visible()
    with fresh_session() as read:
        job = read.scalar(select(Job).where(Job.number == number))
        record = read.scalar(select(CompletionRecord).where(CompletionRecord.job_id == job.id))
        assert job.status == "completed"
        assert read.scalar(select(Quote.state).where(Quote.job_id == job.id)) == "approved"
        assert (str(record.amount_paid), record.payment_method) == ("230.00", "card")
        assert record.signature_bytes > 1_000

    # 7. The completion message's link shows the customer what was done, the payment and the repair's warranty.
    body, link = _message(app, received, purpose="job_completed", live_url=live_url)
    assert words["note"] in body
    track = _open(customer, link)
    expect(track.get_by_test_id("completion-summary")).to_contain_text(words["note"])
    expect(track.get_by_test_id("amount-paid")).to_have_text(f"¥230.00 · {words['card']}")
    expect(track.get_by_test_id("repair-warranty")).to_have_text(words["warranty"])
    fits_the_screen(track)
    shot(track, "7-summary")

    # Every message of the journey went out once, signed, in order; none was refused by the gateway.
    with received.lock:
        purposes = [message["purpose"] for message in received.messages]
        ids = [message["id"] for message in received.messages]
    assert received.rejected == 0 and len(ids) == len(set(ids))
    journey = ["report_received", "window_confirmed", "technician_on_the_way", "quote_given", "job_completed"]
    assert [purpose for purpose in purposes if purpose in journey] == journey, purposes
