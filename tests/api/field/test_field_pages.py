"""The technician's pages without a browser (plain form posts, as on a phone without JavaScript),
photos, and which roles may open which staff page."""
from __future__ import annotations

import io
import os
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.storage import LocalStorage
from core.users import Role
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Job, JobEvent
from fieldwork.models import FieldUpdate, JobPhoto, PhotoKind
from fieldwork.photos import MAX_PHOTO_BYTES, check_photo, store_photos
from inventory.models import StockMovement
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW


@pytest.fixture
def city(session):
    return build_field_world(session)


@pytest.fixture
def counts(session):
    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (JobEvent, FieldUpdate, StockMovement, JobPhoto)}
        session.rollback()
        return counted

    return snapshot


def post_status(client, number: str, to: str, **fields):
    page = client.get(f"/tech/jobs/{number}")
    data = {"csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": to, **fields}
    return client.post(f"/tech/jobs/{number}/status", data=data)


def image_bytes(kind: str = "PNG", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def test_without_javascript_a_technician_completes_a_job_with_plain_form_posts(client, city, session):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    route = client.get("/tech").get_data(as_text=True)
    assert route.index(city.jobs[0].number) < route.index(city.jobs[1].number)  # route order
    assert city.other_job.number not in route and "<svg" in route
    assert "geo:" in client.get(f"/tech/jobs/{number}").get_data(as_text=True)  # navigation is on the job screen
    for to in ("accept", "en_route", "on_site"):
        response = post_status(client, number, to)
        assert response.status_code == 303 and response.headers["Location"] == f"/tech/jobs/{number}"
    page = client.get(f"/tech/jobs/{number}")
    done = client.post(f"/tech/jobs/{number}/status",
                       data={"csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "completed",
                             "note": "New gasket fitted", f"use_{city.part.id}": "2"})
    assert done.status_code == 303
    html = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert "Completed" in html and "2 × <span class=\"mono\">P-GASKET</span>" in html and "fitted" in html
    session.expire_all()
    assert session.scalar(select(Job.status).where(Job.number == number)) == "completed"


def test_sending_the_same_form_twice_applies_it_once(client, city, session):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    page = client.get(f"/tech/jobs/{number}")
    data = {"csrf_token": csrf_from(page), "client_id": uuid.uuid4().hex, "to": "en_route"}
    assert client.post(f"/tech/jobs/{number}/status", data=data).status_code == 303
    again = client.post(f"/tech/jobs/{number}/status", data=data, headers={"Accept": "application/json"})
    assert again.status_code == 200 and again.json["replayed"] is True and again.json["status"] == "en_route"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.to_status == "en_route")) == 1


BAD_STATUS_FORMS = [  # (to, fields, code, message)
    ("exploded", {}, 422, "Unknown status"),
    ("completed", {}, 409, "cannot become completed"),
    ("en_route", {"latitude": "north"}, 422, "Give both latitude and longitude"),
    ("en_route", {"latitude": "north", "longitude": "1"}, 422, "latitude must be a number"),
    ("en_route", {"client_id": ""}, 422, "client_id must be"),
]


def test_bad_status_forms_explain_and_write_nothing(client, city, counts):
    sign_in(client, "tech01")
    before = counts()
    for to, fields, code, message in BAD_STATUS_FORMS:
        response = post_status(client, city.jobs[0].number, to, **fields)
        assert (response.status_code, message in response.get_data(as_text=True)) == (code, True), (to, fields)
    assert counts() == before


def test_completing_without_resolution_notes_is_refused_and_keeps_the_parts(client, city, counts, session):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    post_status(client, number, "en_route")
    post_status(client, number, "on_site")
    before = counts()
    response = post_status(client, number, "completed", note=" ", **{f"use_{city.part.id}": "1"})
    assert response.status_code == 422
    assert "resolution notes" in response.get_data(as_text=True)
    assert counts() == before
    for used, message in [("9", "Not enough P-GASKET at VAN-tech01"), ("51", "Quantity must be between"),
                          ("-1", "whole number")]:
        refused = post_status(client, number, "completed", note="Fixed it", **{f"use_{city.part.id}": used})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), used
    not_in_van = post_status(client, number, "completed", note="Fixed it", **{f"use_{city.spare.id}": "1"})
    assert not_in_van.status_code == 422 and "Not enough P-COMPRESSOR" in not_in_van.get_data(as_text=True)
    assert counts() == before


