"""The photos a customer sends with a report (up to three of the fault, one of the purchase receipt):
read from the multipart form and checked before anything is written, then stored on the job."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from api.context import now, storage
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Job
from fieldwork.models import JobPhoto, PhotoKind
from fieldwork.photos import MAX_FAULT_PHOTOS, MAX_PHOTO_BYTES, CheckedPhoto, PhotoRejected, check_photo, store_photos

FAULT_PHOTOS = "fault_photos"
RECEIPT_PHOTO = "receipt_photo"
# The largest body a report with photos may have (api.uploads adds the form's own room).
MAX_REPORT_PHOTO_BYTES = (MAX_FAULT_PHOTOS + 1) * MAX_PHOTO_BYTES


@dataclass
class ReportPhotos:
    photos: list[tuple[PhotoKind, CheckedPhoto]] = field(default_factory=list)
    # field -> the reason its file(s) cannot be taken, in the page's language.
    errors: dict[str, str] = field(default_factory=dict)
    # Files were chosen: a form sent back for correction has to ask for them again.
    sent: bool = False


def _chosen(files: MultiDict, name: str) -> list:
    # A browser sends an empty part, without a file name, for a file input left empty.
    return [upload for upload in files.getlist(name) if upload.filename or upload.content_length]


def _checked(upload, *, position: int | None) -> CheckedPhoto:
    try:
        return check_photo(upload.read(MAX_PHOTO_BYTES + 1))
    except PhotoRejected as refused:
        if position is None:
            raise
        raise PhotoRejected(_("Photo %(n)s: %(reason)s", n=position, reason=str(refused))) from None


def read_report_photos(files: MultiDict) -> ReportPhotos:
    """Every chosen file checked by its content; none is kept when any one is refused."""
    result = ReportPhotos()
    faults, receipts = _chosen(files, FAULT_PHOTOS), _chosen(files, RECEIPT_PHOTO)
    result.sent = bool(faults or receipts)
    if len(faults) > MAX_FAULT_PHOTOS:
        result.errors[FAULT_PHOTOS] = _("Choose at most %(n)s photos of the fault.", n=MAX_FAULT_PHOTOS)
    else:
        try:
            result.photos += [(PhotoKind.FAULT, _checked(upload, position=index if len(faults) > 1 else None))
                              for index, upload in enumerate(faults, start=1)]
        except PhotoRejected as refused:
            result.errors[FAULT_PHOTOS] = str(refused)
    if len(receipts) > 1:
        result.errors[RECEIPT_PHOTO] = _("Choose one photo of the receipt.")
    elif receipts:
        try:
            result.photos.append((PhotoKind.RECEIPT, _checked(receipts[0], position=None)))
        except PhotoRejected as refused:
            result.errors[RECEIPT_PHOTO] = str(refused)
    if result.errors:
        result.photos = []
    return result


def attach_report_photos(session: Session, *, job: Job, photos: ReportPhotos) -> list[JobPhoto]:
    if not photos.photos:
        return []
    return store_photos(session, job=job, photos=photos.photos, actor=CUSTOMER, storage=storage(), now=now())


def job_by_number(session: Session, number: str) -> Job:
    return session.scalars(select(Job).where(Job.number == number)).one()
