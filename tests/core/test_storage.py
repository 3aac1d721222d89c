"""The file storage behind photos and receipts: what the local-disk backend does on disk, and the choice
of backend by configuration. What every backend promises is in test_file_storage_contract.py."""
from __future__ import annotations

import pytest

from core.s3_storage import S3Storage
from core.settings import InvalidSetting, Settings
from core.storage import InvalidKey, LocalStorage, StorageError, storage_for
from tests.builders.core import TEST_SECRET_KEY


def test_a_local_file_is_kept_under_its_key_in_the_folder(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("job-photos/abc.png", b"\x89PNG data", "image/png")
    assert (tmp_path / "job-photos" / "abc.png").read_bytes() == b"\x89PNG data"
    storage.delete("job-photos/abc.png")
    assert not (tmp_path / "job-photos" / "abc.png").exists()


def test_a_refused_local_write_leaves_no_temporary_file(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("a/one.jpg", b"first", "image/jpeg")
    with pytest.raises(StorageError):
        storage.put("a/one.jpg", b"second", "image/jpeg")
    assert [path.name for path in (tmp_path / "a").iterdir()] == ["one.jpg"]


@pytest.mark.parametrize("key", ["../secret", "a/../../secret"])
def test_a_key_never_leaves_the_folder(tmp_path, key):
    storage = LocalStorage(tmp_path / "root")
    with pytest.raises(InvalidKey):
        storage.put(key, b"x", "image/png")
    assert not (tmp_path / "secret").exists()


def _env(tmp_path, **variables) -> dict[str, str]:
    return {"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_SECRET_KEY": TEST_SECRET_KEY,
            "AFTERCARE_WEBHOOK_SECRET": TEST_SECRET_KEY, **variables}


def test_the_storage_is_chosen_by_configuration(tmp_path):
    assert isinstance(storage_for("local", upload_dir=tmp_path), LocalStorage)
    assert Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="local")).photo_storage == "local"
    with pytest.raises(InvalidSetting, match="AFTERCARE_PHOTO_STORAGE must be local .* or s3"):
        Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="s3://bucket/p"))


def test_s3_storage_is_configured_by_bucket_endpoint_and_region(tmp_path):
    settings = Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="s3", AFTERCARE_S3_BUCKET=" aftercare-photos ",
                                      AFTERCARE_S3_ENDPOINT_URL="http://minio.internal:9000/",
                                      AFTERCARE_S3_REGION="eu-central-1"))
    assert (settings.photo_storage, settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region) == (
        "s3", "aftercare-photos", "http://minio.internal:9000", "eu-central-1")
    storage = storage_for(settings.photo_storage, upload_dir=settings.upload_dir, s3_bucket=settings.s3_bucket,
                          s3_endpoint_url=settings.s3_endpoint_url, s3_region=settings.s3_region)
    assert isinstance(storage, S3Storage) and storage.bucket == "aftercare-photos"
    assert storage.client.meta.endpoint_url == "http://minio.internal:9000"
    assert storage.client.meta.region_name == "eu-central-1"


def test_s3_storage_without_a_bucket_stops_start_up_with_the_setting_to_give(tmp_path):
    with pytest.raises(InvalidSetting, match="AFTERCARE_PHOTO_STORAGE=s3 needs a bucket: set AFTERCARE_S3_BUCKET"):
        Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="s3"))
    with pytest.raises(InvalidSetting, match="AFTERCARE_S3_BUCKET"):
        Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="s3", AFTERCARE_S3_BUCKET="   "))
    with pytest.raises(ValueError, match="needs a bucket"):
        storage_for("s3", upload_dir=tmp_path)


@pytest.mark.parametrize("variables, named", [
    ({"AFTERCARE_S3_BUCKET": "a"}, "AFTERCARE_S3_BUCKET"),
    ({"AFTERCARE_S3_BUCKET": "photos/../x"}, "AFTERCARE_S3_BUCKET"),
    ({"AFTERCARE_S3_BUCKET": "b" * 64}, "AFTERCARE_S3_BUCKET"),
    ({"AFTERCARE_S3_BUCKET": "photos", "AFTERCARE_S3_ENDPOINT_URL": "minio:9000"}, "AFTERCARE_S3_ENDPOINT_URL"),
    ({"AFTERCARE_S3_BUCKET": "photos", "AFTERCARE_S3_ENDPOINT_URL": "ftp://minio"}, "AFTERCARE_S3_ENDPOINT_URL"),
    ({"AFTERCARE_S3_BUCKET": "photos", "AFTERCARE_S3_ENDPOINT_URL": "https://" + "m" * 2100},
     "AFTERCARE_S3_ENDPOINT_URL"),
    ({"AFTERCARE_S3_BUCKET": "photos", "AFTERCARE_S3_REGION": "eu central"}, "AFTERCARE_S3_REGION"),
])
def test_a_malformed_s3_setting_is_named(tmp_path, variables, named):
    with pytest.raises(InvalidSetting, match=named):
        Settings.from_env(_env(tmp_path, AFTERCARE_PHOTO_STORAGE="s3", **variables))


def test_s3_settings_are_ignored_while_the_storage_is_local(tmp_path):
    settings = Settings.from_env(_env(tmp_path, AFTERCARE_S3_ENDPOINT_URL="not checked"))
    assert settings.photo_storage == "local"
