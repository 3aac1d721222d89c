"""Real headless-browser journeys for closing the loop: a customer answers the callback survey on a
phone (in Chinese, with a mistake first); an agent closes a follow-up task; a manager reads the
service dashboard on a desktop. Screenshots land in out/screenshots/."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from care.models import FollowUpTask, Survey, SurveyOutcome
from core.users import Role
from demo.care_history import load_service_history
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.builders.care import TZ, complete_job, make_open_job
from tests.builders.core import PASSWORD, make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

pytestmark = pytest.mark.browser


def _completed_survey(session) -> Survey:
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="manager.xu", role=Role.MANAGER)
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW - timedelta(days=2))
    complete_job(session, job, actor=Actor.staff(agent), now=NOW - timedelta(days=2))
    session.commit()
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    session.close()
    return survey


def _fits(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def _sign_in(page, live_url: str, username: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_customer_answers_the_survey_on_a_phone_in_chinese(session, live_url, new_context, fresh_session, screenshot):
    survey = _completed_survey(session)
    page = new_context(locale="zh-CN", **PHONE).new_page()
    page.goto(f"{live_url}/s/{survey.token}")
    expect(page.locator("h1")).to_have_text("服务评价")
    _fits(page)
    screenshot(page, "survey-phone-zh.png")

    page.get_by_text("设备仍有问题").click()   # the checkbox label is a big touch target
    page.locator("#comment").fill("还是不制冷")
    page.get_by_role("button", name="提交评价").click()   # forgot the rating and "fixed?"
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".field-error").first).to_have_text("请选择1到5分。")
    expect(page.locator("input[value=product]")).to_be_checked()  # what was chosen is kept
    expect(page.locator("#comment")).to_have_value("还是不制冷")
    _fits(page)
    screenshot(page, "survey-phone-errors.png")
    with fresh_session() as check:
        assert check.get(Survey, survey.id).answered_at is None

    page.locator("label.pill", has_text="较差").click()     # 2 of 5
    page.locator("label.pill", has_text="否").click()    # not fixed
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(re.compile(r"done=1"))
    expect(page.get_by_test_id("survey-thanks")).to_contain_text("安排再次上门")
    screenshot(page, "survey-phone-thanks.png")
    with fresh_session() as check:
        answered = check.get(Survey, survey.id)
        assert (answered.rating, answered.fixed, answered.outcome) == (2, False, SurveyOutcome.FOLLOW_UP_VISIT)
        assert check.get(Job, answered.job_id).status == JobStatus.TRIAGED

    page.goto(f"{live_url}/s/{survey.token}")
    expect(page.get_by_test_id("survey-already")).to_contain_text("您已提交过评价")


def test_an_agent_closes_a_follow_up_task(session, live_url, new_context, fresh_session, screenshot):
    survey = _completed_survey(session)
    phone = new_context(**PHONE).new_page()
    phone.goto(f"{live_url}/s/{survey.token}")
    phone.locator("label.pill", has_text="Fair").click()
    phone.locator("label.pill", has_text="Yes").click()
    phone.get_by_text("The technician's attitude").click()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_test_id("survey-thanks")).to_contain_text("A supervisor will call you personally.")

    page = new_context(**DESKTOP).new_page()
    _sign_in(page, live_url, "agent.li")
    page.goto(f"{live_url}/tasks")
    task = page.locator(".task").first
    expect(task).to_contain_text("Case reopened")
    task.get_by_role("button", name="Done").click()
    expect(page.get_by_role("alert")).to_have_text("Choose how the call ended.")
    page.locator(".task select").first.select_option("resolved")
    page.locator(".task input[name=note]").first.fill("Apologised; the supervisor calls tomorrow")
    page.locator(".task button").first.click()
    expect(page.get_by_test_id("no-tasks")).to_be_visible()
    expect(page.get_by_test_id("done-tasks")).to_contain_text("Apologised")
    screenshot(page, "tasks-desktop.png")
    with fresh_session() as check:
        done = check.scalars(select(FollowUpTask).where(FollowUpTask.done_at.is_not(None))).all()
        assert [t.outcome.value for t in done] == ["resolved"]


def _service_history(session, *, weeks: int, region_name: str | None = None) -> str:
    """A region with four technicians, forty appliances and `weeks` of jobs behind them; an agent and a
    manager. Returns the region's name."""
    region = make_region(session)
    if region_name:
        region.name = region_name
    make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="manager.xu", role=Role.MANAGER)
    for _n in range(4):
        make_technician(session, region=region, skills={"refrigeration": 2})
    for _n in range(40):
        make_asset(session, region=region)
    load_service_history(session, now=NOW, tz=TZ, weeks=weeks, per_day=3)
    session.commit()
    name = region.name
    session.close()
    return name


