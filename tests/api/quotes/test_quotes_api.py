"""Paid repairs over HTTP: the price list API, the quote written by the technician or an agent, the
customer's decision by tracking token, the completion with a signature, and bad input refused with
nothing written."""
from __future__ import annotations

import base64
import dataclasses
import io
import uuid
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from core.admin_audit import AdminChange
from core.settings import Settings
from core.users import Role
from dispatch.jobs.models import Job, JobEvent
from dispatch.quotes.models import LabourPrice, Quote
from fieldwork.models import CompletionRecord
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.builders.quotes import build_paid_repair


@pytest.fixture
def settings(settings) -> Settings:
    return dataclasses.replace(settings, repair_warranty_days=90)


@pytest.fixture
def paid(session):
    world = build_paid_repair(session)
    make_user(session, username="admin", role=Role.ADMIN)
    session.commit()
    return world


@pytest.fixture
def rows(session):
    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (Quote, JobEvent, CompletionRecord, LabourPrice, AdminChange)}
        session.rollback()
        return counted

    return snapshot


def status(session, number: str) -> str:
    session.expire_all()
    value = session.scalar(select(Job.status).where(Job.number == number)).value
    session.rollback()
    return value


def _move(client, headers, number, to):
    response = client.post(f"/api/v1/technicians/me/jobs/{number}/updates",
                           json={"client_id": uuid.uuid4().hex, "to": to}, headers=headers)
    return response


