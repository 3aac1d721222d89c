"""Real headless-browser journeys on the set-up pages, in English and in Chinese: an admin creates a
warranty policy with a component term (after a refusal beside the field), a product model with its bill
of parts, and prints the QR label of a registered appliance. Screenshots land in out/screenshots/."""
from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.users import Role
from dispatch.catalog.models import ProductModel, WarrantyPolicy
from inventory.models import Part
from tests.browser.conftest import DESKTOP
from tests.builders.core import PASSWORD, make_region, make_user
from tests.builders.dispatch import make_asset, make_model

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"policies": "Warranty policies (三包)", "new_policy": "New warranty policy", "save": "Save",
           "refused": "Please correct the marked fields", "exchange": "cannot be shorter than the return period",
           "months": "compressor 36 months", "models": "Product models", "new_model": "New product model",
           "saved": "Saved", "appliances": "Registered appliances", "print": "Print labels for the ticked appliances"},
    "zh": {"policies": "三包政策", "new_policy": "新建三包政策", "save": "保存",
           "refused": "请更正标出的字段", "exchange": "换货期不能短于退货期",
           "months": "compressor 36 个月", "models": "产品型号", "new_model": "新建产品型号",
           "saved": "已保存", "appliances": "已登记的家电", "print": "为勾选的家电打印标签"},
}


@pytest.fixture
def admin_page(session, live_url, new_context):
    def open_as(lang: str):
        make_user(session, username="admin.zhao", role=Role.ADMIN)
        session.add(Part(sku="P-COMP-01", name="Compressor", name_zh="压缩机", unit_cost=Decimal(820)))
        session.add(Part(sku="P-SEAL-01", name="Door seal", name_zh="门封条", unit_cost=Decimal(35)))
        make_asset(session, model=make_model(session), region=make_region(session))
        session.commit()
        session.close()
        page = new_context(locale="zh-CN" if lang == "zh" else "en-US", **DESKTOP).new_page()
        page.goto(f"{live_url}/login?lang={lang}")
        page.fill("#username", "admin.zhao")
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_url}/admin/setup/warranty-policies?lang={lang}")
        return page

    return open_as


def _saved(fresh_session, model, code):
    with fresh_session() as session:
        return session.scalar(select(model).where(model.code == code))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_admin_sets_up_a_policy_a_model_with_its_parts_and_prints_a_label(admin_page, fresh_session, screenshot,
                                                                           lang):
    words = TEXTS[lang]
    page = admin_page(lang)
    expect(page.locator("h1")).to_have_text(words["policies"])
    page.click('[data-testid="new"]')
    expect(page.locator("h1")).to_have_text(words["new_policy"])
    page.fill("#code", "AC-3B")
    page.fill("#name", "Air conditioners" if lang == "en" else "空调三包")
    page.fill("#return_days", "20")  # longer than the exchange period: refused beside the field
    page.locator('input[name="component_terms.component"]').first.fill("compressor")
    page.locator('input[name="component_terms.free_repair_months"]').first.fill("36")
    page.click("#setup-form button[type=submit]")
    expect(page.locator(".error-summary")).to_contain_text(words["refused"])
    expect(page.locator("#exchange_days-error")).to_contain_text(words["exchange"])
    expect(page.locator('input[name="component_terms.component"]').first).to_have_value("compressor")
    screenshot(page, f"setup-policy-refused-{lang}.png")
    assert _saved(fresh_session, WarrantyPolicy, "AC-3B") is None

    page.fill("#return_days", "7")
    page.click("#setup-form button[type=submit]")
    expect(page.locator(".notice")).to_contain_text(words["saved"])
    expect(page.locator('tr[data-key="AC-3B"]')).to_contain_text(words["months"])
    screenshot(page, f"setup-policies-{lang}.png")

    page.click(f"nav.subnav >> text={words['models']}")
    page.click('[data-testid="new"]')
    expect(page.locator("h1")).to_have_text(words["new_model"])
    page.fill("#code", "KFR-35")
    page.fill("#name", "Split air conditioner 1.5 HP" if lang == "en" else "壁挂式空调 1.5 匹")
    page.fill("#category", "air_conditioner")
    page.fill("#repair_skill", "hvac")
    page.select_option("#min_skill_level", "2")
    page.fill("#service_minutes", "90")
    page.select_option("#warranty_policy", "AC-3B")
    page.check('input[name="parts"][value="P-COMP-01"]')
    screenshot(page, f"setup-model-form-{lang}.png")
    page.click("#setup-form button[type=submit]")
    row = page.locator('tr[data-key="KFR-35"]')
    expect(row).to_contain_text("P-COMP-01")
    expect(row).not_to_contain_text("P-SEAL-01")
    with fresh_session() as session:
        model = session.scalar(select(ProductModel).where(ProductModel.code == "KFR-35"))
        assert [part.sku for part in model.parts] == ["P-COMP-01"] and model.warranty_policy.code == "AC-3B"
        assert model.min_skill_level == 2

    page.click(f"nav.subnav >> text={words['appliances']}")
    page.locator('tbody input[name="serial"]').first.check()
    with page.expect_download() as download:
        page.click(f"text={words['print']}")
    assert download.value.suggested_filename == "aftercare-labels.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    screenshot(page, f"setup-assets-{lang}.png")


PAGES = {"product-models": ("Product models", "产品型号"), "warranty-policies": ("Warranty policies (三包)", "三包政策"),
         "sla-policies": ("SLA policies", "服务时效政策"), "warehouses": ("Warehouses", "仓库"),
         "parts": ("Parts", "配件"), "suppliers": ("Suppliers", "供应商"), "restock-rules": ("Restock rules", "补货规则"),
         "assets": ("Registered appliances", "已登记的家电"), "labour-prices": ("Price list", "价目表")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_set_up_page_and_form_opens_in_the_language_asked(admin_page, live_url, screenshot, lang):
    page = admin_page(lang)
    for slug, titles in PAGES.items():
        page.goto(f"{live_url}/admin/setup/{slug}")
        expect(page.locator("h1")).to_have_text(titles[lang == "zh"])
        expect(page.locator("nav.subnav a")).to_have_count(len(PAGES))
        page.click('[data-testid="new"]')
        expect(page.locator("#setup-form")).to_be_visible()
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{slug}: page is {widths[0]}px wide on a {widths[1]}px screen"
        screenshot(page, f"setup-{slug}-new-{lang}.png")
