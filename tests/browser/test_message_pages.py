"""A customer stops the non-essential messages from the link in one of them, on a phone, in Chinese, and
takes it back in English. Screenshots land in out/screenshots/."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from care.customer_messages import JOB_COMPLETED
from care.models import OutboxMessage
from core.users import Role
from dispatch.catalog.models import Customer
from dispatch.jobs.audit import Actor
from tests.browser.conftest import PHONE
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def test_a_customer_stops_updates_from_the_message_link_and_takes_it_back(session, live_url, new_context,
                                                                          fresh_session, screenshot):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW - timedelta(days=1))
    complete_job(session, job, actor=Actor.staff(agent), now=NOW - timedelta(days=1))
    session.commit()
    body = session.scalars(select(OutboxMessage.body).where(OutboxMessage.purpose == JOB_COMPLETED)).one()
    customer_id = job.customer_id
    session.close()
    link = re.search(r"https?://\S+/messages/opt-out/\S+", body).group(0)
    path = link[link.index("/messages/"):]

    page = new_context(locale="zh-CN", **PHONE).new_page()
    page.goto(f"{live_url}{path}")
    expect(page.locator("h1")).to_have_text("服务单消息通知")
    _fits(page)
    screenshot(page, "opt-out-phone-zh.png")
    with fresh_session() as check:
        assert check.get(Customer, customer_id).messages_opted_out_at is None  # opening the link changed nothing
    page.get_by_role("button", name="停止接收这些消息").click()
    expect(page.get_by_test_id("opted-out")).to_contain_text("您将不再收到")
    _fits(page)
    screenshot(page, "opt-out-phone-zh-done.png")
    with fresh_session() as check:
        assert check.get(Customer, customer_id).messages_opted_out_at is not None

    english = new_context(**PHONE).new_page()
    english.goto(f"{live_url}{path}")
    expect(english.get_by_test_id("opted-out")).to_contain_text("You will no longer get updates")
    english.get_by_role("button", name="Send me all updates again").click()
    expect(english.get_by_role("button", name="Stop these updates")).to_be_visible()
    screenshot(english, "opt-out-phone-en.png")
    with fresh_session() as check:
        assert check.get(Customer, customer_id).messages_opted_out_at is None
