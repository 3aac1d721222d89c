"""An agent decides on the purchase receipt a customer sent: through the API and on the job page. A
bad date or a bad decision is refused with a field message and changes nothing."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from care.models import OutboxMessage
from core.users import Role
from dispatch.catalog.models import Asset
from dispatch.jobs.models import EntitlementKind, EventKind, Job, JobEvent
from fieldwork.models import JobPhoto, PhotoKind, ReceiptReview
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset


def png(colour=(200, 200, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def reported(client, session, world):
    """A job on an appliance with no purchase date on record, reported with a fault photo and a receipt."""
    asset = make_asset(session, purchase_date=None)
    session.commit()
    response = client.post("/api/v1/reports/with-photos", content_type="multipart/form-data", data={
        "qr_token": asset.qr_token, "fault_text": "The fridge is not cooling since yesterday",
        "contact_name": "Zhang Wei", "contact_phone": "+86 138 1234 5678",
        "fault_photos": [(io.BytesIO(png((200, 0, 0))), "fault.png")], "receipt_photo": [(io.BytesIO(png()), "r.png")]})
    assert response.status_code == 201, response.json
    assert response.json["entitlement"] == "paid_repair"
    return response.json["number"]


@pytest.fixture
def state(session):
    def snapshot(number: str) -> dict:
        session.rollback()  # a fresh read: an object touched since the last one may have begun a transaction
        job = session.scalar(select(Job).where(Job.number == number))
        receipt = session.scalar(select(JobPhoto).where(JobPhoto.job_id == job.id, JobPhoto.kind == PhotoKind.RECEIPT))
        seen = {"entitlement": job.entitlement, "purchase_date": session.get(Asset, job.asset_id).purchase_date,
                "events": session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.job_id == job.id)),
                "review": receipt.review,
                "messages": session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.job_id == job.id, OutboxMessage.purpose == "entitlement_changed"))}
        session.rollback()
        return seen

    return snapshot


def test_an_agent_accepts_the_receipt_and_the_repair_becomes_free(client, reported, agent_headers, state):
    response = client.post(f"/api/v1/jobs/{reported}/proof-of-purchase", headers=agent_headers,
                           json={"decision": "accept", "purchase_date": "2026-06-01", "note": "Receipt checked"})
    assert response.status_code == 200, response.json
    assert response.json["entitlement"] == "free_repair"
    assert "A proof of purchase dated 2026-06-01 was accepted" in response.json["entitlement_reason"]
    after = state(reported)
    assert (after["entitlement"], str(after["purchase_date"]), after["review"], after["messages"]) == (
        EntitlementKind.FREE_REPAIR, "2026-06-01", ReceiptReview.ACCEPTED, 1)
    events = client.get(f"/api/v1/jobs/{reported}/events", headers=agent_headers).json
    accepted = [e for e in events if e["kind"] == EventKind.PROOF_ACCEPTED.value]
    assert len(accepted) == 1 and accepted[0]["actor"] == "agent.li" and accepted[0]["note"] == "Receipt checked"


def test_an_agent_refuses_the_receipt_with_the_reason(client, reported, agent_headers, state):
    response = client.post(f"/api/v1/jobs/{reported}/proof-of-purchase", headers=agent_headers,
                           json={"decision": "refuse", "reason": "The receipt is for another model"})
    assert response.status_code == 200, response.json
    after = state(reported)
    assert (after["entitlement"], after["purchase_date"], after["review"], after["messages"]) == (
        EntitlementKind.PAID_REPAIR, None, ReceiptReview.REFUSED, 0)


BAD = [  # (body, field)
    ({"decision": "accept", "purchase_date": "2026-11-24"}, "purchase_date"),  # after the report (and the future)
    ({"decision": "accept", "purchase_date": "2099-01-01"}, "purchase_date"),
    ({"decision": "accept", "purchase_date": "1989-12-31"}, "purchase_date"),
    ({"decision": "accept", "purchase_date": "2026-02-30"}, "purchase_date"),
    ({"decision": "accept", "purchase_date": "yesterday"}, "purchase_date"),
    ({"decision": "accept", "purchase_date": "2026-06-01" * 50}, "purchase_date"),
    ({"decision": "accept"}, "purchase_date"),
    ({"decision": "refuse"}, "reason"),
    ({"decision": "refuse", "reason": "   "}, "reason"),
    ({"decision": "refuse", "reason": "x" * 501}, "reason"),
    ({"decision": "maybe", "purchase_date": "2026-06-01"}, "decision"),
    ({"purchase_date": "2026-06-01"}, "decision"),
    ({"decision": "accept", "purchase_date": "2026-06-01", "photo": "not-this-jobs-photo.png"}, "photo"),
    ({"decision": "accept", "purchase_date": "2026-06-01", "photo": "x"}, "photo"),
    ({"decision": "accept", "purchase_date": "2026-06-01", "note": "n" * 2001}, "note"),
]


@pytest.mark.parametrize("body, field", BAD, ids=[f"{b.get('decision')}-{f}-{i}" for i, (b, f) in enumerate(BAD)])
def test_bad_input_is_a_field_message_and_changes_nothing(client, reported, agent_headers, state, body, field):
    before = state(reported)
    response = client.post(f"/api/v1/jobs/{reported}/proof-of-purchase", headers=agent_headers, json=body)
    assert_error_shape(response, 422, field=field)
    assert state(reported) == before


def test_only_writers_decide_on_a_proof_of_purchase(client, reported, token_for, session, state):
    make_user(session, username="tech.proof", role=Role.TECHNICIAN)
    session.commit()
    before = state(reported)
    body = {"decision": "accept", "purchase_date": "2026-06-01"}
    assert client.post(f"/api/v1/jobs/{reported}/proof-of-purchase", json=body).status_code == 401
    assert client.post(f"/api/v1/jobs/{reported}/proof-of-purchase", json=body,
                       headers=token_for("tech.proof")).status_code == 403
    assert state(reported) == before


def test_an_unknown_job_is_a_404(client, world, agent_headers):
    response = client.post("/api/v1/jobs/AC-NOSUCH00/proof-of-purchase", headers=agent_headers,
                           json={"decision": "accept", "purchase_date": "2026-06-01"})
    assert_error_shape(response, 404)


# --- the job page -------------------------------------------------------------------------------------

def test_the_job_page_shows_the_fault_photo_and_the_receipt_and_takes_the_decision(client, reported, state, session):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{reported}")
    html = page.get_data(as_text=True)
    photos = session.scalars(select(JobPhoto).order_by(JobPhoto.id)).all()
    session.rollback()
    assert 'data-testid="fault-photos"' in html and f"/photos/{photos[0].stored_name}" in html
    assert 'data-testid="receipts"' in html and f"/photos/{photos[1].stored_name}" in html
    assert client.get(f"/photos/{photos[1].stored_name}").status_code == 200

    bad = client.post(f"/agent/jobs/{reported}/proof-of-purchase",
                      data={"csrf_token": csrf_from(page), "decision": "accept", "purchase_date": "1980-01-01",
                            "photo": photos[1].stored_name})
    assert bad.status_code == 422 and "cannot be before 1990-01-01" in bad.get_data(as_text=True)
    empty = client.post(f"/agent/jobs/{reported}/proof-of-purchase",
                        data={"csrf_token": csrf_from(page), "decision": "accept", "purchase_date": ""})
    assert empty.status_code == 422 and "Give the date shown on the receipt" in empty.get_data(as_text=True)
    assert state(reported)["purchase_date"] is None

    done = client.post(f"/agent/jobs/{reported}/proof-of-purchase", follow_redirects=True,
                       data={"csrf_token": csrf_from(page), "decision": "accept", "purchase_date": "2026-06-01",
                             "photo": photos[1].stored_name})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Receipt accepted. Entitlement: Paid repair → Free repair." in html
    assert "Receipt accepted ·" in html and "Proof of purchase accepted" in html
    assert state(reported)["entitlement"] == EntitlementKind.FREE_REPAIR
