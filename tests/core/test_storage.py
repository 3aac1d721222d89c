"""The file storage behind photos and receipts: the local-disk backend and the choice by configuration."""
from __future__ import annotations

import pytest

from core.settings import InvalidSetting, Settings
from core.storage import InvalidKey, LocalStorage, StorageError, StoredFileMissing, storage_for
from tests.builders.core import TEST_SECRET_KEY


def test_a_stored_file_is_read_back_and_deleted(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("job-photos/abc.png", b"\x89PNG data", "image/png")
    assert storage.get("job-photos/abc.png") == b"\x89PNG data"
    assert (tmp_path / "job-photos" / "abc.png").read_bytes() == b"\x89PNG data"
    storage.delete("job-photos/abc.png")
    with pytest.raises(StoredFileMissing):
        storage.get("job-photos/abc.png")
    storage.delete("job-photos/abc.png")  # deleting what is gone is not an error


def test_a_key_is_never_overwritten_and_no_temporary_file_is_left(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("a/one.jpg", b"first", "image/jpeg")
    with pytest.raises(StorageError):
        storage.put("a/one.jpg", b"second", "image/jpeg")
    assert storage.get("a/one.jpg") == b"first"
    assert [path.name for path in (tmp_path / "a").iterdir()] == ["one.jpg"]


def test_a_missing_key_is_missing(tmp_path):
    with pytest.raises(StoredFileMissing):
        LocalStorage(tmp_path).get("job-photos/none.png")


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "a/../../b", "", "a//b", ".hidden", "a/b\x00c",
                                 "a\\b", "x" * 300, "a/b/c/d/e/f"])
def test_keys_that_leave_the_folder_or_are_malformed_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path / "root")
    for call in (lambda: storage.put(key, b"x", "image/png"), lambda: storage.get(key), lambda: storage.delete(key)):
        with pytest.raises(InvalidKey):
            call()
    assert not (tmp_path / "secret").exists()


def test_the_storage_is_chosen_by_configuration(tmp_path):
    assert isinstance(storage_for("local", upload_dir=tmp_path), LocalStorage)
    settings = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_SECRET_KEY": TEST_SECRET_KEY,
                                  "AFTERCARE_WEBHOOK_SECRET": TEST_SECRET_KEY, "AFTERCARE_PHOTO_STORAGE": "local"})
    assert settings.photo_storage == "local"
    with pytest.raises(InvalidSetting, match="AFTERCARE_PHOTO_STORAGE"):
        Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_SECRET_KEY": TEST_SECRET_KEY,
                           "AFTERCARE_WEBHOOK_SECRET": TEST_SECRET_KEY, "AFTERCARE_PHOTO_STORAGE": "s3://bucket/p"})
