"""Photos in an S3 bucket, end to end: a photo taken in by one web host is served by another host that
shares only the database and the bucket, never a disk (moto's S3 server, tests/s3_server.py)."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from api.app import create_app
from core.settings import Settings
from dispatch.jobs.models import Job
from fieldwork.models import JobPhoto
from fieldwork.photos import photo_key
from tests.api.conftest import assert_error_shape
from tests.api.public.test_report_photos import api_report, image, post_report
from tests.api.test_pages import sign_in
from tests.builders.core import TEST_SECRET_KEY


@pytest.fixture
def settings(database_url, tmp_path, s3_server) -> Settings:
    """Host A's settings: photos in the bucket, and an upload folder of its own that must stay empty."""
    return Settings(database_url=database_url, public_base_url="http://aftercare.test", secret_key=TEST_SECRET_KEY,
                    report_rate_limit="1000 per minute", login_rate_limit="1000 per minute",
                    upload_dir=tmp_path / "host-a", photo_storage="s3", s3_bucket=s3_server.bucket,
                    s3_endpoint_url=s3_server.url, s3_region="us-east-1")


@pytest.fixture
def other_host(settings, tmp_path, clock):
    app = create_app(dataclasses.replace(settings, upload_dir=tmp_path / "host-b"), clock=clock, testing=True)
    yield app
    app.extensions["aftercare_engine"].dispose()


def files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_photo_taken_in_by_one_host_is_served_by_another_sharing_only_the_bucket(client, world, session, settings,
                                                                                   other_host, s3_server, tmp_path):
    fault, receipt = image("JPEG"), image("PNG", (60, 90))
    response = api_report(client, world.asset, fault=[(fault, "fridge.jpg")], receipt=[(receipt, "receipt.png")])
    assert response.status_code == 201, response.json
    photos = session.scalars(select(JobPhoto).order_by(JobPhoto.id)).all()
    session.rollback()
    assert len(photos) == 2

    other = other_host.test_client()
    assert sign_in(other, world.agent.username).status_code == 303
    for photo, sent in zip(photos, (fault, receipt), strict=True):
        served = other.get(f"/photos/{photo.stored_name}")
        assert served.status_code == 200 and served.data == sent and served.mimetype == photo.content_type
        stored = s3_server.client().get_object(Bucket=s3_server.bucket, Key=photo_key(photo.stored_name))
        assert stored["Body"].read() == sent
    assert files_under(tmp_path / "host-a") == [] and files_under(tmp_path / "host-b") == []


def test_a_photo_missing_from_the_bucket_is_a_404_on_every_host(client, world, session, other_host, s3_server):
    assert api_report(client, world.asset, fault=[(image(), "a.png")]).status_code == 201
    photo = session.scalar(select(JobPhoto))
    session.rollback()
    s3_server.client().delete_object(Bucket=s3_server.bucket, Key=photo_key(photo.stored_name))
    for host in (client, other_host.test_client()):
        sign_in(host, world.agent.username)
        assert host.get(f"/photos/{photo.stored_name}").status_code == 404


@pytest.fixture
def broken_bucket_host(settings, tmp_path, clock):
    """A host whose bucket does not exist: every write and read of a photo fails at the server."""
    app = create_app(dataclasses.replace(settings, upload_dir=tmp_path / "host-c", s3_bucket="no-such-bucket-here"),
                     clock=clock, testing=True)
    yield app
    app.extensions["aftercare_engine"].dispose()


def test_a_report_whose_photo_cannot_be_stored_is_refused_for_now_and_writes_nothing(world, session,
                                                                                     broken_bucket_host):
    host = broken_bucket_host.test_client()
    response = api_report(host, world.asset, fault=[(image(), "a.png")])
    assert_error_shape(response, 503)
    assert "try again" in response.json["message"] and response.headers["Retry-After"]
    page = post_report(host, world.asset, fault=[(image(), "a.png")])
    assert page.status_code == 503 and "Temporarily unavailable" in page.get_data(as_text=True)
    in_chinese = broken_bucket_host.test_client()
    in_chinese.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "照片存储暂时无法访问" in post_report(in_chinese, world.asset, fault=[(image(), "a.png")]).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Job)) == 0
    assert session.scalar(select(func.count()).select_from(JobPhoto)) == 0