def signature_png(size=(600, 240), ink=True) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(40, 180), (200, 60), (420, 190), (560, 80)], fill=(17, 17, 17, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


# --- the price list ---

def test_an_admin_keeps_the_price_list_over_the_api_and_each_change_is_audited(client, paid, token_for, rows):
    admin = token_for("admin")
    created = client.post("/api/v1/admin/labour-prices", headers=admin, json={
        "code": "INST", "name": "Installation", "skill": "refrigeration", "category": "installation",
        "labour": "99.50", "call_out_fee": "30"})
    assert created.status_code == 201, created.json
    assert created.json["labour"] == "99.50" and created.json["call_out_fee"] == "30.00"
    changed = client.patch("/api/v1/admin/labour-prices/INST", headers=admin, json={"labour": "120"})
    assert changed.status_code == 200 and changed.json["labour"] == "120.00"
    assert rows()["AdminChange"] == 3  # the builder's price, this one created and changed


@pytest.mark.parametrize("field, value", [("labour", "-1"), ("labour", "100000000"), ("labour", "1.005"),
                                          ("labour", "NaN"), ("labour", True), ("call_out_fee", "1e9"),
                                          ("category", "plumbing"), ("skill", "")])
def test_a_bad_price_is_refused_with_a_field_message(client, paid, token_for, rows, field, value):
    before = rows()
    body = {"code": "BAD", "name": "Bad", "skill": "refrigeration", "labour": "10", field: value}
    assert_error_shape(client.post("/api/v1/admin/labour-prices", headers=token_for("admin"), json=body), 422,
                       field=field)
    assert rows() == before


def test_a_second_price_for_the_same_skill_and_category_is_refused(client, paid, token_for):
    response = client.post("/api/v1/admin/labour-prices", headers=token_for("admin"), json={
        "code": "REF-2", "name": "Again", "skill": "refrigeration", "labour": "10"})
    assert_error_shape(response, 409, field="skill")


def test_only_admins_change_the_price_list(client, paid, token_for):
    response = client.post("/api/v1/admin/labour-prices", headers=token_for("agent.li"), json={
        "code": "X", "name": "X", "skill": "washing", "labour": "10"})
    assert response.status_code == 403


# --- the quote and the customer's decision ---

def test_the_technician_quotes_the_customer_approves_and_the_repair_is_completed_with_its_record(
        client, paid, token_for, session, settings):
    tech = token_for("tech01")
    number, token = paid.job.number, paid.job.tracking_token
    for to in ("en_route", "on_site"):
        assert _move(client, tech, number, to).status_code == 200
    refused = _move(client, tech, number, "completed")
    assert_error_shape(refused, 409, field="to")
    quote = client.put(f"/api/v1/technicians/me/jobs/{number}/quote", headers=tech,
                       json={"parts": [{"sku": "P-GASKET", "quantity": 1}]})
    assert quote.status_code == 200, quote.json
    assert quote.json["total"] == "230.00" and quote.json["state"] == "pending"
    public = client.get(f"/api/v1/track/{token}/quote")
    assert public.json["lines"][0]["sku"] == "P-GASKET"
    approved = client.post(f"/api/v1/track/{token}/quote/approve")
    assert approved.status_code == 200 and approved.json["amount_due"] == "230.00"
    assert_error_shape(client.post(f"/api/v1/track/{token}/quote/approve"), 409, field="quote")
    assert_error_shape(client.post(f"/api/v1/track/{token}/quote/decline"), 409, field="quote")

    sign_in(client, "tech01")
    page = client.get(f"/tech/jobs/{number}")
    assert "signature-pad" in page.get_data(as_text=True) and "¥230.00" in page.get_data(as_text=True)
    response = client.post(f"/tech/jobs/{number}/complete", data={
        "csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "completed",
        "note": "Replaced the door gasket", f"use_{paid.gasket.id}": "1", "on_site_minutes": "35",
        "amount_paid": "230.00", "payment_method": "card", "signature": data_url(signature_png())})
    assert response.status_code == 303, response.get_data(as_text=True)
    session.expire_all()
    record = session.scalar(select(CompletionRecord))
    assert (record.on_site_minutes, record.amount_paid, record.payment_method) == (35, Decimal("230.00"), "card")
    assert (settings.upload_dir / "signatures" / record.signature_name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    session.rollback()
    tracking = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Replaced the door gasket" in tracking and "90 days, until 2027-02-21" in tracking
    assert "¥230.00 · Card" in tracking


def test_a_customer_s_open_tracking_page_shows_the_new_quote_and_says_the_repair_waits_for_their_answer(
        client, paid, token_for):
    tech, number, token = token_for("tech01"), paid.job.number, paid.job.tracking_token
    for to in ("en_route", "on_site"):
        assert _move(client, tech, number, to).status_code == 200
    before = client.get(f"/api/v1/tracking/{token}").json
    assert before["next_step"] == "The technician is working on your appliance."
    client.put(f"/api/v1/technicians/me/jobs/{number}/quote", headers=tech,
               json={"parts": [{"sku": "P-GASKET", "quantity": 1}]})
    quoted = client.get(f"/api/v1/tracking/{token}").json
    # A new fingerprint: the page the customer has open reloads itself and shows the quote to approve.
    assert quoted["fingerprint"] != before["fingerprint"]
    first_name = quoted["technician_name"]
    assert quoted["next_step"] == (f"{first_name} is waiting for your answer to the quote: nothing is repaired "
                                   "before you approve it.")
    chinese = client.get(f"/api/v1/tracking/{token}", headers={"Accept-Language": "zh-CN"}).json
    assert chinese["next_step"] == f"{first_name}正在等待您对报价的答复：您确认之前不会进行维修。"
    client.put(f"/api/v1/technicians/me/jobs/{number}/quote", headers=tech,
               json={"parts": [{"sku": "P-GASKET", "quantity": 2}]})
    assert client.get(f"/api/v1/tracking/{token}").json["fingerprint"] != quoted["fingerprint"]  # a new total
    client.post(f"/api/v1/track/{token}/quote/approve")
    approved = client.get(f"/api/v1/tracking/{token}").json
    assert approved["next_step"] == "The technician is working on your appliance."


def test_an_agent_records_a_phone_approval_and_the_customer_cannot_change_it(client, paid, token_for):
    agent = token_for("agent.li")
    number = paid.job.number
    assert client.put(f"/api/v1/jobs/{number}/quote", headers=agent,
                      json={"parts": [{"sku": "P-BOARD", "quantity": 1}]}).json["total"] == "600.00"
    assert client.post(f"/api/v1/jobs/{number}/quote/approve", headers=agent).status_code == 200
    assert_error_shape(client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/decline"), 409, field="quote")


def test_the_customer_declines_before_the_visit_and_the_job_is_cancelled(client, paid, session):
    from dispatch.jobs.audit import Actor
    from dispatch.quotes.services import give_quote
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=Actor.staff(paid.agent), now=paid.job.reported_at)
    session.commit()
    declined = client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/decline")
    assert declined.status_code == 200 and declined.json["amount_due"] == "0.00"
    assert declined.json["job_status"] == "cancelled"
    assert_error_shape(client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/approve"), 409, field="quote")


@pytest.mark.parametrize("body, field", [
    ({"parts": [{"sku": "P-OTHER", "quantity": 1}]}, "parts"),
    ({"parts": [{"sku": "P-UNPRICED", "quantity": 1}]}, "parts"),
    ({"parts": [{"sku": "P-NOPE", "quantity": 1}]}, "parts"),
    ({"parts": [{"sku": "P-GASKET", "quantity": 0}]}, "parts"),
    ({"parts": [{"sku": "P-GASKET", "quantity": "1"}]}, "parts"),
    ({"parts": [{"sku": "P-GASKET", "quantity": 2**40}]}, "parts"),
    ({"parts": [{"sku": "P-GASKET", "quantity": 1}] * 21}, "parts"),
])
def test_a_bad_quote_is_refused_and_writes_nothing(client, paid, token_for, rows, body, field):
    before = rows()
    response = client.put(f"/api/v1/jobs/{paid.job.number}/quote", headers=token_for("agent.li"), json=body)
    assert response.status_code in (409, 422)
    assert_error_shape(response, response.status_code, field=field)
    assert rows() == before


def test_deciding_without_a_quote_or_with_an_unknown_token(client, paid):
    assert_error_shape(client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/approve"), 409, field="quote")
    assert client.post("/api/v1/track/not-a-real-token-at-all/quote/approve").status_code == 404
    assert client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/maybe").status_code in (404, 405)


# --- the completion form's bad input ---

def _approved_on_site(client, paid, token_for):
    tech = token_for("tech01")
    for to in ("en_route", "on_site"):
        assert _move(client, tech, paid.job.number, to).status_code == 200
    client.put(f"/api/v1/technicians/me/jobs/{paid.job.number}/quote", headers=tech,
               json={"parts": [{"sku": "P-GASKET", "quantity": 1}]})
    assert client.post(f"/api/v1/track/{paid.job.tracking_token}/quote/approve").status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"amount_paid": "-5"}, "amount_paid"),
    ({"amount_paid": "1.234"}, "amount_paid"),
    ({"amount_paid": "100000000"}, "amount_paid"),
    ({"amount_paid": ""}, "amount_paid"),  # a paid repair records what was paid
    ({"payment_method": "bitcoin"}, "payment_method"),
    ({"payment_method": ""}, "payment_method"),
    ({"on_site_minutes": "0"}, "on_site_minutes"),
    ({"on_site_minutes": "721"}, "on_site_minutes"),
    ({"on_site_minutes": "٣٠"}, "on_site_minutes"),
    ({"signature": ""}, "signature"),
    ({"signature": "data:image/jpeg;base64,/9j/4AAQ"}, "signature"),
    ({"signature": "data:image/png;base64,not base64!"}, "signature"),
    ({"signature": data_url(b"GIF89a" + b"\0" * 40)}, "signature"),
    ({"signature": data_url(signature_png(ink=False))}, "signature"),
    ({"signature": data_url(signature_png(size=(3000, 100)))}, "signature"),
])
def test_a_bad_completion_is_refused_with_a_message_and_changes_nothing(client, paid, token_for, rows, session,
                                                                          changes, field):
    _approved_on_site(client, paid, token_for)
    sign_in(client, "tech01")
    page = client.get(f"/tech/jobs/{paid.job.number}")
    before = rows()
    data = {"csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "completed",
            "note": "Replaced the door gasket", "on_site_minutes": "35", "amount_paid": "230",
            "payment_method": "cash", "signature": data_url(signature_png()), **changes}
    response = client.post(f"/tech/jobs/{paid.job.number}/complete", data=data)
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert rows() == before and status(session, paid.job.number) == "on_site"