def test_a_technician_cannot_open_or_change_another_technicians_job_page(client, city, counts):
    sign_in(client, "tech01")
    number = city.other_job.number
    before = counts()
    assert client.get(f"/tech/jobs/{number}").status_code == 404
    token = csrf_from(client.get("/tech"))
    assert client.post(f"/tech/jobs/{number}/status", data={"csrf_token": token, "client_id": uuid.uuid4().hex,
                                                            "to": "en_route"}).status_code == 404
    assert client.post(f"/tech/jobs/{number}/parts", data={"csrf_token": token, "part_id": "1",
                                                           "quantity": "1"}).status_code == 404
    assert client.get(f"/agent/jobs/{number}").status_code == 403
    assert counts() == before


def test_need_a_part_on_the_page_reserves_it_and_shows_it_on_the_card(client, city):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    page = client.get(f"/tech/jobs/{number}")
    response = client.post(f"/tech/jobs/{number}/parts", data={"csrf_token": csrf_from(page),
                                                               "part_id": str(city.part.id), "quantity": "1"})
    assert response.status_code == 303
    html = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert "reserved at VAN-tech01" in html
    bad = client.post(f"/tech/jobs/{number}/parts", data={"csrf_token": csrf_from(page), "part_id": "",
                                                          "quantity": "1"})
    assert bad.status_code == 422 and "Choose a part." in bad.get_data(as_text=True)


def _upload(client, number: str, data: bytes, filename: str):
    page = client.get(f"/tech/jobs/{number}")
    return client.post(f"/tech/jobs/{number}/photos", content_type="multipart/form-data",
                       data={"csrf_token": csrf_from(page), "photo": (io.BytesIO(data), filename)})


def test_a_photo_is_checked_by_content_stored_under_a_random_name_and_shown_to_the_office(client, city, session,
                                                                                         settings):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    assert _upload(client, number, image_bytes("JPEG"), "../../etc/passwd.jpg").status_code == 303
    photo = session.scalar(select(JobPhoto))
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (64, 48)
    stored = settings.upload_dir / "job-photos" / photo.stored_name
    assert stored.read_bytes() == image_bytes("JPEG") and "passwd" not in photo.stored_name
    served = client.get(f"/photos/{photo.stored_name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tech"))})
    session.rollback()  # signing out wrote (it ends the user's sessions): read afresh before writing
    make_user(session, username="agent.li", role=Role.AGENT)
    session.commit()
    sign_in(client, "agent.li")
    assert f"/photos/{photo.stored_name}" in client.get(f"/agent/jobs/{number}").get_data(as_text=True)
    assert client.get(f"/photos/{photo.stored_name}").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/agent"))})
    sign_in(client, "tech02")
    assert client.get(f"/photos/{photo.stored_name}").status_code == 404


def test_the_technician_sees_the_customers_fault_photo_but_never_the_receipt(client, city, session, settings):
    job = city.jobs[0]
    fault, receipt = store_photos(session, job=job, photos=[(PhotoKind.FAULT, check_photo(image_bytes("PNG"))),
                                                            (PhotoKind.RECEIPT, check_photo(image_bytes("JPEG")))],
                                  actor=CUSTOMER, storage=LocalStorage(settings.upload_dir), now=NOW)
    names = fault.stored_name, receipt.stored_name
    session.commit()
    sign_in(client, "tech01")
    html = client.get(f"/tech/jobs/{job.number}").get_data(as_text=True)
    assert f"/photos/{names[0]}" in html and f"/photos/{names[1]}" not in html
    assert client.get(f"/photos/{names[0]}").status_code == 200
    assert client.get(f"/photos/{names[1]}").status_code == 404
    (settings.upload_dir / "job-photos" / names[0]).unlink()  # a file lost from the storage is a 404, not a 500
    assert client.get(f"/photos/{names[0]}").status_code == 404


def test_a_phone_sized_photo_passes_the_app_wide_body_limit(client, city, session):
    # The app refuses bodies over 64 KB before any view runs; a real photo is far larger.
    sign_in(client, "tech01")
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(out, "PNG")
    assert len(out.getvalue()) > 400_000
    assert _upload(client, city.jobs[0].number, out.getvalue(), "big.png").status_code == 303
    assert session.scalar(select(JobPhoto)).size_bytes == len(out.getvalue())


