"""Where uploaded files (job photos, receipts) are kept: one small interface, so a web worker on any
host reads what another wrote. The local-disk backend is the default; the backend is chosen by
configuration (AFTERCARE_PHOTO_STORAGE)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

# A key is a relative path of plain segments: no "..", no absolute path, nothing a shell or a URL
# would read differently. Callers make keys from random names, so this refuses only mistakes and attacks.
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,3}")
MAX_KEY_LENGTH = 255
LOCAL = "local"
STORAGE_KINDS = (LOCAL,)


class StorageError(Exception):
    """The backend could not do what was asked (a full disk, a refused write)."""


class StoredFileMissing(StorageError):
    """No file is stored under the key."""


class InvalidKey(ValueError):
    pass


def check_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


class FileStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under a key not used before (a second put of the same key is refused)."""

    def get(self, key: str) -> bytes:
        """The bytes stored under `key`; StoredFileMissing when there are none."""

    def delete(self, key: str) -> None:
        """Forget `key`; deleting a key that holds nothing is not an error."""


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


def storage_for(kind: str, *, upload_dir: Path) -> FileStorage:
    """The backend the configuration names (Settings checks the name at start-up). Only the local disk
    exists so far: an S3-compatible backend needs an S3 client library, not among the dependencies yet."""
    if kind == LOCAL:
        return LocalStorage(upload_dir)
    raise ValueError(f"unknown file storage {kind!r}; known: {', '.join(STORAGE_KINDS)}")