def test_a_signature_over_the_size_limit_is_refused(client, paid, token_for, rows, session):
    _approved_on_site(client, paid, token_for)
    sign_in(client, "tech01")
    page = client.get(f"/tech/jobs/{paid.job.number}")
    noise = Image.effect_noise((500, 500), 100).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 200 * 1024
    response = client.post(f"/tech/jobs/{paid.job.number}/complete", data={
        "csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "completed", "note": "Done it",
        "amount_paid": "230", "payment_method": "cash", "signature": data_url(out.getvalue())})
    assert response.status_code in (413, 422)
    assert status(session, paid.job.number) == "on_site"


def test_the_completion_form_needs_its_csrf_token(client, paid, token_for, session):
    _approved_on_site(client, paid, token_for)
    sign_in(client, "tech01")
    response = client.post(f"/tech/jobs/{paid.job.number}/complete", data={
        "client_id": uuid.uuid4().hex, "to": "completed", "note": "Done it", "amount_paid": "230",
        "payment_method": "cash", "signature": data_url(signature_png())})
    assert response.status_code == 400
    assert status(session, paid.job.number) == "on_site"


# --- the pages ---

def test_an_agent_writes_the_quote_and_records_the_phone_approval_on_the_job_page(client, paid, session):
    sign_in(client, "agent.li")
    number = paid.job.number
    page = client.get(f"/agent/jobs/{number}")
    assert 'data-testid="job-quote"' in page.get_data(as_text=True)
    saved = client.post(f"/agent/jobs/{number}/quote", data={"csrf_token": csrf_from(page),
                                                              f"quote_{paid.board.id}": "1"})
    assert saved.status_code == 303
    page = client.get(f"/agent/jobs/{number}")
    assert "¥600.00" in page.get_data(as_text=True)
    unconfirmed = client.post(f"/agent/jobs/{number}/quote/approve", data={"csrf_token": csrf_from(page)})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(as_text=True)
    approved = client.post(f"/agent/jobs/{number}/quote/approve", data={"csrf_token": csrf_from(page),
                                                                        "confirm": "yes"})
    assert approved.status_code == 303
    again = client.post(f"/agent/jobs/{number}/quote/decline", data={"csrf_token": csrf_from(page), "confirm": "yes"})
    assert again.status_code == 409 and "already approved" in again.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Quote.state).where(Quote.job_id == paid.job.id)) == "approved"


