"""From an empty database to the first dispatch, in a real browser: the first admin (made as
`aftercare init` makes it) signs in, downloads the example world and uploads it on the import page,
checks the dry run and applies it; a consumer opens a label's report URL on a phone and reports a
fault; the job is assigned to an imported technician with an ETA, and that technician, signed in on
their phone, sees it on their day. In English and in Chinese.

Screenshots land in out/screenshots/ for a human to look at.
"""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cli.worker import process_queue
from core.users import User
from dispatch.jobs.models import Job
from setup_files.example import EXAMPLE_PASSWORD
from setup_files.exporting import export_rows
from setup_files.first_admin import create_first_admin
from setup_files.kinds import ASSETS
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import NOW

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "first-admin-password"
TEXTS = {
    "en-US": {"import": "Import set-up files", "dry_run": "Dry run: what applying will do", "report": "Report a fault",
              "submit_fault": "The fridge is not cooling and the compressor keeps clicking.", "day": "My day"},
    "zh-CN": {"import": "导入配置文件", "dry_run": "试运行：应用后将发生的变化", "report": "报修",
              "submit_fault": "冰箱不制冷，压缩机一直咔哒响。", "day": "今日工单"},
}


@pytest.fixture
def first_admin(session):
    """The empty installation after `aftercare init --username root …` (the same service)."""
    create_first_admin(session, username="root", display_name="Site Admin", password=ADMIN_PASSWORD,
                       actor="cli:init", now=NOW)
    session.commit()
    session.close()


def _sign_in(page, live_url: str, username: str, password: str) -> None:
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _fits_the_screen(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_from_an_empty_database_to_the_first_dispatch(first_admin, app, live_url, new_context, fresh_session,
                                                      screenshot, tmp_path, locale):
    texts, short = TEXTS[locale], locale[:2]
    with fresh_session() as session:
        assert session.scalar(select(User.username)) == "root"  # nothing else: no demo, no set-up

    # The admin imports the example world: download it, upload it, read the dry run, apply.
    admin = new_context(**DESKTOP, locale=locale).new_page()
    _sign_in(admin, live_url, "root", ADMIN_PASSWORD)
    admin.goto(f"{live_url}/admin/import")
    expect(admin.locator("h1")).to_have_text(texts["import"])
    with admin.expect_download() as download:
        admin.get_by_test_id("example-link").click()
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    admin.set_input_files("#files", str(archive))
    admin.locator("#upload-form button[type=submit]").click()
    dry_run = admin.get_by_test_id("dry-run")
    expect(dry_run.locator("h2")).to_have_text(texts["dry_run"])
    expect(dry_run.locator('tr[data-kind="technicians"] td').nth(1)).to_have_text("3")
    expect(dry_run.locator('tr[data-kind="assets"] td').nth(1)).to_have_text("6")
    screenshot(admin, f"import-dry-run-{short}.png")
    with fresh_session() as session:
        assert session.scalar(select(Job.id)) is None and len(session.scalars(select(User)).all()) == 1
    admin.locator("#apply-form button[type=submit]").click()
    expect(admin.locator(".notice")).to_contain_text("Imported:" if short == "en" else "导入完成")
    screenshot(admin, f"import-applied-{short}.png")

    # A consumer scans the fridge's label: the URL its QR code holds, from the export of the assets.
    with fresh_session() as session:
        assets = list(export_rows(session, ASSETS, public_base_url=live_url))
    header = assets[0]
    fridge = next(dict(zip(header, row)) for row in assets[1:] if row[0] == "RF-420-2600001")
    consumer = new_context(**{**PHONE, "locale": locale}).new_page()
    consumer.goto(fridge["report_url"])
    expect(consumer.locator("h1")).to_have_text(texts["report"])
    expect(consumer.locator(".facts")).to_contain_text("RF-420-2600001")
    consumer.fill("#fault_text", texts["submit_fault"])
    consumer.fill("#contact_name", fridge["customer_name"])
    consumer.fill("#contact_phone", fridge["customer_phone"])
    consumer.locator("#report-form button[type=submit]").click()
    consumer.wait_for_url(re.compile(r"/t/[^/?]+$"))
    _fits_the_screen(consumer)
    screenshot(consumer, f"first-report-{short}.png")

    # The scheduler's next pass dispatches it to an imported technician, with an ETA.
    services = app.extensions["aftercare"]
    process_queue(services.session_factory, services.settings, services.clock, worker="test")
    with fresh_session() as session:
        job = session.scalar(select(Job))
        technician = job.technician.user.username if job.technician else None
        number, planned_start = job.number, job.planned_start
    assert technician == "tech.wang", "the only refrigeration technician on shift on Monday morning"
    assert planned_start is not None and planned_start > NOW

    # The technician signs in on their phone and finds the job on their day.
    tech = new_context(**{**PHONE, "locale": locale}).new_page()
    _sign_in(tech, live_url, "tech.wang", EXAMPLE_PASSWORD)
    tech.goto(f"{live_url}/tech")
    expect(tech.locator("h1")).to_contain_text(texts["day"])
    card = tech.locator(f'li[data-job="{number}"]')
    expect(card).to_be_visible()
    # The agenda row leads with the planned arrival in Suzhou's time.
    expect(card.get_by_test_id("eta")).to_have_text(planned_start.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M"))
    _fits_the_screen(tech)
    screenshot(tech, f"first-dispatch-technician-{short}.png")


@pytest.mark.parametrize("locale, heading, reason", [
    ("en-US", "Nothing was imported: fix these problems and upload again", "Must be between -90 and 90."),
    ("zh-CN", "未导入任何数据：请修正以下问题后重新上传", "必须在 -90 到 90 之间。"),
])
def test_an_upload_with_bad_rows_lists_every_problem_and_imports_nothing(first_admin, live_url, new_context,
                                                                         fresh_session, screenshot, tmp_path,
                                                                         locale, heading, reason):
    from setup_files.example import write_example

    write_example(tmp_path)
    regions = tmp_path / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace("31.311", "95"), encoding="utf-8")
    parts = tmp_path / "parts.csv"
    parts.write_text(parts.read_text(encoding="utf-8").replace("38.00", "38.005"), encoding="utf-8")
    admin = new_context(**DESKTOP, locale=locale).new_page()
    _sign_in(admin, live_url, "root", ADMIN_PASSWORD)
    admin.goto(f"{live_url}/admin/import")
    admin.set_input_files("#files", [str(regions), str(parts), str(tmp_path / "business_hours.csv")])
    with admin.expect_response(lambda r: r.request.method == "POST") as posted:
        admin.locator("#upload-form button[type=submit]").click()
    assert posted.value.status == 422
    problems = admin.get_by_test_id("problems")
    expect(problems.locator("h2")).to_have_text(heading)
    expect(problems.locator("tbody tr")).to_have_count(2)
    expect(problems.locator("tbody tr").first).to_contain_text("regions.csv")
    expect(problems.locator("tbody tr").first).to_contain_text("center_lat")
    expect(problems.locator("tbody tr").first).to_contain_text(reason)
    expect(admin.locator("#apply-form")).to_have_count(0)
    screenshot(admin, f"import-problems-{locale[:2]}.png")
    with fresh_session() as session:
        assert session.scalar(select(Job.id)) is None and len(session.scalars(select(User)).all()) == 1