def test_a_portrait_and_a_signature_live_in_the_bucket_too(client, world, session, settings, other_host, s3_server,
                                                           tmp_path):
    """What else a customer or the office sees of the visit: the technician's portrait (taken in on host A,
    served by host B) and the customer's signature, both in the bucket and on no host's disk."""
    import io

    from PIL import Image as PILImage
    from PIL import ImageDraw

    from api.app import file_storage
    from fieldwork.portraits import portrait_key, set_portrait
    from fieldwork.signatures import new_signature_name, signature_bytes, store_signature
    from tests.builders.core import make_region
    from tests.builders.dispatch import make_technician
    from tests.conftest import NOW

    technician = make_technician(session, region=make_region(session, code="s3-portraits"))
    picture = io.BytesIO()
    PILImage.new("RGB", (200, 200), (40, 90, 160)).save(picture, "JPEG")
    name = set_portrait(session, technician=technician, data=picture.getvalue(), storage=file_storage(settings),
                        actor="test", now=NOW)
    session.commit()
    served = other_host.test_client().get(f"/technician-photos/{name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data[:2] == b"\xff\xd8"
    assert s3_server.client().get_object(Bucket=s3_server.bucket, Key=portrait_key(name))["Body"].read() == served.data

    ink = io.BytesIO()
    drawing = PILImage.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(drawing).line([(10, 60), (290, 70)], fill=(0, 0, 0, 255), width=4)
    drawing.save(ink, "PNG")
    signed = new_signature_name()
    store_signature(file_storage(settings), signed, ink.getvalue())
    other_storage = file_storage(dataclasses.replace(settings, upload_dir=tmp_path / "host-b"))
    assert signature_bytes(other_storage, signed) == ink.getvalue()
    assert signature_bytes(other_storage, "never-stored.png") is None
    assert files_under(tmp_path / "host-a") == [] and files_under(tmp_path / "host-b") == []


def test_files_staged_by_a_dry_run_on_one_host_are_applied_on_another(client, session, other_host, s3_server, tmp_path,
                                                                      monkeypatch):
    """The import page's dry run keeps the uploaded files in the bucket, so the admin's next request may
    reach any host: the one that applies them has never seen them on its disk."""
    import io
    import re
    from functools import partial

    from werkzeug.security import generate_password_hash

    from core.regions import Region
    from core.users import Role
    from tests.api.test_pages import csrf_from
    from tests.builders.core import make_user
    from tests.setup_files.files import as_blobs, example_rows

    monkeypatch.setattr("setup_files.writing.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))
    make_user(session, username="root", role=Role.ADMIN)
    session.commit()
    sign_in(client, "root")
    files = [(io.BytesIO(data), name) for name, data in as_blobs(example_rows())]
    dry_run = client.post("/admin/import", data={"csrf_token": csrf_from(client.get("/admin/import")), "files": files},
                          content_type="multipart/form-data")
    assert dry_run.status_code == 200, dry_run.get_data(as_text=True)[:500]
    staged = re.search(r'name="staged" value="([^"]+)"', dry_run.get_data(as_text=True)).group(1)
    def staged_keys() -> list[str]:
        listed = s3_server.client().list_objects_v2(Bucket=s3_server.bucket, Prefix="imports/")
        return [entry["Key"] for entry in listed.get("Contents", [])]

    assert staged_keys() == [f"imports/{staged}.zip"]

    other = other_host.test_client()
    other.set_cookie("session", client.get_cookie("session").value)  # the same signed session, another host
    applied = other.post("/admin/import/apply", data={"csrf_token": csrf_from(dry_run), "staged": staged})
    assert applied.status_code == 303, applied.get_data(as_text=True)[:500]
    assert session.scalar(select(func.count()).select_from(Region)) > 0
    session.rollback()
    assert staged_keys() == []
    assert files_under(tmp_path / "host-a") == [] and files_under(tmp_path / "host-b") == []
    again = other.post("/admin/import/apply", data={"csrf_token": csrf_from(dry_run), "staged": staged})
    assert again.status_code == 409
