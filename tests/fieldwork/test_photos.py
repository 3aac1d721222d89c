"""Photos kept through the file storage: all of a report's photos or none of them."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.storage import LocalStorage, StorageError
from core.users import Role
from dispatch.jobs.audit import CUSTOMER
from fieldwork.models import JobPhoto, PhotoKind
from fieldwork.photos import check_photo, photo_bytes, store_photos
from tests.builders.care import make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), colour).save(out, "PNG")
    return out.getvalue()


class FailingSecondPut(LocalStorage):
    def __init__(self, root) -> None:
        super().__init__(root)
        self.puts = 0

    def put(self, key, data, content_type) -> None:
        self.puts += 1
        if self.puts == 2:
            raise StorageError("the disk is full")
        super().put(key, data, content_type)


@pytest.fixture
def job(session):
    return make_open_job(session, asset=make_asset(session), owner=make_user(session, role=Role.AGENT), now=NOW)


def test_photos_go_through_the_storage_and_read_back(session, job, tmp_path):
    storage = LocalStorage(tmp_path)
    [photo] = store_photos(session, job=job, photos=[(PhotoKind.FAULT, check_photo(_png((1, 2, 3))))],
                           actor=CUSTOMER, storage=storage, now=NOW)
    assert photo_bytes(storage, photo) == _png((1, 2, 3))
    assert photo.kind == PhotoKind.FAULT and photo.uploaded_by_user_id is None


def test_a_failed_write_takes_the_photos_already_written_with_it(session, job, tmp_path):
    storage = FailingSecondPut(tmp_path)
    photos = [(PhotoKind.FAULT, check_photo(_png((9, 9, 9)))), (PhotoKind.RECEIPT, check_photo(_png((8, 8, 8))))]
    with pytest.raises(StorageError):
        store_photos(session, job=job, photos=photos, actor=CUSTOMER, storage=storage, now=NOW)
    session.rollback()  # what the request boundary does with the error
    assert not any(path.is_file() for path in tmp_path.rglob("*"))
    assert session.scalar(select(func.count()).select_from(JobPhoto)) == 0
