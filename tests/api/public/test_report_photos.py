"""Photos sent with a consumer's report, on the page and through the API: checked by content before
anything is written; a refused file leaves no job, no row and no file behind."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.storage import LocalStorage
from dispatch.jobs.models import EventKind, Job, JobEvent
from fieldwork.models import JobPhoto, PhotoKind
from fieldwork.photos import MAX_PHOTO_BYTES, photo_key
from tests.api.conftest import assert_error_shape, report_body
from tests.api.test_pages import csrf_from


def image(kind: str = "PNG", size=(48, 32), colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


@pytest.fixture
def written(session, settings):
    """What a report could have written: jobs, photo rows, events, and files in the upload folder."""

    def snapshot() -> dict[str, int]:
        session.rollback()  # a fresh read: an object touched since the last one may have begun a transaction
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (Job, JobEvent, JobPhoto)}
        session.rollback()
        folder = settings.upload_dir
        counted["files"] = sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0
        return counted

    return snapshot


FORM = {"fault_text": "The fridge is not cooling since yesterday", "contact_name": "Zhang Wei",
        "contact_phone": "+86 138 1234 5678"}


def post_report(client, asset, *, fault=(), receipt=(), **fields):
    page = client.get(f"/r/{asset.qr_token}")
    data = {"csrf_token": csrf_from(page), **FORM, **fields,
            "fault_photos": [(io.BytesIO(content), name) for content, name in fault],
            "receipt_photo": [(io.BytesIO(content), name) for content, name in receipt]}
    return client.post(f"/r/{asset.qr_token}", data=data, content_type="multipart/form-data")


def test_a_report_with_fault_photos_and_a_receipt_keeps_them_on_the_new_job(client, world, session, settings):
    response = post_report(client, world.asset, fault=[(image("JPEG"), "fridge.jpg"), (image("WEBP"), "b.webp")],
                           receipt=[(image("PNG", (60, 90)), "receipt.png")])
    assert response.status_code == 303, response.get_data(as_text=True)
    job = session.scalar(select(Job))
    photos = session.scalars(select(JobPhoto).where(JobPhoto.job_id == job.id).order_by(JobPhoto.id)).all()
    assert [(p.kind, p.content_type) for p in photos] == [
        (PhotoKind.FAULT, "image/jpeg"), (PhotoKind.FAULT, "image/webp"), (PhotoKind.RECEIPT, "image/png")]
    assert all(p.uploaded_by_user_id is None for p in photos)
    storage = LocalStorage(settings.upload_dir)
    assert storage.get(photo_key(photos[2].stored_name)) == image("PNG", (60, 90))
    added = [e for e in job.events if e.kind == EventKind.PHOTO_ADDED]
    assert [e.data["kind"] for e in added] == ["fault", "fault", "receipt"] and added[0].actor_label == "customer"


def test_a_report_without_photos_still_works_as_before(client, world, written):
    assert post_report(client, world.asset).status_code == 303
    assert written()["Job"] == 1 and written()["JobPhoto"] == 0


BAD_FILES = [  # (field, files, message)
    ("fault_photos", [(b"GIF89a" + b"\x00" * 50, "a.jpg")], "not a JPEG, PNG or WebP"),
    ("fault_photos", [(image("GIF"), "a.gif")], "Only JPEG, PNG or WebP"),
    ("fault_photos", [(image(), "a.png"), (image("PNG")[:70], "b.png")], "Photo 2: "),
    ("fault_photos", [(image(), f"{n}.png") for n in range(4)], "at most 3 photos"),
    ("fault_photos", [(b"\x89PNG" + b"\x00" * (MAX_PHOTO_BYTES + 10), "big.png")], "too large"),
    ("receipt_photo", [(b"%PDF-1.4 receipt", "receipt.pdf")], "not a JPEG, PNG or WebP"),
    ("receipt_photo", [(image(), "r1.png"), (image(), "r2.png")], "one photo of the receipt"),
    ("receipt_photo", [(b"", "empty.png")], "empty"),
]


@pytest.mark.parametrize("field, files, message", BAD_FILES, ids=[f"{f}-{m}" for f, _files, m in BAD_FILES])
def test_a_bad_file_is_explained_next_to_its_field_and_nothing_is_written(client, world, written, field, files,
                                                                          message):
    good_receipt = [] if field == "receipt_photo" else [(image(), "receipt.png")]
    response = post_report(client, world.asset, **({"fault": files, "receipt": good_receipt} if field == "fault_photos"
                                                 else {"receipt": files, "fault": [(image(), "ok.png")]}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error, error
    assert 'value="Zhang Wei"' in html and "choose your photos again" in html
    assert written() == {"Job": 0, "JobEvent": 0, "JobPhoto": 0, "files": 0}


def test_a_form_with_a_text_error_keeps_no_photo(client, world, written):
    response = post_report(client, world.asset, fault=[(image(), "ok.png")], contact_phone="not a phone")
    assert response.status_code == 422
    assert "choose your photos again" in response.get_data(as_text=True)
    assert written() == {"Job": 0, "JobEvent": 0, "JobPhoto": 0, "files": 0}


def test_photos_from_someone_else_joining_an_open_job_are_not_kept(client, world, written):
    assert post_report(client, world.asset).status_code == 303
    joined = post_report(client, world.asset, receipt=[(image(), "receipt.png")], contact_phone="+86 139 0000 1111")
    assert joined.status_code == 200
    assert written()["JobPhoto"] == 0 and written()["files"] == 0
    again = post_report(client, world.asset, receipt=[(image(), "receipt.png")])  # the job's own customer
    assert again.status_code == 303 and written()["JobPhoto"] == 1 and written()["files"] == 1


def test_the_phone_page_offers_the_photo_fields_with_their_limits(client, world):
    html = client.get(f"/r/{world.asset.qr_token}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="fault_photos"' in html and "multiple" in html and 'name="receipt_photo"' in html
    assert "up to 8 MB each" in html
    zh = client.get(f"/r/{world.asset.qr_token}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "购买凭证" in zh


# --- the API ------------------------------------------------------------------------------------------

def api_report(client, asset, *, fault=(), receipt=(), headers=None, **fields):
    data = {**report_body(asset), **fields,
            "fault_photos": [(io.BytesIO(content), name) for content, name in fault],
            "receipt_photo": [(io.BytesIO(content), name) for content, name in receipt]}
    return client.post("/api/v1/reports/with-photos", data=data, content_type="multipart/form-data",
                       headers=headers or {})


def test_the_api_takes_a_report_with_photos_as_a_multipart_form(client, world, session):
    response = api_report(client, world.asset, fault=[(image("JPEG"), "a.jpg")], receipt=[(image(), "r.png")])
    assert response.status_code == 201, response.json
    assert response.json["created"] is True and response.json["tracking_url"]
    kinds = session.scalars(select(JobPhoto.kind).order_by(JobPhoto.id)).all()
    assert kinds == [PhotoKind.FAULT, PhotoKind.RECEIPT]


@pytest.mark.parametrize("field, files, message", BAD_FILES, ids=[f"{f}-{m}" for f, _files, m in BAD_FILES])
def test_the_api_refuses_a_bad_file_with_a_field_message_and_writes_nothing(client, world, written, field, files,
                                                                            message):
    response = api_report(client, world.asset, **({"fault": files} if field == "fault_photos" else {"receipt": files}))
    assert_error_shape(response, 422, location="files", field=field)
    assert message in response.json["errors"]["files"][field][0]
    assert written() == {"Job": 0, "JobEvent": 0, "JobPhoto": 0, "files": 0}


def test_the_api_refuses_bad_fields_of_a_multipart_report(client, world, written):
    response = api_report(client, world.asset, fault=[(image(), "a.png")], contact_phone="abc", qr_token="x" * 65)
    assert_error_shape(response, 422, location="form", field="contact_phone")
    assert "qr_token" in response.json["errors"]["form"]
    unknown = api_report(client, world.asset, qr_token="no-such-label")
    assert_error_shape(unknown, 422, field="qr_token")
    assert written() == {"Job": 0, "JobEvent": 0, "JobPhoto": 0, "files": 0}


def test_a_body_past_the_photo_limit_is_too_large_and_writes_nothing(client, world, written):
    huge = b"\x00" * (4 * MAX_PHOTO_BYTES + 80 * 1024)
    response = api_report(client, world.asset, fault=[(huge, "huge.png")])
    assert_error_shape(response, 413)
    assert written() == {"Job": 0, "JobEvent": 0, "JobPhoto": 0, "files": 0}


def test_the_larger_limit_is_only_for_multipart_forms(client, world):
    # A JSON body stays under the app-wide limit, on the plain report endpoint and on this one.
    body = {**report_body(world.asset), "address": "x" * (70 * 1024)}
    assert client.post("/api/v1/reports", json=body).status_code == 413
    assert client.post("/api/v1/reports/with-photos", json=body).status_code == 413


def test_a_retried_multipart_report_is_answered_once_and_a_changed_one_refused(client, world, written):
    headers = {"Idempotency-Key": "report-with-photo-1"}
    first = api_report(client, world.asset, receipt=[(image(), "r.png")], headers=headers)
    again = api_report(client, world.asset, receipt=[(image(), "r.png")], headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = api_report(client, world.asset, receipt=[(image(colour=(1, 2, 3)), "r.png")], headers=headers)
    assert_error_shape(other, 422, location="headers", field="Idempotency-Key")
    assert written()["JobPhoto"] == 1
