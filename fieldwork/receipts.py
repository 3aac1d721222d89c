"""An agent's review of the purchase receipt a customer sent with the report: accepted with the date
read from it (the entitlement is decided again, dispatch.intake.proof), or refused with the reason."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from dispatch.intake.errors import ProofRefused
from dispatch.intake.proof import ProofOutcome, accept_proof_of_purchase, refuse_proof_of_purchase
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job, JobEvent
from fieldwork.models import JobPhoto, PhotoKind, ReceiptReview


def receipt_of(session: Session, job: Job, stored_name: str | None = None) -> JobPhoto | None:
    """The receipt photo `stored_name` of this job, or without a name its latest one; ProofRefused
    when a name is given that is not a receipt of this job."""
    query = select(JobPhoto).where(JobPhoto.job_id == job.id, JobPhoto.kind == PhotoKind.RECEIPT)
    if stored_name is None:
        return session.scalars(query.order_by(JobPhoto.id.desc()).limit(1)).first()
    found = session.scalars(query.where(JobPhoto.stored_name == stored_name[:64])).first()
    if found is None:
        raise ProofRefused("photo", _("This job has no receipt photo of that name."))
    return found


def _evidence(photo: JobPhoto | None) -> dict:
    # Without a photo: a paper receipt seen at the desk, or one sent another way.
    return {"photo": photo.stored_name} if photo is not None else {}


def _mark(photo: JobPhoto | None, review: ReceiptReview, now: datetime) -> None:
    if photo is not None:
        photo.review, photo.reviewed_at = review, now


def accept_receipt(session: Session, *, job: Job, photo: JobPhoto | None, purchase_date: date, actor: Actor,
                   now: datetime, tz: ZoneInfo | None = None, note: str = "") -> ProofOutcome:
    outcome = accept_proof_of_purchase(session, job=job, purchase_date=purchase_date, actor=actor, now=now, tz=tz,
                                       note=note, evidence=_evidence(photo))
    _mark(photo, ReceiptReview.ACCEPTED, now)
    return outcome


def refuse_receipt(session: Session, *, job: Job, photo: JobPhoto | None, reason: str, actor: Actor,
                   now: datetime) -> JobEvent:
    event = refuse_proof_of_purchase(session, job=job, reason=reason, actor=actor, now=now, evidence=_evidence(photo))
    _mark(photo, ReceiptReview.REFUSED, now)
    return event
