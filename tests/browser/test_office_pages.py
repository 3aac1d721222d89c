"""The back office speaks the page's language: a manager opens the agent desk, a job, the dispatcher
board and the service dashboard in Chinese and sees no English words of the interface (only data
such as model names), then the same pages in English. Screenshots land in out/screenshots/."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core import i18n
from core.users import Role
from demo.care_history import load_service_history
from tests.browser.conftest import DESKTOP
from tests.builders.care import TZ, make_open_job
from tests.builders.core import PASSWORD, make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

pytestmark = pytest.mark.browser

# The interface's own words: every element that holds a label, a heading or a button.
UI_ELEMENTS = "main h1, main h2, main th, main dt, main label, main button, main .flag, main .muted, main .status"

# (path, Chinese heading, English heading, English texts that must not show on the Chinese page)
PAGES = [
    ("/agent", "受理报修", "Take a report", ["Take a report", "Cases I own", "Find appliance", "Respond by",
                                          "My follow-up tasks"]),
    ("/agent/jobs/{number}", "工单", "Job", ["Appliance", "Entitlement", "Respond by", "Audit trail", "Hand over",
                                           "Correct category", "Move to", "Reported", "Job opened"]),
    ("/dispatch?region=gusu", "等待派工", "Waiting for a technician",
     ["At risk", "Waiting for a technician", "Escalations", "Re-optimise and preview", "Technicians on",
      "Why waiting", "Move to…"]),
    ("/manager/dashboard", "服务看板", "Service dashboard",
     ["Service dashboard", "Customers at risk", "Breaches by cause", "Worst regions", "Recurring faults",
      "Promises kept per", "target"]),
]


def _world(session) -> str:
    region = make_region(session)
    manager = make_user(session, username="manager.xu", role=Role.MANAGER)
    make_user(session, username="agent.li", role=Role.AGENT)
    for _ in range(3):
        make_technician(session, region=region, skills={"refrigeration": 2})
    for _ in range(20):
        make_asset(session, region=region)
    load_service_history(session, now=NOW, tz=TZ, weeks=2, per_day=2)
    job = make_open_job(session, asset=make_asset(session, region=region), owner=manager,
                        now=NOW - timedelta(minutes=20))
    session.commit()
    number = job.number
    session.close()
    return number


def _sign_in(page, live_url: str, lang: str) -> None:
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "manager.xu")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _english_ui_texts(page) -> list[str]:
    """Texts of interface elements that are exactly an English msgid of the catalogue left untranslated."""
    catalogue = i18n.merged_catalogue("zh_CN")
    english = {message.id for message in catalogue if isinstance(message.id, str) and message.id
               and message.string and message.string != message.id and "%(" not in message.id}
    texts = page.locator(UI_ELEMENTS).all_inner_texts()
    return [text for text in (t.strip() for t in texts) if text in english]


def test_the_back_office_reads_in_chinese_and_in_english(session, live_url, new_context, screenshot):
    number = _world(session)

    page = new_context(locale="zh-CN", **DESKTOP).new_page()
    _sign_in(page, live_url, "zh")
    for path, chinese, _english, absent in PAGES:
        response = page.goto(f"{live_url}{path.format(number=number)}{'&' if '?' in path else '?'}lang=zh")
        assert response.status == 200, path
        main = page.locator("main")
        expect(main).to_contain_text(chinese)
        text = main.inner_text()
        leaked = [words for words in absent if words in text]
        assert not leaked, f"{path} shows English in Chinese: {leaked}"
        assert not _english_ui_texts(page), f"{path}: {_english_ui_texts(page)}"
        screenshot(page, f"office{path.split('?')[0].replace('/', '-').replace('{number}', 'job')}-zh.png")

    english_page = new_context(**DESKTOP).new_page()
    _sign_in(english_page, live_url, "en")
    for path, chinese, english, _absent in PAGES:
        response = english_page.goto(f"{live_url}{path.format(number=number)}{'&' if '?' in path else '?'}lang=en")
        assert response.status == 200, path
        expect(english_page.locator("main")).to_contain_text(english)
        assert chinese not in english_page.locator("main").inner_text()
    screenshot(english_page, "office-dashboard-en.png")


def test_a_refusal_on_the_job_page_is_in_chinese(session, live_url, new_context):
    number = _world(session)
    page = new_context(locale="zh-CN", **DESKTOP).new_page()
    _sign_in(page, live_url, "zh")
    page.goto(f"{live_url}/agent/jobs/{number}?lang=zh")
    # Handing over without a reason is refused field by field, in Chinese.
    page.locator("#to_user").select_option("agent.li")
    page.locator("#handover_note").fill("x")
    page.get_by_role("button", name="移交").click()
    expect(page.locator(".field-error")).to_have_text("请说明移交原因（3 到 2000 个字符）。")
    # A flash after a change is in Chinese too.
    page.locator("select[name=category]").select_option("installation")
    page.get_by_role("button", name="保存类别").click()
    expect(page.get_by_role("status")).to_contain_text(f"工单 {number} 的类别已改为“安装”")