def test_a_manager_reads_the_service_dashboard(session, live_url, new_context, screenshot):
    _service_history(session, weeks=4)

    page = new_context(**DESKTOP).new_page()
    _sign_in(page, live_url, "agent.li")
    assert page.goto(f"{live_url}/manager/dashboard").status == 403
    page.context.clear_cookies()
    _sign_in(page, live_url, "manager.xu")
    page.goto(f"{live_url}/manager/dashboard")
    expect(page.locator("h1")).to_have_text("Service dashboard")
    for key in ("response", "repair", "satisfaction"):
        expect(page.get_by_test_id(f"kpi-{key}")).to_contain_text("target")
        expect(page.get_by_test_id(f"kpi-{key}").locator(".value")).to_have_text(re.compile(r"^\d+\.\d %$"))
    assert page.locator("[data-testid=trend] svg polyline").count() >= 3
    expect(page.get_by_test_id("faults")).to_contain_text("Model")
    expect(page.get_by_test_id("fault-rates")).to_contain_text("Per 1,000")
    screenshot(page, "dashboard-desktop.png")

    page.locator("[data-testid=trend] a.trend-point").first.click()
    expect(page.locator("h1")).to_have_text("Jobs whose response clock is counted")
    expect(page.get_by_test_id("drill-summary")).to_be_visible()
    page.go_back()

    page.fill("#from", "2026-11-20")
    page.fill("#to", "2026-11-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("before its start")


WIDE = {"viewport": {"width": 1366, "height": 900}}
TITLES = {"en-US": ("Service dashboard", "Late repair", "Region,Jobs,Late response"),
          "zh-CN": ("服务看板", "修复超时", "区域,工单数,响应超时")}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_manager_opens_the_jobs_behind_a_number_and_downloads_the_table(session, live_url, new_context,
                                                                           screenshot, locale):
    region_name = _service_history(session, weeks=8, region_name="姑苏区" if locale == "zh-CN" else "Gusu")
    title, late_repair, header = TITLES[locale]

    page = new_context(locale=locale, accept_downloads=True, **WIDE).new_page()
    page.goto(f"{live_url}/login")
    page.fill("#username", "manager.xu")
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_url}/manager/dashboard")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_test_id("kpi-first_time_fix").locator(".value")).to_have_text(re.compile(r"^\d+\.\d %$"))
    expect(page.get_by_test_id("kpi-response-previous")).to_be_visible()
    _fits(page)
    screenshot(page, f"dashboard-kpis-{locale}.png")

    missed = page.get_by_test_id("kpi-repair-3")
    count = int(missed.inner_text())
    assert count > 0
    missed.click()
    expect(page.locator("h1")).to_have_text(late_repair)
    expect(page.get_by_test_id("drill-jobs").locator("tbody tr")).to_have_count(count)
    _fits(page)
    screenshot(page, f"dashboard-drill-late-repair-{locale}.png")

    page.go_back()
    row = page.get_by_test_id("group-rows").locator("tbody tr", has_text=region_name)
    jobs = row.get_by_test_id("row-jobs")
    count = int(jobs.inner_text())
    jobs.click()
    expect(page.locator("h1")).to_contain_text(region_name)
    expect(page.get_by_test_id("drill-jobs").locator("tbody tr")).to_have_count(count)
    screenshot(page, f"dashboard-drill-region-{locale}.png")

    page.go_back()
    with page.expect_download() as downloading:
        page.get_by_test_id("download-csv").click()
    download = downloading.value
    assert re.fullmatch(r"dashboard-regions-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(header)
    assert any(line.startswith(f"{region_name},{count},") for line in lines[1:])