@pytest.mark.parametrize("field_value", ["0x1", "-1", "51", "١"])
def test_a_bad_quantity_on_the_quote_form_is_a_readable_refusal(client, paid, rows, field_value):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{paid.job.number}")
    before = rows()
    response = client.post(f"/agent/jobs/{paid.job.number}/quote", data={
        "csrf_token": csrf_from(page), f"quote_{paid.gasket.id}": field_value})
    assert response.status_code == 422 and 'data-testid="quote-error"' in response.get_data(as_text=True)
    assert rows() == before


def test_a_part_of_another_model_on_the_quote_form_is_refused(client, paid, rows):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{paid.job.number}")
    before = rows()
    response = client.post(f"/agent/jobs/{paid.job.number}/quote", data={
        "csrf_token": csrf_from(page), f"quote_{paid.stranger.id}": "1"})
    assert response.status_code == 422 and rows() == before


def test_the_customer_declining_twice_on_the_tracking_page_reads_a_message(client, paid, session):
    from dispatch.jobs.audit import Actor
    from dispatch.quotes.services import give_quote
    give_quote(session, job=paid.job, parts=[(paid.gasket, 1)], actor=Actor.staff(paid.agent), now=paid.job.reported_at)
    session.commit()
    token = paid.job.tracking_token
    page = client.get(f"/t/{token}")
    assert 'data-testid="quote-approve"' in page.get_data(as_text=True)
    first = client.post(f"/t/{token}/quote/decline", data={"csrf_token": csrf_from(page)})
    assert first.status_code == 303
    second = client.post(f"/t/{token}/quote/approve", data={"csrf_token": csrf_from(page)})
    assert second.status_code == 409
    assert "This quote was already declined." in second.get_data(as_text=True)
    assert 'data-testid="quote-approve"' not in second.get_data(as_text=True)