BAD_PHOTOS = [  # (content, file name, code, message)
    (b"GIF89a" + b"\x00" * 100, "photo.jpg", 422, "not a JPEG, PNG or WebP"),
    (b"#!/bin/sh\nrm -rf /\n", "photo.png", 422, "not a JPEG, PNG or WebP"),
    (image_bytes("GIF"), "photo.gif", 422, "Only JPEG, PNG or WebP"),
    (image_bytes("PNG")[:60], "truncated.png", 422, "not a JPEG, PNG or WebP"),
    (b"", "empty.png", 422, "The photo file is empty"),
    (b"\xff" * (MAX_PHOTO_BYTES + 70 * 1024), "huge.jpg", 413, "too large"),
]


def test_bad_photos_are_refused_and_nothing_is_stored(client, city, counts, settings):
    sign_in(client, "tech01")
    before = counts()
    for data, filename, code, message in BAD_PHOTOS:
        response = _upload(client, city.jobs[0].number, data, filename)
        assert (response.status_code, message in response.get_data(as_text=True)) == (code, True), filename
    page = client.get(f"/tech/jobs/{city.jobs[0].number}")
    no_file = client.post(f"/tech/jobs/{city.jobs[0].number}/photos", content_type="multipart/form-data",
                          data={"csrf_token": csrf_from(page)})
    assert no_file.status_code == 422 and "Choose a photo" in no_file.get_data(as_text=True)
    assert counts() == before
    assert not (settings.upload_dir / "job-photos").exists() or not any((settings.upload_dir / "job-photos").iterdir())


# --- every staff page against every role ------------------------------------------------------------

ROLES = [Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.WAREHOUSE, Role.MANAGER, Role.ADMIN]
OFFICE = {Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN}
PAGES = {  # page -> the roles it is for
    "/agent": OFFICE,
    "/agent/jobs/{job}": OFFICE,
    "/agent/assets/{asset}/report": OFFICE,
    "/tech": {Role.TECHNICIAN},
    "/tech/jobs/{job}": {Role.TECHNICIAN},
    "/dispatch": {Role.DISPATCHER, Role.MANAGER, Role.ADMIN},
    "/dispatch/plans/{plan}": {Role.DISPATCHER, Role.MANAGER, Role.ADMIN},
    "/dispatch/jobs/{job}/move": {Role.DISPATCHER, Role.MANAGER, Role.ADMIN},
    "/warehouse": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
    "/warehouse/receive": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
    "/warehouse/adjust": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
    "/warehouse/transfers": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
    "/warehouse/rules": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
    "/warehouse/emergencies": {Role.WAREHOUSE, Role.MANAGER, Role.ADMIN},
}


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_staff_page_refuses_the_roles_it_is_not_for(client, session, role):
    from datetime import date, datetime, timezone

    from dispatch.planning.models import PlanRun, PlanStatus

    city = build_field_world(session, jobs=1)
    plan = PlanRun(region=city.region, day=date(2026, 11, 23), status=PlanStatus.QUEUED, requested_by="test",
                   requested_at=datetime(2026, 11, 23, 2, tzinfo=timezone.utc), result={}, error="", baseline="")
    session.add(plan)
    asset = make_asset(session)
    username = "tech01" if role == Role.TECHNICIAN else f"someone.{role.value}"
    if role != Role.TECHNICIAN:
        make_user(session, username=username, role=role)
    session.commit()
    sign_in(client, username)
    answers = {path: client.get(path.format(job=city.jobs[0].number, asset=asset.id, plan=plan.id)).status_code
               for path in PAGES}
    assert answers == {path: 200 if role in roles else 403 for path, roles in PAGES.items()}


def test_a_chinese_phone_says_what_the_update_did_in_chinese(client, city, session):
    sign_in(client, "tech01")
    client.set_cookie("lang", "zh")
    number = city.jobs[0].number
    post_status(client, number, "accept")
    accepted = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert f"你已接受工单 {number}。" in accepted and "You accepted" not in accepted
    post_status(client, number, "en_route")
    moved = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    client.delete_cookie("lang")
    client.get("/tech")  # the next test's domain texts are English again
    assert f"Job {number} is now" not in moved


def test_the_update_names_the_new_status_as_the_page_does_not_by_its_code(client, city):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    post_status(client, number, "accept")
    post_status(client, number, "en_route")
    moved = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert f"Job {number} is now Technician on the way." in moved and "now en_route" not in moved
