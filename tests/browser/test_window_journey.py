"""The customer picks an arrival window on the tracking page, on a phone, in Chinese and in English: the
windows the live plan can keep, by day in local time; the choice is confirmed, then changed."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from care.models import OutboxMessage
from dispatch.jobs.models import Job
from tests.browser.conftest import PHONE
from tests.browser.test_report_journey import _assert_fits_the_screen, _save
from tests.builders.care import make_open_job
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.browser

TEXTS = {
    "en-US": {"title": "Your visit window", "confirmed": "Your visit window is confirmed.", "between": "between",
              "another": "Choose another window", "monday": "Monday"},
    "zh-CN": {"title": "您的上门时间窗", "confirmed": "您的上门时间窗已确认。", "between": "至",
              "another": "改约其他时间窗", "monday": "星期一"},
}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_customer_picks_a_window_on_the_phone_then_changes_it(session, live_url, new_context, fresh_session,
                                                                   screenshot, locale):
    words = TEXTS[locale]
    region = make_region(session)
    make_technician(session, region=region)
    job = make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW)
    token, number = job.tracking_token, job.number
    _save(session)

    page = new_context(**{**PHONE, "locale": locale}).new_page()
    page.goto(f"{live_url}/t/{token}")
    card = page.get_by_test_id("window")
    expect(card.locator("h2")).to_have_text(words["title"])
    # It is Monday 10:00 in Suzhou: today's first window starts now, the day named in the page's language.
    expect(card.locator(".window-day").first).to_contain_text(words["monday"])
    choices = card.get_by_test_id("window-choice")
    expect(choices.first).to_have_text("10:00–12:00")
    _assert_fits_the_screen(page)
    screenshot(page, f"window-offers-{locale}.png")

    choices.nth(1).click()  # 12:00-14:00 today
    expect(page.get_by_text(words["confirmed"])).to_be_visible()
    confirmed = page.get_by_test_id("window-confirmed")
    expect(confirmed).to_contain_text("12:00")
    expect(confirmed).to_contain_text("14:00")
    expect(confirmed).to_contain_text(words["between"])
    _assert_fits_the_screen(page)
    screenshot(page, f"window-confirmed-{locale}.png")

    page.get_by_test_id("reschedule").locator("summary").click()
    expect(page.get_by_test_id("reschedule").locator("summary")).to_have_text(words["another"])
    current = page.locator("[data-testid=window-choice][aria-current=true]")
    expect(current).to_have_text("12:00–14:00")
    page.get_by_test_id("window-choice").filter(has_text="14:00–16:00").first.click()
    expect(page.get_by_test_id("window-confirmed")).to_contain_text("16:00")
    screenshot(page, f"window-changed-{locale}.png")

    with fresh_session() as read:
        stored = read.scalar(select(Job).where(Job.number == number))
        assert stored.window_start.astimezone(ZoneInfo("Asia/Shanghai")).hour == 14
        assert stored.planned_start >= stored.window_start
        purposes = read.scalars(select(OutboxMessage.purpose).where(OutboxMessage.job_id == stored.id)).all()
        assert purposes.count("window_confirmed") == 1 and purposes.count("window_changed") == 1


DESK = {"viewport": {"width": 1366, "height": 900}}


def test_an_agent_books_the_window_on_the_customer_s_behalf_from_the_job_page(session, live_url, new_context,
                                                                              fresh_session, screenshot):
    from core.users import Role
    from tests.builders.core import PASSWORD, make_user

    region = make_region(session)
    make_technician(session, region=region)
    make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW)
    number = job.number
    _save(session)

    page = new_context(**DESK).new_page()
    page.goto(f"{live_url}/login?lang=en")
    page.fill("#username", "agent.li")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_url}/agent/jobs/{number}")
    card = page.get_by_test_id("job-window")
    expect(card.locator("h2")).to_have_text("Appointment window")
    card.get_by_test_id("job-window-choice").filter(has_text="08:00–10:00").first.click()
    expect(page.get_by_test_id("job-window-confirmed")).to_contain_text("between 08:00 and 10:00")
    expect(page.get_by_test_id("job-window")).to_contain_text("agent.li")
    screenshot(page, "job-window-booked.png")
    with fresh_session() as read:
        stored = read.scalar(select(Job).where(Job.number == number))
        assert stored.window_confirmed_by == "agent.li" and stored.window_start.astimezone(TZ).hour == 8
