"""Uploaded files in an S3-compatible bucket (Amazon S3, MinIO, Ceph, R2...), so that every web host reads
the photos any other host took in. boto3 is imported only when this backend is built: the local-disk
default never loads it. Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, a profile, an instance role), never from Aftercare's settings."""
from __future__ import annotations

from typing import Any

from core.storage_base import StorageError, StoredFileMissing, check_key

# Error codes by which a server says "no such object" (get_object says NoSuchKey; a HEAD has no body,
# so only its status is left).
_MISSING = {"NoSuchKey", "404", "NotFound"}
# A server that refuses If-None-Match outright, rather than honouring it.
_NO_CONDITIONAL_WRITES = {"NotImplemented", "501"}


def _code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _status(error: Exception) -> int | None:
    return getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")


def _is_missing(error: Exception) -> bool:
    # A missing bucket is also a 404, but it is a configuration error, not a missing file.
    return _code(error) in _MISSING or (_status(error) == 404 and _code(error) != "NoSuchBucket")


def _client_errors() -> tuple[type[Exception], type[Exception]]:
    from botocore.exceptions import BotoCoreError, ClientError

    return ClientError, BotoCoreError


class S3Storage:
    """Files as objects of one bucket: the key is the object's key."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 client: Any = None) -> None:
        self.bucket = bucket
        if client is None:
            import boto3
            from botocore.config import Config

            # Path-style addressing is the one every S3-compatible server understands; Amazon's own
            # endpoint (no endpoint_url) keeps boto3's choice.
            config = Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=30,
                            s3={"addressing_style": "path"} if endpoint_url else None)
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        self.client = client
        # A botocore too old to know the parameter would refuse it before sending anything.
        put_input = client.meta.service_model.operation_model("PutObject").input_shape
        self._conditional_writes = "IfNoneMatch" in put_input.members

    def _where(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        client_error, botocore_error = _client_errors()
        if self._conditional_writes:
            try:
                # The server refuses the write when the key holds an object: no reader ever sees a
                # stored file replaced, even with two writers racing.
                self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                                       IfNoneMatch="*")
                return
            except client_error as error:
                if _status(error) == 412 or _code(error) == "PreconditionFailed":
                    raise StorageError(f"a file is already stored under {key!r}") from error
                if _code(error) not in _NO_CONDITIONAL_WRITES and _status(error) != 501:
                    raise StorageError(f"could not store {self._where(key)}: {_code(error) or error}") from error
                self._conditional_writes = False
            except botocore_error as error:
                raise StorageError(f"could not store {self._where(key)}: {error}") from error
        # Without conditional writes, a look before the write: keys are random names, so the window
        # between the two only matters to a caller who reuses a key by mistake.
        if self._exists(key):
            raise StorageError(f"a file is already stored under {key!r}")
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (client_error, botocore_error) as error:
            raise StorageError(f"could not store {self._where(key)}: {_code(error) or error}") from error

    def _exists(self, key: str) -> bool:
        client_error, botocore_error = _client_errors()
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except client_error as error:
            if _is_missing(error):
                return False
            raise StorageError(f"could not look up {self._where(key)}: {_code(error) or error}") from error
        except botocore_error as error:
            raise StorageError(f"could not look up {self._where(key)}: {error}") from error
        return True

    def get(self, key: str) -> bytes:
        check_key(key)
        client_error, botocore_error = _client_errors()
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except client_error as error:
            if _is_missing(error):
                raise StoredFileMissing(key) from error
            raise StorageError(f"could not read {self._where(key)}: {_code(error) or error}") from error
        except botocore_error as error:
            raise StorageError(f"could not read {self._where(key)}: {error}") from error

    def delete(self, key: str) -> None:
        check_key(key)
        client_error, botocore_error = _client_errors()
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except client_error as error:
            # S3 answers a delete of a missing key with success; some compatible servers say 404.
            if not _is_missing(error):
                raise StorageError(f"could not delete {self._where(key)}: {_code(error) or error}") from error
        except botocore_error as error:
            raise StorageError(f"could not delete {self._where(key)}: {error}") from error
