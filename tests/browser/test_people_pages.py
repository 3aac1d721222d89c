"""Real headless-browser journey on the administration pages, in Chinese and in English: an admin creates
a technician account (a weak password refused first), gives it a technician profile, and the new
technician signs in on a phone and opens their day. Screenshots land in out/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.users import Role, User
from dispatch.technicians.models import Technician
from tests.browser.conftest import DESKTOP, PHONE
from tests.builders.core import PASSWORD, make_region, make_user

pytestmark = pytest.mark.browser

GOOD_PASSWORD = "blue fridge on the 3rd floor"
TEXTS = {
    "en": {"admin": "Administration", "too_short": "at least 10 characters", "created": "Created tech.zhou",
           "profile": "is a technician of", "browser": "en-US"},
    "zh": {"admin": "系统管理", "too_short": "密码至少需要 10 个字符", "created": "已创建 tech.zhou",
           "profile": "现在是", "browser": "zh-CN"},
}


def _count(fresh_session, model) -> int:
    with fresh_session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_admin_creates_a_technician_who_then_opens_their_day(session, live_url, new_context, fresh_session,
                                                                 screenshot, lang):
    text = TEXTS[lang]
    make_user(session, username="root", role=Role.ADMIN)
    make_region(session)
    session.commit()
    session.close()

    page = new_context(locale=text["browser"], **DESKTOP).new_page()
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("h1")).to_have_text(text["admin"])  # an admin lands on the administration home
    expect(page.locator('[data-testid="menu"] a[href="/admin/"]')).to_be_visible()
    screenshot(page, f"admin-home-{lang}.png")

    page.click('[data-testid="admin-sections"] a[href="/admin/users"]')
    page.click('a[href="/admin/users/new"]')
    page.fill("#username", "tech.zhou")
    page.fill("#display_name", "周师傅" if lang == "zh" else "Zhou Jun")
    page.select_option("#role", "technician")
    page.fill("#password", "short")
    users_before = _count(fresh_session, User)
    page.click("#user-form button[type=submit]")
    expect(page.locator("#password-error")).to_contain_text(text["too_short"])
    expect(page.locator("#username")).to_have_value("tech.zhou")  # the input is kept, the password is not
    screenshot(page, f"admin-user-refused-{lang}.png")
    assert _count(fresh_session, User) == users_before

    page.fill("#password", GOOD_PASSWORD)
    page.click("#user-form button[type=submit]")
    expect(page.locator(".notice").first).to_contain_text(text["created"])
    expect(page.locator("#username")).to_have_value("tech.zhou")  # carried on to the profile form
    page.select_option("#region", "gusu")
    page.fill("#home_address", "姑苏区十全街 8 号")
    page.fill("#home_lat", "31.30")
    page.fill("#home_lon", "120.63")
    page.fill("#skill_0_name", "refrigeration")
    page.select_option("#skill_0_level", "3")
    page.fill("#skill_0_until", "2027-06-30")
    page.fill("#days_off", "2026-12-24 年假")
    page.click("#technician-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text(text["profile"])
    screenshot(page, f"admin-technician-saved-{lang}.png")
    with fresh_session() as check:
        technician = check.scalar(select(Technician))
        assert technician.user.username == "tech.zhou" and technician.skills[0].level == 3
        assert [s.weekday for s in technician.shifts] == [0, 1, 2, 3, 4]  # the working week the form offers

    page.click('nav.subnav a[href="/admin/technicians"]')
    expect(page.locator('[data-testid="technicians"] tr[data-username="tech.zhou"]')).to_contain_text(
        "制冷 (3)" if lang == "zh" else "Refrigeration (3)")  # the skill named in the page's language
    screenshot(page, f"admin-technicians-{lang}.png")

    phone = new_context(locale=text["browser"], **PHONE).new_page()
    phone.goto(f"{live_url}/login?lang={lang}")
    phone.fill("#username", "tech.zhou")
    phone.fill("#password", GOOD_PASSWORD)
    phone.press("#password", "Enter")
    response = phone.goto(f"{live_url}/tech")
    assert response.status == 200
    screenshot(phone, f"admin-new-technician-day-{lang}.png")


REGION_TEXTS = {
    "en": {"closes": "Closing time must be after opening time", "saved": "Created the region wuzhong",
           "disabled": "is disabled", "welcome": "Choose your password", "set": "Your password is set"},
    "zh": {"closes": "关门时间必须晚于开门时间", "saved": "已创建区域 wuzhong", "disabled": "已停用",
           "welcome": "设置您的密码", "set": "密码已设置"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_admin_sets_up_a_region_invites_a_user_and_disables_another(session, live_url, new_context, fresh_session,
                                                                        screenshot, lang):
    from core.regions import Region

    text = REGION_TEXTS[lang]
    make_user(session, username="root", role=Role.ADMIN)
    make_user(session, username="agent.old", role=Role.AGENT)
    session.commit()
    session.close()
    page = new_context(locale=TEXTS[lang]["browser"], **DESKTOP).new_page()
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")

    page.click('nav.subnav a[href="/admin/regions"]')
    page.click('a[href="/admin/regions/new"]')
    page.fill("#code", "wuzhong")
    page.fill("#name", "吴中区")
    page.fill("#center_lat", "31.27")
    page.fill("#center_lon", "120.63")
    page.fill("#service_radius_km", "30")
    for day in range(5):
        page.fill(f"#hours_{day}_opens", "09:00")
        page.fill(f"#hours_{day}_closes", "18:00")
    page.fill("#hours_5_opens", "18:00")
    page.fill("#hours_5_closes", "09:00")
    page.click("#region-form button[type=submit]")
    expect(page.locator("#hours_5-error")).to_contain_text(text["closes"])  # on the day at fault
    screenshot(page, f"admin-region-refused-{lang}.png")
    assert _count(fresh_session, Region) == 0
    page.fill("#hours_5_opens", "09:00")
    page.fill("#hours_5_closes", "12:00")
    page.click("#region-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text(text["saved"])
    expect(page.locator('[data-testid="regions"] tr[data-code="wuzhong"]')).to_contain_text("吴中区")
    screenshot(page, f"admin-regions-{lang}.png")

    page.click('nav.subnav a[href="/admin/users"]')
    page.click('[data-testid="users"] a[href="/admin/users/agent.old"]')
    page.click("#active-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text(text["disabled"])
    screenshot(page, f"admin-user-disabled-{lang}.png")

    page.click('nav.subnav a[href="/admin/users"]')
    page.click('a[href="/admin/users/new"]')
    page.fill("#username", "agent.invited")
    page.fill("#display_name", "林小姐" if lang == "zh" else "Lin Na")
    page.select_option("#role", "agent")
    page.fill("#email", "lin.na@example.com")
    screenshot(page, f"admin-user-invite-{lang}.png")
    page.click("#user-form button[type=submit]")
    link = page.locator(".notice", has_text="/welcome/").inner_text().split(" ")[-1].split("：")[-1]
    phone = new_context(locale=TEXTS[lang]["browser"], **PHONE).new_page()
    phone.goto(link.replace("http://aftercare.test", live_url))
    expect(phone.locator("h1")).to_have_text(text["welcome"])
    phone.fill("#password", "lantern by the west lake")
    phone.click("#welcome-form button[type=submit]")
    expect(phone.locator(".notice")).to_contain_text(text["set"])
    screenshot(phone, f"admin-invitation-accepted-{lang}.png")
