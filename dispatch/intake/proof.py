"""A proof of purchase shown after the report (a receipt the customer sent, or one seen at the desk):
an agent reads the purchase date from it and the entitlement is decided again by the same rules as
at intake, or refuses it and says why. Either way the job's history says who, when and what."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.events import publish
from core.i18n import gettext as _
from core.regions import zone_of
from dispatch.intake.entitlement import Entitlement
from dispatch.intake.errors import ProofRefused
from dispatch.intake.services import entitlement_for_job, store_entitlement
from dispatch.jobs.audit import Actor
from dispatch.jobs.events import EntitlementChanged
from dispatch.jobs.models import EntitlementKind, EventKind, Job, JobEvent
from dispatch.jobs.services import record_event

# Older than any appliance still serviced; an earlier date is a misreading of the receipt.
EARLIEST_PURCHASE = date(1990, 1, 1)
MAX_REFUSAL_REASON = 500
ACCEPTED_CODE = "receipt_accepted"


@dataclass(frozen=True)
class ProofOutcome:
    event: JobEvent
    before: EntitlementKind
    after: EntitlementKind

    @property
    def changed(self) -> bool:
        return self.before != self.after


def check_purchase_date(purchase_date: date, *, job: Job, tz: ZoneInfo | None = None) -> date:
    """The date if a receipt can show it for this job: not before EARLIEST_PURCHASE and not after the
    local day the fault was reported (so never in the future either)."""
    reported_on = job.reported_at.astimezone(zone_of(job.asset.region, tz)).date()
    if purchase_date < EARLIEST_PURCHASE:
        raise ProofRefused("purchase_date", _("The purchase date cannot be before %(day)s.",
                                              day=EARLIEST_PURCHASE.isoformat()))
    if purchase_date > reported_on:
        raise ProofRefused("purchase_date", _("The purchase date cannot be after the day the fault was reported "
                                              "(%(day)s).", day=reported_on.isoformat()))
    return purchase_date


def _still_open(job: Job) -> None:
    # A closed job's entitlement was what its customer was charged (or not) by: it stays as it was.
    if not job.is_open:
        raise ProofRefused("decision", _("Job %(number)s is closed: its entitlement can no longer change.",
                                         number=job.number))


def accept_proof_of_purchase(session: Session, *, job: Job, purchase_date: date, actor: Actor, now: datetime,
                             tz: ZoneInfo | None = None, note: str = "", evidence: dict | None = None) -> ProofOutcome:
    """Record the purchase date a proof shows and decide the job's entitlement again."""
    _still_open(job)
    check_purchase_date(purchase_date, job=job, tz=tz)
    asset = job.asset
    before = {"entitlement": job.entitlement.value, "purchase_date": _iso(asset.purchase_date)}
    # The entitlement is derived from the appliance's purchase date (entitlement_of reads
    # Asset.purchase_date), and so are the QR page's verdict, the next report and a reclassification:
    # a receipt dates the appliance, not this one job, so the date goes on the asset and every reader
    # of it follows, instead of a second, job-only date that the next decision would not see.
    asset.purchase_date = purchase_date
    verdict = entitlement_for_job(session, job=job, tz=tz)
    store_entitlement(job, Entitlement(
        verdict.kind, verdict.valid_until, ACCEPTED_CODE,
        {"purchased": purchase_date.isoformat(), "verdict": {"code": verdict.reason_code, **verdict.facts}},
        choices=verdict.choices))
    job.updated_at = now
    event = record_event(job, kind=EventKind.PROOF_ACCEPTED, actor=actor, now=now, note=note,
                         data={"purchase_date": purchase_date.isoformat(), "from": before,
                               "to": {"entitlement": verdict.kind.value, "reason": verdict.reason_code},
                               **(evidence or {})})
    outcome = ProofOutcome(event=event, before=EntitlementKind(before["entitlement"]), after=verdict.kind)
    session.flush()
    if outcome.changed:
        publish(session, EntitlementChanged(job=job, before=outcome.before, actor=actor, now=now))
    return outcome


def refuse_proof_of_purchase(session: Session, *, job: Job, reason: str, actor: Actor, now: datetime,
                             evidence: dict | None = None) -> JobEvent:
    """The proof does not show a purchase of this appliance (unreadable, another product, altered): the
    entitlement stays as it was and the history keeps the reason."""
    _still_open(job)
    reason = reason.strip()
    if not reason:
        raise ProofRefused("reason", _("Say why the proof of purchase is refused."))
    if len(reason) > MAX_REFUSAL_REASON:
        raise ProofRefused("reason", _("The reason can be at most %(n)s characters long.", n=MAX_REFUSAL_REASON))
    job.updated_at = now
    event = record_event(job, kind=EventKind.PROOF_REFUSED, actor=actor, now=now, note=reason,
                         data={"entitlement": job.entitlement.value, **(evidence or {})})
    session.flush()
    return event


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
