"""A technician's agenda on a phone, in Chinese and in English: a look at tomorrow, back to today, a job
opened from the list, its next steps one primary button at a time, and a completion that fits a part from
the appliance model's bill of materials. Nothing may stick out sideways on a 390 px screen.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dispatch.jobs.models import Job
from dispatch.technicians.models import Technician
from inventory import ledger
from inventory.models import JobPart, JobPartState, StockLevel
from tests.browser.conftest import PHONE
from tests.browser.journey_steps import sign_in, sign_on_the_pad
from tests.builders.fieldwork import build_field_world
from tests.builders.inventory import make_part
from tests.conftest import NOW

pytestmark = pytest.mark.browser

HERE = {"latitude": 31.3021, "longitude": 120.6032}
TEXTS = {"en-US": {"today": "Today", "tomorrow": "Tomorrow", "other": "Other parts in your van (1)"},
         "zh-CN": {"today": "今天", "tomorrow": "明天", "other": "车上的其他配件（1 种）"}}


@pytest.fixture
def city(session):
    world = build_field_world(session, jobs=3)
    world.jobs[2].plan_day, world.jobs[2].route_position = world.jobs[2].plan_day + timedelta(days=1), 0
    world.board = make_part(session, sku="P-TVBOARD")  # in the van, but no part of a fridge
    ledger.receive(session, warehouse=world.tech.van, part=world.board, quantity=1, actor="test", now=NOW)
    session.commit()
    session.close()  # the live server writes next; an open SQLite transaction would stall it
    return world


def _fits_390(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_technician_looks_at_tomorrow_then_completes_todays_job_with_a_model_part(city, live_url, new_context,
                                                                                    fresh_session, screenshot, locale):
    texts, tag = TEXTS[locale], locale[:2]
    page = new_context(**{**PHONE, "locale": locale}, geolocation=HERE, permissions=["geolocation"]).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech")
    first, tomorrow_job = city.jobs[0], city.jobs[2]
    rows = page.locator("li.agenda-row")

    tomorrow = page.get_by_test_id(f"day-{tomorrow_job.plan_day.isoformat()}")
    expect(tomorrow).to_have_text(texts["tomorrow"])
    tomorrow.click()
    page.wait_for_url(re.compile(rf"/tech\?day={tomorrow_job.plan_day.isoformat()}$"))
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_have_attribute("data-job", tomorrow_job.number)
    expect(tomorrow).to_have_attribute("aria-current", "date")
    _fits_390(page)
    screenshot(page, f"tech-agenda-tomorrow-{tag}.png")

    page.get_by_test_id("day-switcher").get_by_text(texts["today"], exact=True).click()
    page.wait_for_url(re.compile(r"/tech$"))
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-job", first.number)
    expect(rows.nth(1)).to_have_attribute("data-job", city.jobs[1].number)
    expect(page.locator(".route-map svg")).to_be_visible()
    _fits_390(page)
    screenshot(page, f"tech-agenda-today-{tag}.png")

    rows.nth(0).locator("a").click()
    page.wait_for_url(f"{live_url}/tech/jobs/{first.number}")
    primary = page.locator("[data-kind=primary]")
    for step, status in (("accept", "assigned"), ("en_route", "en_route"), ("on_site", "on_site")):
        expect(primary).to_have_count(1)
        expect(primary).to_have_attribute("data-testid", f"action-{step}")
        _fits_390(page)
        if step == "accept":
            screenshot(page, f"tech-job-next-step-{tag}.png")
        primary.click()
        expect(page.locator(f"[data-testid=job-status].status-{status}")).to_be_visible()
    expect(primary).to_have_count(0)  # on site, the next step is the completion form's one button
    expect(page.get_by_test_id("complete")).to_have_count(1)

    # The fridge's gasket is offered first, with the fridge's parts; the TV board waits folded below.
    model_parts, other_parts = page.get_by_test_id("model-parts"), page.get_by_test_id("other-parts")
    expect(model_parts.locator(f"#use_{city.part.id}")).to_have_value("0")
    expect(other_parts.locator("summary")).to_have_text(texts["other"])
    expect(other_parts.locator(f"#use_{city.board.id}")).to_be_hidden()
    page.fill("#note", "Door gasket replaced." if tag == "en" else "更换门封条。")
    page.fill(f"#use_{city.part.id}", "1")
    sign_on_the_pad(page, touch=tag == "zh")
    _fits_390(page)
    screenshot(page, f"tech-job-complete-model-part-{tag}.png")
    page.get_by_test_id("complete").click()
    expect(page.locator("[data-testid=job-status].status-completed")).to_be_visible()
    _fits_390(page)

    with fresh_session() as session:
        job = session.scalar(select(Job).where(Job.number == first.number))
        technician = session.get(Technician, city.tech.id)
        assert job.status == "completed"
        fitted = session.scalars(select(JobPart).where(JobPart.job_id == job.id)).all()
        assert [(line.part_id, line.quantity, line.state) for line in fitted] == [(city.part.id, 1,
                                                                                   JobPartState.CONSUMED)]
        assert session.get(StockLevel, (technician.van_warehouse_id, city.part.id)).on_hand == 2
        assert session.get(StockLevel, (technician.van_warehouse_id, city.board.id)).on_hand == 1


def test_the_day_stays_readable_without_a_connection_once_loaded(city, live_url, new_context, screenshot):
    page = new_context(**PHONE).new_page()
    sign_in(page, live_url, "tech01")
    page.goto(f"{live_url}/tech")
    # The worker starts and keeps the agenda that registered it; the pages opened from now on go through it.
    page.wait_for_function("() => navigator.serviceWorker.ready.then(r => r.active && r.active.state === 'activated')")
    first = city.jobs[0]
    page.locator(f"li[data-job='{first.number}'] a").click()
    page.wait_for_url(f"{live_url}/tech/jobs/{first.number}")
    expect(page.get_by_test_id("offline-copy")).to_be_hidden()
    page.go_back()
    page.wait_for_url(f"{live_url}/tech")
    # Both pages are kept (the worker stores them as they arrive) before the connection goes.
    page.wait_for_function("""(paths) => caches.open('aftercare-tech-day-v1')
        .then(cache => Promise.all(paths.map(path => cache.match(path)))).then(kept => kept.every(Boolean))""",
                           arg=["/tech", f"/tech/jobs/{first.number}"], polling=100)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("li.agenda-row")).to_have_count(2)
    expect(page.get_by_test_id("offline-copy")).to_be_visible()
    page.locator(f"li[data-job='{first.number}'] a").click()
    page.wait_for_url(f"{live_url}/tech/jobs/{first.number}")
    expect(page.get_by_test_id("fault")).to_have_text(first.fault_text)
    expect(page.get_by_test_id("offline-copy")).to_be_visible()
    _fits_390(page)
    screenshot(page, "tech-job-offline-copy.png")
    # A status update from the kept page waits in the phone's queue, as on a live page.
    page.get_by_test_id("action-accept").click()
    expect(page.locator("#queue-status")).to_contain_text("1 update(s) waiting to send")
