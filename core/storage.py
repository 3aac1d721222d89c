"""Where uploaded files (photos, receipts, signatures, portraits, staged imports) are kept: one small
interface (core.storage_base), so a web worker on any host reads what another wrote. The local-disk
backend is the default; an S3-compatible bucket (core.s3_storage) is the one to share between hosts; the
backend is chosen by configuration (AFTERCARE_PHOTO_STORAGE)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.storage_base import (
    MAX_KEY_LENGTH,
    FileStorage,
    InvalidKey,
    StorageError,
    StoredFileMissing,
    check_key,
)

__all__ = ["LOCAL", "MAX_KEY_LENGTH", "S3", "STORAGE_KINDS", "FileStorage", "InvalidKey", "LocalStorage", "StorageError",
           "StoredFileMissing", "check_key", "storage_for"]

LOCAL = "local"
S3 = "s3"
STORAGE_KINDS = (LOCAL, S3)


class LocalStorage:
    """Files under one folder of this machine's disk: the key is the path below it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a temporary file and linked into place: a reader never sees half a file, and an
        # existing key is never overwritten (link fails on an existing name).
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.link(temporary, path)
        except FileExistsError as error:
            raise StorageError(f"a file is already stored under {key!r}") from error
        except OSError as error:
            raise StorageError(f"could not store {key!r}: {error}") from error
        finally:
            os.unlink(temporary)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise StoredFileMissing(key) from error

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def storage_for(kind: str, *, upload_dir: Path, s3_bucket: str | None = None, s3_endpoint_url: str | None = None,
                s3_region: str | None = None) -> FileStorage:
    """The backend the configuration names (Settings checks the name and the bucket at start-up). The S3
    backend's module, and boto3 with it, is imported only when it is chosen."""
    if kind == LOCAL:
        return LocalStorage(upload_dir)
    if kind == S3:
        if not s3_bucket:
            raise ValueError("the s3 file storage needs a bucket")
        from core.s3_storage import S3Storage

        return S3Storage(s3_bucket, endpoint_url=s3_endpoint_url, region=s3_region)
    raise ValueError(f"unknown file storage {kind!r}; known: {', '.join(STORAGE_KINDS)}")
