"""A technician's portrait, shown to the customer while the technician is on the way: checked like a job
photo, then re-drawn small as a JPEG (which leaves the phone's metadata, a place among it, behind) and
kept in the file storage (core.storage) under a random name, the only way to its address."""
from __future__ import annotations

import io
import secrets
from datetime import datetime

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin_audit import record_change
from core.storage import FileStorage, StoredFileMissing
from dispatch.technicians.models import Technician
from fieldwork.photos import MAX_PHOTO_BYTES, inspect_image  # noqa: F401 (the page reads the size limit here)

PORTRAIT_DIR = "technician-photos"
PORTRAIT_SIZE = (480, 480)
CONTENT_TYPE = "image/jpeg"


def portrait_key(stored_name: str) -> str:
    """The storage key of a portrait (the folder portraits were kept in before the storage interface)."""
    return f"{PORTRAIT_DIR}/{stored_name}"


def _redrawn(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail(PORTRAIT_SIZE)
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85)
    return out.getvalue()


def set_portrait(session: Session, *, technician: Technician, data: bytes, storage: FileStorage, actor: str,
                 now: datetime) -> str:
    """Store `data` as the technician's portrait (PhotoRejected when it is no JPEG or PNG photo) and
    return its stored name. A replaced file is never served again: only a name a technician holds is."""
    inspect_image(data)
    name = secrets.token_urlsafe(24) + ".jpg"
    _record(session, technician, actor=actor, now=now, change=[technician.photo_name is not None, True])
    technician.photo_name = name
    session.flush()
    # Written after the row is flushed, as job photos are: a refused row never leaves a file behind.
    storage.put(portrait_key(name), _redrawn(data), CONTENT_TYPE)
    return name


def remove_portrait(session: Session, *, technician: Technician, actor: str, now: datetime) -> None:
    if technician.photo_name is None:
        return
    _record(session, technician, actor=actor, now=now, change=[True, False])
    technician.photo_name = None
    session.flush()


def _record(session: Session, technician: Technician, *, actor: str, now: datetime, change: list[bool]) -> None:
    record_change(session, actor=actor, at=now, kind="technician", key=technician.user.username, action="update",
                  changes={"photo": change})


def portrait_bytes(session: Session, storage: FileStorage, stored_name: str) -> bytes | None:
    """The image behind a portrait's address: only the current portrait of some technician."""
    if not 10 <= len(stored_name) <= 64:
        return None
    if session.scalar(select(Technician.id).where(Technician.photo_name == stored_name)) is None:
        return None
    try:
        return storage.get(portrait_key(stored_name))
    except StoredFileMissing:
        return None
