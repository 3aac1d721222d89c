"""Proof in a real browser: a consumer reports on a phone with a photo of the fault and one of the
purchase receipt (in Chinese and in English); an agent on the desk reads the receipt, accepts it with
the date it shows and sees the repair become free. Screenshots land in out/screenshots/."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from core.users import Role
from dispatch.jobs.models import EntitlementKind, Job
from fieldwork.models import JobPhoto, PhotoKind, ReceiptReview
from tests.browser.conftest import DESKTOP, PHONE
from tests.builders.core import PASSWORD, make_user
from tests.builders.dispatch import make_asset

pytestmark = pytest.mark.browser


def _fault_photo(kind: str = "JPEG") -> bytes:
    image = Image.new("RGB", (320, 240), (235, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 30, 260, 220), outline=(60, 70, 80), width=6)  # a fridge, seen from the front
    draw.line((60, 110, 260, 110), fill=(60, 70, 80), width=4)
    draw.text((100, 150), "E4", fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def _receipt(kind: str = "PNG") -> bytes:
    image = Image.new("RGB", (240, 360), (255, 255, 250))
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(["RECEIPT", "Fridge BCD-300", "2026-06-01", "TOTAL 3299.00"]):
        draw.text((30, 40 + row * 50), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def _fits(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def _photos(fresh_session) -> list[JobPhoto]:
    with fresh_session() as check:
        return list(check.scalars(select(JobPhoto).order_by(JobPhoto.id)))


@pytest.mark.parametrize("locale, words", [
    ("en-US", {"receipt": "Photo of the purchase receipt", "bad": "not a JPEG, PNG or WebP photo",
               "again": "Please choose your photos again", "tracking": "AC-", "large": "larger than 8 MB"}),
    ("zh-CN", {"receipt": "购买凭证（发票或小票）照片", "bad": "不是 JPEG、PNG 或 WebP 照片",
               "again": "请重新选择照片", "tracking": "AC-", "large": "超过 8 MB"}),
])
def test_a_consumer_reports_on_a_phone_with_a_fault_photo_and_a_receipt(session, live_url, new_context,
                                                                      fresh_session, screenshot, tmp_path,
                                                                      locale, words):
    asset = make_asset(session, purchase_date=None)
    session.commit()
    qr = asset.qr_token
    session.close()
    lang = locale[:2]
    fault, receipt, not_a_photo = tmp_path / "fridge.jpg", tmp_path / "receipt.png", tmp_path / "receipt.pdf"
    fault.write_bytes(_fault_photo())
    receipt.write_bytes(_receipt())
    not_a_photo.write_bytes(b"%PDF-1.4 a scanned receipt")

    page = new_context(**{**PHONE, "locale": locale}).new_page()
    page.goto(f"{live_url}/r/{qr}")
    expect(page.locator("label[for=receipt_photo]")).to_have_text(words["receipt"])
    page.fill("#fault_text", "冰箱不制冷，显示E4" if lang == "zh" else "The fridge is not cooling, E4 on the display")
    page.fill("#contact_name", "王芳" if lang == "zh" else "Wang Fang")
    page.fill("#contact_phone", "+86 139 1234 5678")
    page.set_input_files("#fault_photos", str(fault))
    page.set_input_files("#receipt_photo", str(not_a_photo))
    page.locator("#report-form button[type=submit]").click()

    # The server decodes each file: the PDF is refused next to its field, and nothing was kept.
    expect(page.locator("#receipt_photo-error")).to_contain_text(words["bad"])
    expect(page.locator("#report-form .notice")).to_contain_text(words["again"])
    expect(page.locator("#contact_name")).to_have_value("王芳" if lang == "zh" else "Wang Fang")
    page.locator("#receipt_photo").scroll_into_view_if_needed()
    _fits(page)
    screenshot(page, f"report-photos-refused-phone-{lang}.png")
    assert _photos(fresh_session) == []

    # A photo over the limit is said at once, next to its field, and the form is not sent.
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(b"\xff" * (9 * 1024 * 1024))
    page.set_input_files("#receipt_photo", str(huge))
    expect(page.locator("#receipt_photo-error")).to_contain_text(words["large"])
    posted = []
    page.on("request", lambda request: posted.append(request) if request.method == "POST" else None)
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_timeout(300)  # long enough for a click to start a request on the loopback server
    assert posted == [] and "/r/" in page.url

    page.set_input_files("#fault_photos", str(fault))
    page.set_input_files("#receipt_photo", str(receipt))
    expect(page.locator("#receipt_photo-error")).to_be_hidden()
    _fits(page)
    screenshot(page, f"report-photos-chosen-phone-{lang}.png")
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/t/[^/?]+$"))
    expect(page.locator("body")).to_contain_text(words["tracking"])
    _fits(page)
    screenshot(page, f"report-photos-tracking-phone-{lang}.png")

    photos = _photos(fresh_session)
    assert [(p.kind, p.content_type) for p in photos] == [(PhotoKind.FAULT, "image/jpeg"),
                                                          (PhotoKind.RECEIPT, "image/png")]


@pytest.mark.parametrize("lang, words", [
    ("en", {"fault": "Photos of the fault", "none": "none", "changed": "Entitlement: Paid repair → Free repair",
            "reason": "A proof of purchase dated 2026-06-01 was accepted", "reviewed": "Receipt accepted"}),
    ("zh", {"fault": "故障照片", "none": "无", "changed": "保修权益：付费维修 → 免费维修",
            "reason": "已认可购买日期为 2026-06-01 的购买凭证", "reviewed": "凭证已认可"}),
])
def test_an_agent_accepts_the_receipt_and_sees_the_repair_become_free(session, live_url, new_context,
                                                                     fresh_session, screenshot, lang, words):
    asset = make_asset(session, purchase_date=None)
    make_user(session, username="agent.li", role=Role.AGENT)
    session.commit()
    qr = asset.qr_token
    session.close()
    page = new_context(**DESKTOP).new_page()
    reported = page.request.post(f"{live_url}/api/v1/reports/with-photos", multipart={
        "qr_token": qr, "fault_text": "The fridge is not cooling, E4 on the display", "contact_name": "Wang Fang",
        "contact_phone": "+86 139 1234 5678",
        "fault_photos": {"name": "fridge.jpg", "mimeType": "image/jpeg", "buffer": _fault_photo()},
        "receipt_photo": {"name": "receipt.png", "mimeType": "image/png", "buffer": _receipt()}})
    assert reported.status == 201, reported.text()
    number = reported.json()["number"]
    assert reported.json()["entitlement"] == "paid_repair"

    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("#username", "agent.li")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_url}/agent/jobs/{number}")
    proof = page.get_by_test_id("proof")
    expect(page.get_by_test_id("fault-photos-card")).to_contain_text(words["fault"])
    expect(page.get_by_test_id("purchase-date")).to_have_text(words["none"])
    for image in (page.get_by_test_id("fault-photos").locator("img"), proof.get_by_test_id("receipts").locator("img")):
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0, "the photo was not served"
    proof.scroll_into_view_if_needed()
    screenshot(page, f"proof-job-page-desktop-before-{lang}.png")

    # The date input carries the bounds, so the browser holds back a misread year; the server checks them
    # too (tests/api/jobs/test_proof_of_purchase.py).
    page.fill("#purchase_date", "1980-05-01")
    page.get_by_test_id("accept-receipt").click()
    expect(page.locator("#purchase_date:invalid")).to_have_count(1)
    with fresh_session() as check:
        assert check.scalar(select(Job.entitlement).where(Job.number == number)) == EntitlementKind.PAID_REPAIR

    page.fill("#purchase_date", "2026-06-01")
    page.get_by_test_id("accept-receipt").click()
    expect(page.locator("main .notice").first).to_contain_text(words["changed"])
    expect(page.get_by_test_id("purchase-date")).to_have_text("2026-06-01")
    expect(page.locator("main")).to_contain_text(words["reason"])
    expect(page.get_by_test_id("receipts")).to_contain_text(words["reviewed"])
    screenshot(page, f"proof-job-page-desktop-accepted-{lang}.png")
    with fresh_session() as check:
        assert check.scalar(select(Job.entitlement).where(Job.number == number)) == EntitlementKind.FREE_REPAIR
        assert check.scalar(select(JobPhoto.review).where(JobPhoto.kind == PhotoKind.RECEIPT)) == ReceiptReview.ACCEPTED
