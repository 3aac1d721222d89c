"""A part asked for and a photo sent from the phone's queue: done once under the client_id the phone gave
them (a retry after a lost answer is answered the same and changes nothing), answered in JSON for the
queue, refused with field messages when wrong."""
from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from fieldwork.models import FieldUpdate, JobPhoto
from fieldwork.photos import MAX_PHOTO_BYTES
from fieldwork.updates import PART_REQUEST, PHOTO
from inventory.models import JobPart
from tests.api.field.test_field_pages import image_bytes
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.fieldwork import build_field_world

JSON = {"Accept": "application/json"}


@pytest.fixture
def city(session, client):
    world = build_field_world(session)
    sign_in(client, "tech01")
    # Plain values: reading an expired ORM attribute later would open a read transaction older than the requests.
    plain = SimpleNamespace(jobs=[SimpleNamespace(id=job.id, number=job.number) for job in world.jobs],
                            part=SimpleNamespace(id=world.part.id))
    session.rollback()
    return plain


def _reserved(session, job) -> int:
    session.expire_all()
    units = session.scalar(select(func.coalesce(func.sum(JobPart.quantity), 0)).where(JobPart.job_id == job.id))
    session.rollback()
    return units


def _count(session, model, job) -> int:
    session.expire_all()
    counted = session.scalar(select(func.count()).select_from(model).where(model.job_id == job.id))
    session.rollback()
    return counted


def _part(client, job, part, client_id, **fields):
    token = csrf_from(client.get(f"/tech/jobs/{job.number}"))
    return client.post(f"/tech/jobs/{job.number}/parts", headers=JSON,
                       data={"csrf_token": token, "client_id": client_id, "part_id": str(part.id), "quantity": "1",
                             **fields})


def _photo(client, job, client_id, data=None):
    token = csrf_from(client.get(f"/tech/jobs/{job.number}"))
    return client.post(f"/tech/jobs/{job.number}/photos", headers=JSON, content_type="multipart/form-data",
                       data={"csrf_token": token, "client_id": client_id,
                             "photo": (io.BytesIO(data if data is not None else image_bytes()), "door.png")})


def test_a_part_sent_again_under_its_client_id_is_reserved_once(client, city, session):
    job, client_id = city.jobs[0], uuid.uuid4().hex
    first = _part(client, job, city.part, client_id)
    assert first.status_code == 200 and first.json["replayed"] is False
    assert first.json["redirect"] == f"/tech/jobs/{job.number}" and "reserved at VAN-tech01" in first.json["message"]
    again = _part(client, job, city.part, client_id)
    assert again.status_code == 200 and again.json["replayed"] is True
    assert again.json["message"] == first.json["message"]
    assert _reserved(session, job) == 1
    second = _part(client, job, city.part, uuid.uuid4().hex)
    assert second.json["replayed"] is False  # a second part is its own step
    assert _reserved(session, job) == 2
    session.expire_all()
    assert session.scalars(select(FieldUpdate.action).where(FieldUpdate.job_id == job.id)).all() == [PART_REQUEST] * 2


def test_a_photo_sent_again_under_its_client_id_is_stored_once(client, city, session, settings):
    job, client_id = city.jobs[0], uuid.uuid4().hex
    first = _photo(client, job, client_id)
    assert first.status_code == 200 and first.json == {"replayed": False, "redirect": f"/tech/jobs/{job.number}#photos",
                                                       "job": job.number, "message": "Photo saved."}
    assert _photo(client, job, client_id).json["replayed"] is True
    assert _count(session, JobPhoto, job) == 1
    assert len(list((settings.upload_dir / "job-photos").iterdir())) == 1
    session.expire_all()
    [step] = session.scalars(select(FieldUpdate).where(FieldUpdate.job_id == job.id))
    assert step.action == PHOTO and step.result["photo"] == session.scalar(select(JobPhoto.stored_name))


def test_queued_steps_that_cannot_be_done_are_refused_in_json_and_leave_nothing(client, city, session):
    job = city.jobs[0]
    no_part = _part(client, job, city.part, uuid.uuid4().hex, part_id="")
    assert no_part.status_code == 422 and no_part.json["errors"] == {"form": {"part_id": ["Choose a part."]}}
    short_id = _part(client, job, city.part, "abc")
    assert short_id.status_code == 422 and "client_id" in short_id.json["errors"]["form"]
    not_a_photo = _photo(client, job, uuid.uuid4().hex, b"GIF89a" + b"\0" * 100)
    assert not_a_photo.status_code == 422 and "not a JPEG, PNG or WebP" in not_a_photo.json["errors"]["form"]["photo"][0]
    too_large = _photo(client, job, uuid.uuid4().hex, b"\xff" * (MAX_PHOTO_BYTES + 70 * 1024))
    assert too_large.status_code == 413 and too_large.json["errors"]["form"]["photo"] == [
        "The file is too large; nothing was saved."]
    # A refused step claims no id: the same id, corrected, is done.
    client_id = uuid.uuid4().hex
    assert _part(client, job, city.part, client_id, quantity="0").status_code == 422
    assert _part(client, job, city.part, client_id).json["replayed"] is False
    assert (_reserved(session, job), _count(session, JobPhoto, job), _count(session, FieldUpdate, job)) == (1, 0, 1)


def test_a_client_id_used_on_another_job_is_refused(client, city, session):
    client_id = uuid.uuid4().hex
    assert _part(client, city.jobs[0], city.part, client_id).status_code == 200
    reused = _photo(client, city.jobs[1], client_id)
    assert reused.status_code == 422 and "another job" in reused.json["errors"]["form"]["photo"][0]
    assert _count(session, JobPhoto, city.jobs[1]) == 0