def test_a_signature_larger_than_the_apps_usual_body_limit_is_taken(client, paid, token_for, session):
    _approved_on_site(client, paid, token_for)
    sign_in(client, "tech01")
    page = client.get(f"/tech/jobs/{paid.job.number}")
    out = io.BytesIO()
    Image.effect_noise((260, 260), 60).convert("RGB").save(out, "PNG")
    assert 64 * 1024 < len(out.getvalue()) < 200 * 1024
    response = client.post(f"/tech/jobs/{paid.job.number}/complete", data={
        "csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "completed", "note": "Done it",
        "amount_paid": "230", "payment_method": "cash", "signature": data_url(out.getvalue())})
    assert response.status_code == 303
    assert status(session, paid.job.number) == "completed"


# --- the completion over the API ---

def _completion(client, headers, number, **changes):
    body = {"client_id": uuid.uuid4().hex, "note": "Replaced the door gasket",
            "parts": [{"sku": "P-GASKET", "quantity": 1}], "on_site_minutes": 40, "amount_paid": "230.00",
            "payment_method": "transfer", "signature_png": base64.b64encode(signature_png()).decode(), **changes}
    return client.post(f"/api/v1/technicians/me/jobs/{number}/completion", json=body, headers=headers)


def test_the_technician_completes_over_the_api_once_per_client_id(client, paid, token_for, session):
    _approved_on_site(client, paid, token_for)
    tech = token_for("tech01")
    body = {"client_id": "completion-0001"}
    first = _completion(client, tech, paid.job.number, **body)
    assert first.status_code == 200, first.json
    again = _completion(client, tech, paid.job.number, **body)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(CompletionRecord)) == 1
    assert session.scalar(select(CompletionRecord.payment_method)) == "transfer"


@pytest.mark.parametrize("changes, field", [
    ({"amount_paid": "-1"}, "amount_paid"), ({"amount_paid": 1e9}, "amount_paid"),
    ({"amount_paid": "0.001"}, "amount_paid"), ({"payment_method": "cheque"}, "payment_method"),
    ({"on_site_minutes": 0}, "on_site_minutes"), ({"on_site_minutes": "30"}, "on_site_minutes"),
    ({"signature_png": "!!!"}, "signature_png"), ({"signature_png": base64.b64encode(b"GIF89a").decode()}, "signature_png"),
    ({"payment_method": None}, "payment_method"), ({"note": ""}, "note"),
])
def test_a_bad_completion_over_the_api_is_refused_and_writes_nothing(client, paid, token_for, rows, session,
                                                                      changes, field):
    _approved_on_site(client, paid, token_for)
    before = rows()
    assert_error_shape(_completion(client, token_for("tech01"), paid.job.number, **changes), 422, field=field)
    assert rows() == before and status(session, paid.job.number) == "on_site"


def test_completing_a_paid_repair_over_the_api_before_approval_is_refused(client, paid, token_for, session):
    tech = token_for("tech01")
    for to in ("en_route", "on_site"):
        _move(client, tech, paid.job.number, to)
    assert_error_shape(_completion(client, tech, paid.job.number), 409, field="to")
    assert status(session, paid.job.number) == "on_site"


def test_the_office_sees_the_completion_record_and_the_signature_but_the_public_does_not(client, paid, token_for):
    _approved_on_site(client, paid, token_for)
    assert _completion(client, token_for("tech01"), paid.job.number).status_code == 200
    assert client.get(f"/agent/jobs/{paid.job.number}/signature.png").status_code in (302, 303)  # signed out
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{paid.job.number}").get_data(as_text=True)
    assert 'data-testid="job-completion"' in page and "¥230.00 · Bank transfer" in page
    image = client.get(f"/agent/jobs/{paid.job.number}/signature.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data[:4] == b"\x89PNG"
