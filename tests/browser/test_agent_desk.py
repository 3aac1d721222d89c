"""The agent's main task at a 1366×900 desk, in English and in Chinese: a caller gives the last four
digits of their phone, the agent finds the job, reads when the technician comes, and cancels a job with
a reason after confirming. Screenshots land in out/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.local_time import zone_of
from care.models import MessageChannel
from care.outbox import queue_message
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.parts.services import request_part
from tests.builders.care import TZ
from tests.builders.core import PASSWORD, make_user
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 900}}


def _world(session):
    world = build_field_world(session, jobs=1)
    make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="agent.wang", role=Role.AGENT)
    english, chinese = world.jobs[0], world.other_job
    english.customer.phone, chinese.customer.phone = "+86 131 1001 5293", "139-8888-6610"
    chinese.customer.name = chinese.contact_name = "王小明"
    for job in (english, chinese):
        request_part(session, job=job, part=world.spare, quantity=1, actor=Actor(label="tech01"), now=NOW)
        queue_message(session, channel=MessageChannel.WEBHOOK, purpose="survey", recipient=f"sms:{job.contact_phone}",
                      subject="Your technician is booked", body="...", now=NOW, job=job)
    session.commit()
    facts = [(job.number, job.technician.user.display_name,
              job.planned_start.astimezone(zone_of(job, TZ)).strftime("%H:%M")) for job in (english, chinese)]
    session.close()
    return facts


def _sign_in(page, live_url: str, lang: str) -> None:
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "agent.li")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang, locale, digits, words", [
    ("en", "en-US", "5293", {"search": "Search", "cancel": "Cancel job…", "confirm": "Yes, cancel job",
                             "button": "Cancel job", "cancelled": "Cancelled", "reason": "Reason for cancelling"}),
    ("zh", "zh-CN", "6610", {"search": "搜索", "cancel": "取消工单…", "confirm": "确认取消工单",
                             "button": "取消工单", "cancelled": "已取消", "reason": "取消原因"}),
])
def test_an_agent_finds_a_caller_by_four_digits_reads_the_visit_and_cancels_with_a_reason(
        session, live_url, new_context, screenshot, lang, locale, digits, words):
    facts = _world(session)
    number, technician, arrival = facts[0] if lang == "en" else facts[1]
    page = new_context(locale=locale, **DESK).new_page()
    _sign_in(page, live_url, lang)
    page.goto(f"{live_url}/agent?lang={lang}")
    page.get_by_test_id("queue-new").click()
    expect(page.get_by_test_id("queue")).to_contain_text(number)  # a QR report nobody owns yet
    screenshot(page, f"agent-desk-new-queue-{lang}.png")

    page.locator("#q").fill(digits)
    page.get_by_role("button", name=words["search"], exact=True).click()
    results = page.get_by_test_id("job-results")
    expect(results).to_contain_text(number)
    expect(results).to_contain_text(technician)
    screenshot(page, f"agent-desk-search-{lang}.png")

    results.get_by_role("link", name=number).click()
    answer = page.get_by_test_id("visit-answer")
    expect(answer).to_contain_text(technician)
    expect(answer).to_contain_text(arrival)
    expect(page.get_by_test_id("eta")).to_contain_text(arrival)
    assert page.locator("#to_user").input_value() == ""  # hand-over chooses nobody until the agent does
    screenshot(page, f"agent-job-{lang}.png")

    page.get_by_text(words["cancel"], exact=True).click()
    cancel = page.get_by_role("button", name=words["button"], exact=True)
    cancel.click()  # nothing typed, nothing ticked: the browser keeps the form open and nothing is sent
    expect(page.get_by_test_id("job-status")).not_to_have_text(words["cancelled"])
    page.get_by_label(words["reason"]).fill("Customer bought a new fridge" if lang == "en" else "客户已购买新冰箱")
    page.get_by_label(words["confirm"]).check()
    screenshot(page, f"agent-job-cancel-{lang}.png")
    cancel.click()
    expect(page.get_by_test_id("job-status")).to_have_text(words["cancelled"])
    expect(page.get_by_test_id("events")).to_contain_text(
        "Customer bought a new fridge" if lang == "en" else "客户已购买新冰箱")
    screenshot(page, f"agent-job-cancelled-{lang}.png")
