"""Photos taken at a job: checked by their content (not their name or declared type), stored on disk
under a random name, recorded on the job."""
from __future__ import annotations

import io
import secrets
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.users import User
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EventKind, Job
from dispatch.jobs.services import record_event
from fieldwork.models import JobPhoto

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A phone photo is at most ~50 megapixels; more is a decompression bomb, not a picture of a fridge.
MAX_PIXELS = 60_000_000
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
PHOTO_DIR = "job-photos"


class PhotoRejected(Exception):
    pass


def photo_path(upload_dir: Path, stored_name: str) -> Path:
    return upload_dir / PHOTO_DIR / stored_name


def inspect_image(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of a JPEG or PNG image, or PhotoRejected with the reason."""
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
        raise PhotoRejected(_("The file is not a JPEG or PNG photo.")) from error
    if kind not in FORMATS:
        raise PhotoRejected(_("Only JPEG or PNG photos are accepted (this file is %(kind)s).", kind=kind))
    return kind, width, height


def add_photo(session: Session, *, job: Job, data: bytes, uploaded_by: User, upload_dir: Path,
              now: datetime) -> JobPhoto:
    kind, width, height = inspect_image(data)
    content_type, extension = FORMATS[kind]
    photo = JobPhoto(job_id=job.id, uploaded_by_user_id=uploaded_by.id,
                     stored_name=secrets.token_urlsafe(24) + extension, content_type=content_type,
                     size_bytes=len(data), width=width, height=height, created_at=now)
    session.add(photo)
    record_event(job, kind=EventKind.PHOTO_ADDED, actor=Actor.staff(uploaded_by), now=now,
                 data={"photo": photo.stored_name})
    session.flush()
    # Written after the row is flushed: a refused row never leaves a file behind. (If the commit
    # itself fails, an unreferenced file remains; it is never served.)
    path = photo_path(upload_dir, photo.stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as out:
        out.write(data)
    return photo


def photos_of(session: Session, job: Job) -> list[JobPhoto]:
    return list(session.scalars(select(JobPhoto).where(JobPhoto.job_id == job.id).order_by(JobPhoto.id)))


def photo_by_name(session: Session, stored_name: str) -> JobPhoto | None:
    if not 10 <= len(stored_name) <= 64:
        return None
    return session.scalar(select(JobPhoto).where(JobPhoto.stored_name == stored_name))
