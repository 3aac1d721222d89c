"""Real headless-browser journeys for the SLA clocks: an agent records a call with the customer on the
job page (the response clock stops, named); a dispatcher, in Chinese, acknowledges an escalation on
the board, resolves it with a note and finds it under "resolved". Screenshots land in out/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.users import Role
from dispatch.jobs.models import Escalation, Job, ResponseKind
from tests.browser.conftest import DESKTOP
from tests.builders.care import make_open_job
from tests.builders.core import PASSWORD, make_region, make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

pytestmark = pytest.mark.browser
OFFICE = {**DESKTOP, "viewport": {"width": 1366, "height": 900}}


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _open_job(session, *, escalate: bool = False) -> Job:
    region = make_region(session)
    job = make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW)
    if escalate:
        session.add(Escalation(job=job, kind="unassignable", reason="Nobody with the 'hvac' skill in range",
                               raised_at=NOW))
    session.commit()
    return job


def test_an_agent_records_a_call_and_the_response_clock_stops(session, live_url, new_context, fresh_session,
                                                               screenshot):
    make_user(session, username="agent.li", role=Role.AGENT)
    job = _open_job(session)
    number, job_id = job.number, job.id
    session.close()
    page = new_context(**OFFICE).new_page()
    _sign_in(page, live_url, "agent.li")
    page.goto(f"{live_url}/agent/jobs/{number}")
    expect(page.get_by_test_id("response")).to_contain_text("Nobody has responded yet")
    page.get_by_test_id("record-contact").click()  # nothing written yet: the browser asks for the note
    with fresh_session() as check:
        assert check.get(Job, job_id).responded_at is None
    page.locator("#contact-channel").select_option("phone")
    page.get_by_test_id("contact-note").fill("Called: a technician comes tomorrow morning")
    page.get_by_test_id("record-contact").click()
    page.wait_for_load_state()
    expect(page.get_by_text("the response clock of job")).to_be_visible()
    expect(page.get_by_test_id("response")).to_contain_text("by User")
    expect(page.get_by_test_id("response")).to_contain_text("Contact recorded")
    expect(page.get_by_test_id("events")).to_contain_text("Customer contacted")
    screenshot(page, "job-contact-recorded.png")
    with fresh_session() as check:
        assert check.get(Job, job_id).response_kind == ResponseKind.CONTACT


def test_a_dispatcher_acknowledges_and_resolves_an_escalation_in_chinese(session, live_url, new_context,
                                                                        fresh_session, screenshot):
    make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    job = _open_job(session, escalate=True)
    number = job.number
    escalation_id = session.query(Escalation.id).scalar()
    session.close()
    page = new_context(locale="zh-CN", **OFFICE).new_page()
    _sign_in(page, live_url, "dispatch.zhou")
    page.goto(f"{live_url}/dispatch")
    item = page.locator(f"[data-escalation='{escalation_id}']")
    expect(item).to_contain_text(number)
    expect(item).to_contain_text("2026-11-23 10:00")  # raised, in the region's local time
    page.get_by_test_id(f"acknowledge-{escalation_id}").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id(f"escalation-state-{escalation_id}")).to_have_text("已认领")
    expect(item).to_contain_text("认领")
    screenshot(page, "board-escalation-acknowledged-zh.png")
    page.get_by_test_id(f"resolve-note-{escalation_id}").fill("已联系外协空调师傅，明天上午上门")
    page.get_by_test_id(f"resolve-{escalation_id}").click()
    page.wait_for_load_state()
    expect(page.locator(f"[data-escalation='{escalation_id}']")).to_have_count(0)  # only unresolved by default
    page.get_by_test_id("escalation-filter").select_option("resolved")
    page.locator("#escalations + form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(f"[data-escalation='{escalation_id}']")).to_contain_text("明天上午上门")
    page.locator("#escalations").scroll_into_view_if_needed()
    screenshot(page, "board-escalation-resolved-zh.png")
    with fresh_session() as check:
        assert check.get(Escalation, escalation_id).resolved_by.username == "dispatch.zhou"
