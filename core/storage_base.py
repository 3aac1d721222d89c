"""What every file storage backend shares: the interface, its errors and the rule for keys. Kept apart
from core.storage (the backends and the factory) so that a backend in a module of its own imports
these without importing the factory that imports it."""
from __future__ import annotations

import re
from typing import Protocol

# A key is a relative path of plain segments: no "..", no absolute path, nothing a shell or a URL
# would read differently. Callers make keys from random names, so this refuses only mistakes and attacks.
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,3}")
MAX_KEY_LENGTH = 255


class StorageError(Exception):
    """The backend could not do what was asked (a full disk, a refused write, an unreachable server)."""


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
