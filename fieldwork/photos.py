"""Photos of a job: taken by its technician, or sent by the customer with the report (the fault, the
purchase receipt). Checked by their content (not their name or declared type), kept in the file
storage (core.storage) under a random name, recorded on the job."""
from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.storage import FileStorage, LocalStorage
from core.users import User
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EventKind, Job
from dispatch.jobs.services import record_event
from fieldwork.models import JobPhoto, PhotoKind

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A phone photo is at most ~50 megapixels; more is a decompression bomb, not a picture of a fridge.
MAX_PIXELS = 60_000_000
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
PHOTO_DIR = "job-photos"
# What a customer may send with a report.
MAX_FAULT_PHOTOS = 3


class PhotoRejected(Exception):
    pass


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload that passed `inspect_image`: safe to store."""
    data: bytes
    kind: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.kind][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.kind][1]


def photo_key(stored_name: str) -> str:
    """The storage key of a photo (the same folder the photos were kept in before the storage interface)."""
    return f"{PHOTO_DIR}/{stored_name}"


def photo_path(upload_dir: Path, stored_name: str) -> Path:
    """Where the local storage keeps a photo (kept for callers that predate core.storage)."""
    return LocalStorage(upload_dir).path(photo_key(stored_name))


def inspect_image(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of a JPEG, PNG or WebP image, or PhotoRejected with the reason."""
    if not data:
        raise PhotoRejected(_("The photo file is empty."))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("The photo is too large (%(size)s MB); the limit is %(limit)s MB.",
                              size=f"{len(data) / 1e6:.1f}", limit=MAX_PHOTO_BYTES // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise PhotoRejected(_("The photo has too many pixels (%(width)s×%(height)s).", width=width, height=height))
            image.verify()  # reads the whole file: a truncated or forged image fails here
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected(_("The file is not a JPEG, PNG or WebP photo.")) from error
    if kind not in FORMATS:
        raise PhotoRejected(_("Only JPEG, PNG or WebP photos are accepted (this file is %(kind)s).", kind=kind))
    return kind, width, height


def check_photo(data: bytes) -> CheckedPhoto:
    kind, width, height = inspect_image(data)
    return CheckedPhoto(data=data, kind=kind, width=width, height=height)


def store_photos(session: Session, *, job: Job, photos: Sequence[tuple[PhotoKind, CheckedPhoto]], actor: Actor,
                 storage: FileStorage, now: datetime) -> list[JobPhoto]:
    """Record checked photos on `job` and put their bytes in the storage, all or none: a file whose
    write fails takes the ones already written with it, and the caller's transaction rolls back."""
    rows = []
    for kind, photo in photos:
        row = JobPhoto(job_id=job.id, kind=kind, uploaded_by_user_id=actor.user.id if actor.user else None,
                       stored_name=secrets.token_urlsafe(24) + photo.extension, content_type=photo.content_type,
                       size_bytes=len(photo.data), width=photo.width, height=photo.height, created_at=now)
        session.add(row)
        record_event(job, kind=EventKind.PHOTO_ADDED, actor=actor, now=now,
                     data={"photo": row.stored_name, "kind": kind.value})
        rows.append(row)
    session.flush()
    # Written after the rows are flushed: a refused row never leaves a file behind. (If the commit
    # itself fails, an unreferenced file remains; it is never served.)
    written: list[str] = []
    try:
        for row, (_kind, photo) in zip(rows, photos, strict=True):
            storage.put(photo_key(row.stored_name), photo.data, row.content_type)
            written.append(row.stored_name)
    except Exception:
        for name in written:
            storage.delete(photo_key(name))
        raise
    return rows


def add_photo(session: Session, *, job: Job, data: bytes, uploaded_by: User, now: datetime,
              storage: FileStorage | None = None, upload_dir: Path | None = None) -> JobPhoto:
    """A technician's photo of the job. `upload_dir` (the local storage's folder) is what callers
    passed before the storage interface; new callers pass `storage`."""
    if storage is None:
        if upload_dir is None:
            raise TypeError("add_photo needs a storage (or the upload_dir of the local storage)")
        storage = LocalStorage(upload_dir)
    photo = check_photo(data)
    return store_photos(session, job=job, photos=[(PhotoKind.FIELD, photo)], actor=Actor.staff(uploaded_by),
                        storage=storage, now=now)[0]


def photos_of(session: Session, job: Job, *, kinds: Sequence[PhotoKind] = (PhotoKind.FIELD,)) -> list[JobPhoto]:
    """The job's photos of these kinds (by default the technician's), oldest first."""
    return list(session.scalars(select(JobPhoto).where(JobPhoto.job_id == job.id, JobPhoto.kind.in_(list(kinds)))
                                .order_by(JobPhoto.id)))


def photo_by_name(session: Session, stored_name: str) -> JobPhoto | None:
    if not 10 <= len(stored_name) <= 64:
        return None
    return session.scalar(select(JobPhoto).where(JobPhoto.stored_name == stored_name))


def photo_bytes(storage: FileStorage, photo: JobPhoto) -> bytes:
    """The stored bytes of `photo` (core.storage.StoredFileMissing when the file is gone)."""
    return storage.get(photo_key(photo.stored_name))
