"""Real headless-browser journeys: a consumer scans the QR label and reports a fault on a phone;
an agent takes a phone report on the desk and hands the case to a colleague.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import re
from datetime import UTC

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.users import Role
from dispatch.jobs.models import Job
from tests.browser.conftest import DESKTOP, PHONE
from tests.builders.core import PASSWORD, make_user
from tests.builders.dispatch import make_asset

pytestmark = pytest.mark.browser

JOB_NUMBER = re.compile(r"^AC-[0-9A-Z]{8}$")


def _save(session) -> None:
    """Commits the test data and ends the test's session. On SQLite every transaction begins IMMEDIATE
    (core/db.py), so a session left in a transaction (say, by a lazy load) would hold the write lock
    and stall the live server's next write; detached objects fail loudly instead."""
    session.commit()
    session.close()


def _jobs(fresh_session) -> list[Job]:
    """Every job, read in a new session that is closed at once (the rows stay readable, detached)."""
    with fresh_session() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def _fill_report(page, *, fault: str, name: str = "Wang Fang", phone: str = "+86 139 1234 5678") -> None:
    page.fill("#fault_text", fault)
    page.fill("#contact_name", name)
    page.fill("#contact_phone", phone)


def _submit(page) -> None:
    page.locator("#report-form button[type=submit]").click()


