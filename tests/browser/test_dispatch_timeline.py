"""A dispatcher at a 1366x900 desk, in Chinese and in English: the board shows each technician's day as
a timeline; "Move…" on a job opens its candidates with the consequences of each; confirming moves the
job, which the board then shows in its new row. Dragging a job onto a technician's row opens the same
consequences, preselected for that technician, and moves nothing by itself.

Screenshots land in out/screenshots/ for a human to look at."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, Job
from tests.browser.test_office_pages import _english_ui_texts
from tests.builders.core import PASSWORD
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.fieldwork import TZ, build_field_world, planned_job
from tests.conftest import NOW

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 900}}
TODAY = NOW.astimezone(TZ).date()


@pytest.fixture
def city(session):
    world = build_field_world(session)
    model = world.jobs[0].asset.product_model
    for n in range(14):
        technician = make_technician(session, region=world.region, home=(31.28 + 0.01 * n, 120.58 + 0.008 * n),
                                     break_minutes=60, username=f"tech{n + 3:02d}")
        for k in range(1 + n % 3):
            planned_job(session, technician=technician, region=world.region, model=model,
                        at=(31.29 + 0.01 * n + 0.005 * k, 120.59 + 0.008 * n + 0.004 * k))
    make_technician(session, region=world.region, skills={"washing": 2}, username="washer")
    make_technician(session, region=world.region, username="weekend",
                    weekdays=[d for d in range(7) if d != TODAY.weekday()])
    promised = world.jobs[1]
    promised.window_start = promised.planned_start - timedelta(minutes=30)
    promised.window_end = promised.planned_start + timedelta(minutes=90)
    waiting = report_fault(session, asset=make_asset(session, region=world.region, model=model, at=(31.335, 120.645)),
                           actor=CUSTOMER, now=NOW, tz=TZ,
                           report=FaultReport(channel=Channel.QR, fault_text="Freezer is warm and beeping",
                                              contact_name="Li Na", contact_phone="+86 138 0000 0002")).job
    session.commit()
    world.waiting = waiting
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _sign_in(page, live_url: str, lang: str) -> None:
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "dispatch.zhou")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _fits_the_screen(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


WORDS = {
    "en": {"moved": "moved to", "chosen": "You chose", "candidates": "Who can take it on"},
    "zh": {"moved": "改派给", "chosen": "你选择了", "candidates": "谁能接单"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_dispatcher_moves_a_job_after_seeing_what_it_does(city, live_url, new_context, fresh_session, screenshot,
                                                           lang):
    words = WORDS[lang]
    page = new_context(locale="zh-CN" if lang == "zh" else "en-US", **DESK).new_page()
    _sign_in(page, live_url, lang)
    page.goto(f"{live_url}/dispatch?region=gusu&lang={lang}")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    for job in [*city.jobs, city.other_job]:
        expect(timeline.get_by_test_id(f"block-{job.number}")).to_be_visible()
    expect(timeline.locator(".tl-row[data-drop-technician]")).to_have_count(18)
    expect(timeline.locator(".tl-break").first).to_be_visible()
    expect(timeline.locator(".tl-window")).to_have_count(1)
    screenshot(page, f"dispatch-timeline-{lang}.png")
    _fits_the_screen(page)
    if lang == "zh":
        assert not _english_ui_texts(page), _english_ui_texts(page)
    screenshot(page, f"dispatch-timeline-{lang}.png")

    job = city.other_job
    page.locator("tr[data-technician='tech02']").get_by_test_id(f"move-{job.number}").click()
    expect(page.locator("main h2").filter(has_text=words["candidates"])).to_be_visible()
    candidates = page.get_by_test_id("candidates")
    expect(candidates.get_by_test_id("candidate-tech01")).to_be_visible()
    expect(candidates.get_by_test_id("candidate-washer")).to_have_count(0)
    expect(page.get_by_test_id("excluded-washer")).to_be_visible()
    expect(page.get_by_test_id("excluded-weekend")).to_be_visible()
    expect(page.get_by_test_id("consequences-tech01")).to_contain_text("→")
    _fits_the_screen(page)
    if lang == "zh":
        assert not _english_ui_texts(page), _english_ui_texts(page)
    screenshot(page, f"dispatch-move-{lang}.png")

    page.get_by_test_id("confirm-tech01").click()
    expect(page.locator(".notice")).to_contain_text(words["moved"])
    expect(page.get_by_test_id("timeline-row-tech01").get_by_test_id(f"block-{job.number}")).to_be_visible()
    expect(page.get_by_test_id("timeline-row-tech02").get_by_test_id(f"block-{job.number}")).to_have_count(0)
    with fresh_session() as session:
        assert session.execute(select(Job.technician_id, Job.plan_day).where(Job.id == job.id)).one() == \
            (city.tech.id, TODAY)
    screenshot(page, f"dispatch-timeline-moved-{lang}.png")


def test_dragging_a_job_onto_a_technician_opens_the_consequences_for_them(city, live_url, new_context, fresh_session,
                                                                        screenshot):
    page = new_context(**DESK).new_page()
    _sign_in(page, live_url, "en")
    page.goto(f"{live_url}/dispatch?region=gusu&lang=en")
    expect(page.locator("[data-drag-hint]")).to_be_visible()  # the script is on
    job = city.jobs[0]
    before = None
    with fresh_session() as session:
        before = session.execute(select(Job.technician_id, Job.planned_start).where(Job.id == job.id)).one()
    target = page.get_by_test_id("timeline-row-tech02").locator(".tl-track")
    page.get_by_test_id(f"block-{job.number}").drag_to(target, target_position={"x": 5, "y": 10})
    page.wait_for_url(re.compile(rf"/dispatch/jobs/{job.number}/move\?.*technician={city.other.id}"))
    expect(page.get_by_test_id("chosen")).to_contain_text("You chose")
    expect(page.get_by_test_id("candidate-tech02")).to_have_class(re.compile("chosen"))
    expect(page.get_by_test_id("confirm-tech02")).to_be_visible()
    screenshot(page, "dispatch-drop-consequences-en.png")
    with fresh_session() as session:  # a drop alone moves nothing
        assert session.execute(select(Job.technician_id, Job.planned_start).where(Job.id == job.id)).one() == before

    # A waiting job dropped on a row opens its own move page, for that technician.
    page.goto(f"{live_url}/dispatch?region=gusu&lang=en")
    page.locator(f"tr[data-job='{city.waiting.number}']").drag_to(
        page.get_by_test_id("timeline-row-tech01").locator(".tl-track"))
    page.wait_for_url(re.compile(rf"/dispatch/jobs/{city.waiting.number}/move\?.*technician={city.tech.id}"))
    expect(page.get_by_test_id("candidate-tech01")).to_have_class(re.compile("chosen"))
