"""Real headless-browser journey on the re-optimisation preview, at a desk (1366×900) in Chinese and
English: a dispatcher whose region's day was pulled out of shape asks the board for a plan, the
scheduler computes it, and the preview says how many jobs are served, the travel now and with the plan,
which jobs change technician or time (before and after, with their start in the region's local time)
and how many customers' arrivals move by more than half an hour; applying it sends the dispatcher
back to the board. Screenshots land in out/screenshots/."""
from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.geo import GreatCircleProvider
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.planning.models import PlanRun
from dispatch.planning.moves import move_job
from tests.api.board.test_dispatch_api import run_worker
from tests.builders.core import PASSWORD
from tests.builders.fieldwork import TZ, build_field_world
from tests.conftest import NOW

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 900}}
TEXTS = {
    "zh-CN": {"done": "完成", "before": "当前路程", "min": "{} 分钟", "solver": "已找到可行方案，用时",
              "moved": "到达时间变动超过 30 分钟的客户：", "later": "推迟 {} 分钟", "earlier": "提前 {} 分钟",
              "same": "时间不变", "applied": "已应用于"},
    "en-US": {"done": "Done", "before": "Travel now", "min": "{} min", "solver": "Good plan found in",
              "moved": "Customers whose arrival would move by more than 30 minutes: ", "later": "{} min later",
              "earlier": "{} min earlier", "same": "same time", "applied": "applied"},
}


@pytest.fixture
def pulled_apart(session):
    """tech01's three visits near home; two of them moved to tech02 across town, so a plan has
    something to put right."""
    world = build_field_world(session, jobs=3)
    for job in world.jobs[1:]:
        move_job(session, job=job, technician=world.other, actor=Actor.staff(world.dispatcher), now=NOW, tz=TZ,
                 provider=GreatCircleProvider())
    session.commit()
    moved = [job.number for job in world.jobs[1:]]
    names = SimpleNamespace(tech=world.tech.user.display_name, other=world.other.user.display_name, moved=moved)
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return names


def _sign_in(page, live_url: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", "dispatch.zhou")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_dispatcher_reads_the_plan_preview_and_applies_it(pulled_apart, app, live_url, new_context, fresh_session,
                                                            screenshot, locale):
    texts = TEXTS[locale]
    page = new_context(locale=locale, **DESK).new_page()
    _sign_in(page, live_url)
    page.goto(f"{live_url}/dispatch?region=gusu")
    page.select_option("#time_limit", "1")
    page.get_by_test_id("reoptimise").click()
    page.wait_for_url(re.compile(r"/dispatch/plans/\d+$"))
    expect(page.get_by_test_id("plan-waiting")).to_be_visible()
    screenshot(page, f"dispatch-plan-waiting-{locale}.png")
    run_worker(app)  # the scheduler's part; the page refreshes itself until the plan is done
    expect(page.get_by_test_id("plan-status")).to_have_text(texts["done"])
    with fresh_session() as session:
        plan = session.scalar(select(PlanRun).order_by(PlanRun.id.desc()))
        result = plan.result
    summary = page.get_by_test_id("plan-summary")
    expect(page.get_by_test_id("served")).to_have_text(str(result["served"]))
    assert result["served"] == 4
    expect(summary).to_contain_text(f"{texts['before']}{_minutes(result['travel_seconds_before'], texts)}")
    expect(page.get_by_test_id("travel-after")).to_have_text(_minutes(result["travel_seconds"], texts))
    assert result["travel_seconds"] < result["travel_seconds_before"]  # the day was pulled out of shape
    expect(page.get_by_test_id("solver")).to_contain_text(texts["solver"])

    # Every change with who and when before and after, the start in the region's local time.
    assert result["changes"] and result["moved_over_30_min"] >= 1
    expect(page.get_by_test_id("moved-over-30")).to_have_text(f"{texts['moved']}{result['moved_over_30_min']}")
    rows = page.get_by_test_id("plan-changes").locator("tbody tr")
    expect(rows).to_have_count(len(result["changes"]))
    for change in result["changes"]:
        cells = page.locator(f'[data-testid="plan-changes"] tr[data-job="{change["job"]}"] td')
        expect(cells.nth(1)).to_have_text(f"{change['technician_before']} {_clock(change['start_before'])}")
        expect(cells.nth(2)).to_have_text(f"{change['technician_after']} {_clock(change['start_after'])}")
        expect(cells.nth(3)).to_have_text(_moved(change["moved_minutes"], texts))
    _assert_nothing_untranslated(page, locale)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    screenshot(page, f"dispatch-plan-preview-{locale}.png")

    page.get_by_test_id("apply-plan").click()
    expect(page.locator(".notice")).to_contain_text(texts["applied"])
    assert "/dispatch?region=gusu" in page.url
    screenshot(page, f"dispatch-plan-applied-{locale}.png")
    with fresh_session() as session:
        for change in result["changes"]:
            job = session.scalar(select(Job).where(Job.number == change["job"]))
            assert (job.technician.user.display_name, job.planned_start) == (
                change["technician_after"], datetime.fromisoformat(change["start_after"]))


def _minutes(seconds: int, texts: dict) -> str:
    return texts["min"].format(round(seconds / 60))


def _clock(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(TZ).strftime("%H:%M")


def _moved(minutes: int | None, texts: dict) -> str:
    if minutes is None:
        return "—"
    return texts["later"].format(minutes) if minutes > 0 else (
        texts["earlier"].format(-minutes) if minutes < 0 else texts["same"])


def _assert_nothing_untranslated(page, locale: str) -> None:
    """The words of the page's own text (job numbers, names and times aside) are Chinese in Chinese."""
    if locale != "zh-CN":
        return
    text = page.locator("main").inner_text()
    words = set(re.findall(r"\b[a-z]{3,}\b", text))
    assert not words, f"English words on the Chinese page: {sorted(words)}"
