"""What every file storage promises its callers, tested on each backend: the local disk, and an S3 bucket
on moto's server. Then what only the S3 backend has to get right: servers without conditional writes,
and errors that are not a missing file."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from core.s3_storage import S3Storage
from core.settings import PROJECT_ROOT
from core.storage import InvalidKey, LocalStorage, StorageError, StoredFileMissing
from tests.s3_server import S3Endpoint

BACKENDS = ["local", "s3"]


@pytest.fixture(params=BACKENDS)
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    endpoint = request.getfixturevalue("s3_server")
    return S3Storage(endpoint.new_bucket(), endpoint_url=endpoint.url, region="us-east-1")


def test_a_stored_file_is_read_back(storage):
    storage.put("job-photos/abc.png", b"\x89PNG data", "image/png")
    assert storage.get("job-photos/abc.png") == b"\x89PNG data"


def test_a_second_put_of_the_same_key_is_refused_and_the_first_file_kept(storage):
    storage.put("a/one.jpg", b"first", "image/jpeg")
    with pytest.raises(StorageError) as refused:
        storage.put("a/one.jpg", b"second", "image/jpeg")
    assert not isinstance(refused.value, StoredFileMissing)
    assert storage.get("a/one.jpg") == b"first"


def test_a_missing_key_is_missing(storage):
    with pytest.raises(StoredFileMissing):
        storage.get("job-photos/none.png")


def test_a_deleted_file_is_missing_and_deleting_it_again_is_fine(storage):
    storage.put("job-photos/gone.png", b"data", "image/png")
    storage.delete("job-photos/gone.png")
    with pytest.raises(StoredFileMissing):
        storage.get("job-photos/gone.png")
    storage.delete("job-photos/gone.png")
    storage.delete("job-photos/never-stored.png")


def test_a_deleted_key_can_be_stored_again(storage):
    storage.put("k/x.png", b"old", "image/png")
    storage.delete("k/x.png")
    storage.put("k/x.png", b"new", "image/png")
    assert storage.get("k/x.png") == b"new"


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "a/../../b", "", "a//b", ".hidden", "a/b\x00c",
                                 "a\\b", "x" * 300, "a/b/c/d/e/f"])
def test_a_malformed_key_is_refused_before_anything_is_written(storage, key):
    for call in (lambda: storage.put(key, b"x", "image/png"), lambda: storage.get(key), lambda: storage.delete(key)):
        with pytest.raises(InvalidKey):
            call()
    if isinstance(storage, S3Storage):
        assert storage.client.list_objects_v2(Bucket=storage.bucket)["KeyCount"] == 0


# What only the S3 backend has to get right.

@pytest.fixture
def bucket_storage(s3_server):
    return S3Storage(s3_server.new_bucket(), endpoint_url=s3_server.url, region="us-east-1")


def test_the_object_keeps_its_content_type(bucket_storage, s3_server):
    bucket_storage.put("job-photos/p.webp", b"RIFF....WEBP", "image/webp")
    stored = s3_server.client().head_object(Bucket=bucket_storage.bucket, Key="job-photos/p.webp")
    assert stored["ContentType"] == "image/webp"


class WithoutConditionalWrites:
    """A client for a server that answers If-None-Match with 501 Not Implemented, as some compatible
    servers do; everything else goes to the real server."""

    def __init__(self, client):
        self._client = client
        self.refused = 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def put_object(self, **arguments):
        if "IfNoneMatch" in arguments:
            from botocore.exceptions import ClientError

            self.refused += 1
            raise ClientError({"Error": {"Code": "NotImplemented", "Message": "A header you provided implies "
                                         "functionality that is not implemented"},
                               "ResponseMetadata": {"HTTPStatusCode": 501}}, "PutObject")
        return self._client.put_object(**arguments)


def test_without_conditional_writes_an_existing_key_is_still_never_overwritten(s3_server):
    client = WithoutConditionalWrites(s3_server.client())
    storage = S3Storage(s3_server.new_bucket(), client=client)
    storage.put("a/one.jpg", b"first", "image/jpeg")
    with pytest.raises(StorageError):
        storage.put("a/one.jpg", b"second", "image/jpeg")
    storage.put("a/two.jpg", b"other", "image/jpeg")
    assert (storage.get("a/one.jpg"), storage.get("a/two.jpg")) == (b"first", b"other")
    assert client.refused == 1  # asked once, then the storage stops sending the header


def test_a_missing_bucket_is_a_storage_error_not_a_missing_file(s3_server):
    storage = S3Storage("no-such-bucket-here", endpoint_url=s3_server.url, region="us-east-1")
    with pytest.raises(StorageError) as failed:
        storage.get("job-photos/a.png")
    assert not isinstance(failed.value, StoredFileMissing) and "no-such-bucket-here" in str(failed.value)
    with pytest.raises(StorageError):
        storage.put("job-photos/a.png", b"x", "image/png")


def test_an_unreachable_server_is_a_storage_error_on_every_call(s3_server):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = S3Endpoint(url=f"http://127.0.0.1:{port}", bucket=s3_server.bucket).client(
        retries={"max_attempts": 1}, connect_timeout=1)
    storage = S3Storage(s3_server.bucket, client=client)
    for call in (lambda: storage.put("a/b.png", b"x", "image/png"), lambda: storage.get("a/b.png"),
                 lambda: storage.delete("a/b.png")):
        with pytest.raises(StorageError) as failed:
            call()
        assert not isinstance(failed.value, StoredFileMissing)


def test_the_local_default_never_imports_boto3(tmp_path):
    code = ("import sys; from core.storage import storage_for; from core.settings import Settings; "
            f"storage_for(Settings().photo_storage, upload_dir={str(tmp_path)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
