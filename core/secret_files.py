"""Secrets kept as files in the data folder: made once, at the first start, and read back by every
later process (web workers and the scheduler alike), so all of them sign and check with one value."""
from __future__ import annotations

import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

LOOSE_MODE = "%s can be read by other users of this machine (mode %o); chmod 600 it"


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def load_or_create(path: Path) -> str:
    """The secret stored at `path`; when there is none yet, a new random one is stored there first.

    Safe when several processes start at once: the value is written whole to a private temporary file
    (mode 0600) and hard-linked to `path` only if nothing is there yet. A process that loses the race
    throws its own value away, and every process returns what is in the file, so all agree."""
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(new_secret() + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first; its value is the one
    finally:
        os.unlink(temporary)


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(LOOSE_MODE, path, mode)
    return path.read_text().strip()
