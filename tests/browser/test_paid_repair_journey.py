"""A paid repair on phones, in English and in Chinese: the technician writes the quote after the
diagnosis, the customer approves it on the tracking page, the technician completes the job with the
customer's signature drawn on the screen and the payment recorded, and the tracking page shows what was
done and the repair's own warranty.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dispatch.jobs.models import Job
from dispatch.quotes.models import Quote
from fieldwork.models import CompletionRecord
from tests.browser.conftest import PHONE
from tests.browser.journey_steps import fits_the_screen, sign_in, sign_on_the_pad
from tests.builders.quotes import build_paid_repair

pytestmark = pytest.mark.browser

HERE = {"latitude": 31.3101, "longitude": 120.6102}
TEXTS = {
    "en-US": {"quote": "Your quote", "approve": "Approve the quote", "approved": "You approved this quote",
              "done": "What was done", "warranty": "90 days, until 2027-02-21", "card": "Card",
              "complete": "Complete job", "pending": "Waiting for the customer to approve it"},
    "zh-CN": {"quote": "您的报价", "approve": "确认报价", "approved": "您已确认该报价",
              "done": "What was done", "warranty": "90 天，至 2027-02-21", "card": "刷卡",
              "complete": None, "pending": "等待客户在手机上确认"},
}


@pytest.fixture
def paid(session):
    world = build_paid_repair(session)
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_paid_repair_is_quoted_approved_signed_and_paid_on_phones(paid, live_url, new_context, fresh_session,
                                                                      screenshot, locale):
    texts, tag = TEXTS[locale], locale[:2]
    tech = new_context(**{**PHONE, "locale": locale}, geolocation=HERE, permissions=["geolocation"]).new_page()
    customer = new_context(**{**PHONE, "locale": locale}).new_page()
    number, token = paid.job.number, paid.job.tracking_token

    # The technician arrives, diagnoses, and writes the quote: the repair cannot be completed before the yes.
    sign_in(tech, live_url, "tech01")
    tech.goto(f"{live_url}/tech/jobs/{number}")
    tech.get_by_test_id("action-en_route").click()
    tech.get_by_test_id("action-on_site").click()
    # The page reloads once the phone's update is applied (and the position it shared on the way is sent).
    tech.wait_for_load_state("networkidle")
    expect(tech.get_by_test_id("position-sharing")).to_have_count(0)  # the on-site page, not the one on the way
    expect(tech.get_by_test_id("tech-quote")).to_be_visible()
    expect(tech.get_by_test_id("complete")).to_have_count(0)
    tech.fill(f"#quote_{paid.gasket.id}", "1")
    tech.get_by_test_id("quote-save").click()
    expect(tech.get_by_test_id("quote-state")).to_contain_text(texts["pending"])
    fits_the_screen(tech)
    screenshot(tech, f"paid-tech-quote-sent-{tag}.png")

    # The customer sees the quote on the tracking page and approves it.
    customer.goto(f"{live_url}/t/{token}")
    quote = customer.get_by_test_id("quote")
    expect(quote.locator("h2")).to_have_text(texts["quote"])
    expect(customer.get_by_test_id("quote-total")).to_have_text("¥230.00")
    if locale == "zh-CN":
        expect(quote).to_contain_text("门封条")
    fits_the_screen(customer)
    screenshot(customer, f"paid-track-quote-{tag}.png")
    customer.get_by_test_id("quote-approve").click()
    expect(customer.get_by_test_id("quote-state")).to_contain_text(texts["approved"])
    screenshot(customer, f"paid-track-approved-{tag}.png")

    # The technician completes: the owed amount is offered, the customer signs, the payment is recorded.
    tech.reload()
    expect(tech.get_by_test_id("amount-owed")).to_contain_text("¥230.00")
    expect(tech.locator("#amount_paid")).to_have_value("230.00")
    tech.fill("#note", "Door gasket replaced; holds 4 °C again." if tag == "en" else "更换门封条，恢复 4 °C 制冷。")
    tech.fill(f"#use_{paid.gasket.id}", "1")
    tech.get_by_test_id("pay-card").check()
    sign_on_the_pad(tech, touch=tag == "zh")  # a finger in one run, a mouse (or pen) in the other
    fits_the_screen(tech)
    screenshot(tech, f"paid-tech-complete-signed-{tag}.png")
    tech.get_by_test_id("complete").click()
    expect(tech.get_by_test_id("job-status")).to_be_visible()
    tech.wait_for_url(re.compile(rf"/tech/jobs/{number}$"))

    with fresh_session() as session:
        job = session.scalar(select(Job).where(Job.number == number))
        record = session.scalar(select(CompletionRecord).where(CompletionRecord.job_id == job.id))
        assert job.status == "completed"
        assert session.scalar(select(Quote.state).where(Quote.job_id == job.id)) == "approved"
        assert (str(record.amount_paid), record.payment_method) == ("230.00", "card")
        assert 1_000 < record.signature_bytes < 200 * 1024 and 1 <= record.on_site_minutes <= 720

    # The customer's tracking page shows what was done, the payment and the repair's warranty.
    customer.goto(f"{live_url}/t/{token}")
    summary = customer.get_by_test_id("completion-summary")
    expect(summary).to_be_visible()
    expect(customer.get_by_test_id("amount-paid")).to_have_text(f"¥230.00 · {texts['card']}")
    expect(customer.get_by_test_id("repair-warranty")).to_have_text(texts["warranty"])
    fits_the_screen(customer)
    screenshot(customer, f"paid-track-summary-{tag}.png")