def _assert_fits_the_screen(page) -> None:
    """Nothing sticks out sideways: a phone page must not scroll horizontally."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


# --- consumer, on a phone --------------------------------------------------------------------------

@pytest.mark.parametrize("locale, title", [("en-US", "Your report was added"), ("zh-CN", "您的报修已并入")])
def test_a_stranger_scanning_a_label_with_an_open_job_is_told_it_was_added_without_its_link(
        session, live_url, new_context, fresh_session, screenshot, locale, title):
    asset = make_asset(session)
    _save(session)
    owner = new_context(**PHONE).new_page()
    owner.goto(f"{live_url}/r/{asset.qr_token}")
    _fill_report(owner, fault="The fridge is not cooling", phone="+86 139 1234 5678")
    _submit(owner)
    owner.wait_for_url(re.compile(r"/t/[^/?]+$"))
    tracking = owner.url

    page = new_context(**{**PHONE, "locale": locale}).new_page()
    page.goto(f"{live_url}/r/{asset.qr_token}")
    _fill_report(page, fault="It hums loudly at night", name="Li Na", phone="+86 137 5555 0000")
    _submit(page)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_test_id("joined")).to_be_visible()
    assert "/t/" not in page.url and tracking.rsplit("/", 1)[1] not in page.content()
    _assert_fits_the_screen(page)
    screenshot(page, f"report-joined-{locale}.png")
    [job] = _jobs(fresh_session)
    assert job.contact_phone == "+86 139 1234 5678"


def test_consumer_reports_a_fault_from_the_qr_label(session, live_url, phone_page, fresh_session, screenshot):
    asset = make_asset(session)
    _save(session)
    page = phone_page

    response = page.goto(f"{live_url}/r/{asset.qr_token}")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Report a fault")
    expect(page.locator(".facts")).to_contain_text(asset.product_model.name)
    expect(page.locator(".facts")).to_contain_text(asset.serial)
    # Bought 2026-03-01 with a 12-month warranty; today (fixed clock) is 2026-11-23.
    expect(page.get_by_test_id("verdict")).to_contain_text("Warranty: Free repair")
    expect(page.get_by_test_id("verdict")).to_contain_text("until 2027-03-01")
    expect(page.locator("#address")).to_have_value(asset.address)
    _assert_fits_the_screen(page)
    screenshot(page, "report-form.png")

    _fill_report(page, fault="Not cooling since yesterday, the display shows E4.")
    _submit(page)

    page.wait_for_url(re.compile(r"/t/[^/?]+$"))
    number = page.get_by_test_id("job-number").inner_text().strip()
    assert JOB_NUMBER.match(number), number
    expect(page.get_by_test_id("job-status")).to_have_text("Reported")
    expect(page.locator(".verdict")).to_contain_text("Free repair")
    expect(page.get_by_test_id("next-step")).to_contain_text("An agent will review your report")
    _assert_fits_the_screen(page)
    screenshot(page, "tracking.png")

    jobs = _jobs(fresh_session)
    assert [job.number for job in jobs] == [number]
    job = jobs[0]
    assert page.url.endswith(f"/t/{job.tracking_token}")
    assert job.fault_text == "Not cooling since yesterday, the display shows E4."
    assert (job.contact_name, job.contact_phone, job.address) == ("Wang Fang", "+86 139 1234 5678", asset.address)
    assert job.channel.value == "qr" and job.owner_user_id is None


def test_invalid_report_shows_errors_keeps_input_and_saves_nothing(session, live_url, phone_page, fresh_session,
                                                                   screenshot):
    asset = make_asset(session)
    _save(session)
    page = phone_page
    page.goto(f"{live_url}/r/{asset.qr_token}")

    _fill_report(page, fault="", name="Li Lei", phone="abc")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        _submit(page)
    assert posted.value.status == 422

    expect(page.locator(".error-summary")).to_have_text("Please check the fields marked below.")
    errors = page.locator(".field-error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_text("Please describe the fault in 5 to 2000 characters.")
    expect(errors.nth(1)).to_contain_text("Please give a phone number we can call")
    expect(page.locator("#fault_text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_name")).to_have_value("Li Lei")
    expect(page.locator("#contact_phone")).to_have_value("abc")
    assert "/r/" in page.url
    _assert_fits_the_screen(page)
    screenshot(page, "report-errors.png")

    assert _jobs(fresh_session) == []


def test_chinese_consumer_reports_in_chinese(session, live_url, new_context, fresh_session, screenshot):
    asset = make_asset(session)
    asset.product_model.name_zh = "冰川 420 升对开门冰箱"
    _save(session)
    page = new_context(**{**PHONE, "locale": "zh-CN"}).new_page()

    page.goto(f"{live_url}/r/{asset.qr_token}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("报修")
    expect(page.locator("label[for=fault_text]")).to_have_text("故障描述")
    expect(page.get_by_test_id("verdict")).to_contain_text("保修: 免费维修")
    # The reason is said in Chinese too, not only the verdict's name.
    expect(page.get_by_test_id("verdict")).to_contain_text("个月保修期内")
    expect(page.locator("#report-form button[type=submit]")).to_have_text("提交报修")
    _assert_fits_the_screen(page)
    screenshot(page, "report-zh.png")

    _fill_report(page, fault="冰箱不制冷，有异响", name="王芳", phone="138 0000 0002")
    _submit(page)

    page.wait_for_url(re.compile(r"/t/[^/?]+$"))
    expect(page.locator("h1")).to_have_text("您的服务单")
    expect(page.get_by_test_id("job-status")).to_have_text("已报修")
    expect(page.get_by_test_id("appliance")).to_have_text("冰川 420 升对开门冰箱")  # the model's Chinese name
    _assert_fits_the_screen(page)
    screenshot(page, "tracking-zh.png")
    [job] = _jobs(fresh_session)
    assert (job.fault_text, job.contact_name) == ("冰箱不制冷，有异响", "王芳")
    expect(page.get_by_test_id("job-number")).to_have_text(job.number)


def test_report_form_works_without_javascript(session, live_url, new_context, fresh_session):
    asset = make_asset(session)
    _save(session)
    page = new_context(**PHONE, java_script_enabled=False).new_page()

    page.goto(f"{live_url}/r/{asset.qr_token}")
    _fill_report(page, fault="Washing machine leaks water at the door.")
    _submit(page)

    page.wait_for_url(re.compile(r"/t/[^/?]+$"))
    expect(page.get_by_test_id("job-status")).to_have_text("Reported")
    [job] = _jobs(fresh_session)
    expect(page.get_by_test_id("job-number")).to_have_text(job.number)
    # No location was sent, so the job keeps the appliance's registered position.
    assert (job.latitude, job.longitude) == (pytest.approx(asset.latitude), pytest.approx(asset.longitude))


def test_location_button_stays_hidden_without_javascript(session, live_url, new_context):
    asset = make_asset(session)
    _save(session)
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live_url}/r/{asset.qr_token}")
    # Progressive enhancement: report.js un-hides the button; without scripts it would do nothing.
    expect(page.locator("#use-location")).to_have_attribute("hidden", "")
    expect(page.locator("#use-location")).to_be_hidden(timeout=1_000)


def test_use_my_location_attaches_the_phones_position(session, live_url, new_context, fresh_session):
    asset = make_asset(session)  # registered at 31.31, 120.62
    _save(session)
    context = new_context(**PHONE, geolocation={"latitude": 31.30, "longitude": 120.60},
                          permissions=["geolocation"])
    page = context.new_page()

    page.goto(f"{live_url}/r/{asset.qr_token}")
    expect(page.locator("#latitude")).to_have_value("")
    button = page.locator("#use-location")
    expect(button).to_be_visible()
    expect(button).to_have_text("Use my location")
    button.click()
    expect(page.locator("#latitude")).to_have_value("31.300000")
    expect(page.locator("#longitude")).to_have_value("120.600000")
    expect(page.locator("#location-status")).to_have_text("Location added from your phone.")

    _fill_report(page, fault="Dryer stops after five minutes.")
    _submit(page)
    page.wait_for_url(re.compile(r"/t/[^/?]+$"))

    [job] = _jobs(fresh_session)
    assert job.latitude == pytest.approx(31.30, abs=1e-6)
    assert job.longitude == pytest.approx(120.60, abs=1e-6)


def test_unknown_qr_token_shows_a_friendly_404_page(live_url, phone_page, screenshot):
    page = phone_page
    response = page.goto(f"{live_url}/r/not-a-real-token")
    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.locator("main")).to_contain_text("We could not find this page. If you scanned a label")
    assert not page.locator("body").inner_text().lstrip().startswith("{")
    screenshot(page, "not-found.png")


# --- agent, on a desktop ---------------------------------------------------------------------------

def _sign_in(page, live_url: str, username: str, password: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


def test_wrong_password_stays_on_the_login_page(session, live_url, new_context):
    make_user(session, username="agent.li", role=Role.AGENT)
    _save(session)
    page = new_context(**DESKTOP).new_page()

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        _sign_in(page, live_url, "agent.li", "not the password")
    assert posted.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert page.url == f"{live_url}/login"
    expect(page.locator("#username")).to_be_visible()
    # Not signed in: the desk sends the visitor back to sign in.
    page.goto(f"{live_url}/agent")
    assert "/login" in page.url


def test_agent_takes_a_phone_report_and_hands_the_case_over(session, live_url, new_context, fresh_session,
                                                            screenshot):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    colleague = make_user(session, username="agent.zhao", role=Role.AGENT)
    asset = make_asset(session)
    make_asset(session)  # another appliance, which the serial search must not list
    _save(session)
    page = new_context(**DESKTOP).new_page()

    _sign_in(page, live_url, "agent.li", PASSWORD)
    page.wait_for_url(f"{live_url}/agent")
    expect(page.locator(".who")).to_contain_text(agent.display_name)

    page.fill("#q", asset.serial)
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_test_id("asset-results").locator("tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(asset.serial)
    results.get_by_role("link", name="Report fault").click()

    page.wait_for_url(re.compile(rf"/agent/assets/{asset.id}/report$"))
    expect(page.locator("h1")).to_contain_text(asset.serial)
    expect(page.locator("#contact_name")).to_have_value(asset.customer.name)
    expect(page.locator("#contact_phone")).to_have_value(asset.customer.phone)
    page.select_option("#channel", "phone")
    page.fill("#fault_text", "Customer says the freezer is warm and the compressor clicks.")
    page.get_by_role("button", name="Open a job").click()

    page.wait_for_url(re.compile(r"/agent/jobs/AC-[0-9A-Z]{8}$"))
    number = page.get_by_test_id("job-number").inner_text().strip()
    assert JOB_NUMBER.match(number), number
    expect(page.locator(".notice")).to_have_text(f"Job {number} opened.")
    expect(page.get_by_test_id("owner")).to_have_text(agent.display_name)
    [job] = _jobs(fresh_session)
    assert (job.number, job.owner_user_id, job.channel.value) == (number, agent.id, "phone")

    page.select_option("#to_user", "agent.zhao")
    page.fill("#handover_note", "Going on leave; Zhao follows up.")
    page.get_by_role("button", name="Hand over").click()

    page.wait_for_url(f"{live_url}/agent/jobs/{number}")
    expect(page.locator(".notice")).to_have_text(f"{colleague.display_name} now owns job {number}.")
    expect(page.get_by_test_id("owner")).to_have_text(colleague.display_name)
    handover_row = page.get_by_test_id("events").locator("tbody tr", has_text="Ownership changed")
    expect(handover_row).to_have_count(1)
    expect(handover_row).to_contain_text("Going on leave; Zhao follows up.")
    screenshot(page, "agent-job.png")

    [job] = _jobs(fresh_session)
    assert job.owner_user_id == colleague.id


def test_an_agent_moves_a_job_on_the_technicians_behalf_only_with_an_override_reason(
        session, live_url, new_context, fresh_session, screenshot):
    from datetime import datetime, timedelta

    from dispatch.jobs.models import Channel, Job
    from dispatch.jobs.status import JobStatus
    from tests.builders.core import make_region
    from tests.builders.dispatch import make_technician

    make_user(session, username="agent.li", role=Role.AGENT)
    asset = make_asset(session)
    technician = make_technician(session, region=make_region(session, code="override"))
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    job = Job(number="AC-OVERRIDE", tracking_token="t-override", asset=asset, customer=asset.customer,
              channel=Channel.PHONE, fault_text="Not cooling", contact_name="Li", contact_phone="13800000000",
              address=asset.address, latitude=asset.latitude, longitude=asset.longitude, category="quality_defect",
              category_confidence=1.0, priority="normal", entitlement="free_repair", entitlement_reason="",
              status=JobStatus.ASSIGNED, owner_channel=Channel.PHONE, sla_policy=_sla_policy(session),
              reported_at=at, respond_by=at + timedelta(hours=2), repair_by=at + timedelta(days=3), updated_at=at,
              technician=technician)
    session.add(job)
    _save(session)
    page = new_context(**DESKTOP).new_page()
    _sign_in(page, live_url, "agent.li", PASSWORD)
    page.goto(f"{live_url}/agent/jobs/AC-OVERRIDE")
    expect(page.locator("#override_reason")).to_be_visible()
    page.get_by_role("button", name="En route").click()
    expect(page.locator(".field-error")).to_contain_text("Only the assigned technician")
    screenshot(page, "agent-job-override-refused.png")
    page.fill("#override_reason", "Technician's phone is broken; he called it in")
    page.get_by_role("button", name="En route").click()
    expect(page.locator("h1")).to_contain_text("AC-OVERRIDE")
    expect(page.get_by_text("office override by agent.li")).to_be_visible()
    screenshot(page, "agent-job-override-done.png")
    with fresh_session() as check:
        assert check.scalar(select(Job.status).where(Job.number == "AC-OVERRIDE")) == JobStatus.EN_ROUTE


def _sla_policy(session):
    from dispatch.jobs.models import SlaPolicy

    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.category.is_(None)))
    if policy is None:
        policy = SlaPolicy(code="default", name="Default", category=None)
        session.add(policy)
        session.flush()
    return policy
