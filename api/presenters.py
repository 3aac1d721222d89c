"""Views of domain objects shared by the API and the pages."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalog.models import Asset
from dispatch.intake.entitlement import Entitlement
from dispatch.jobs.models import EventKind, Job

# What a consumer sees of a job's history: no staff names, no internal notes.
CUSTOMER_VISIBLE_EVENTS = {EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.REPORT_ATTACHED,
                           EventKind.WINDOW_CONFIRMED}


def customer_timeline(job: Job) -> list[dict]:
    """Oldest first: a history reads in the order it happened."""
    return [{"at": e.at, "kind": e.kind.value, "from_status": e.from_status and e.from_status.value,
             "to_status": e.to_status and e.to_status.value}
            for e in job.events if e.kind in CUSTOMER_VISIBLE_EVENTS]


def tracking_view(job: Job) -> dict:
    """The stored facts of a job its customer may see; api.public.tracking adds the live part on top
    (and replaces the technician's name with the first name only)."""
    return {"number": job.number, "status": job.status, "category": job.category,
            "entitlement": job.entitlement, "entitlement_reason": job.entitlement_reason,
            "respond_by": job.respond_by, "repair_by": job.repair_by,
            "technician_name": job.technician.user.display_name if job.technician else None,
            "planned_start": job.planned_start, "timeline": customer_timeline(job)}


def tel_link(number: str) -> str:
    """A tel: link a phone dials as it is: digits and a leading +, nothing else."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def job_by_tracking_token(session: Session, token: str) -> Job | None:
    if not 10 <= len(token) <= 64:
        return None
    return session.scalar(select(Job).where(Job.tracking_token == token))


def asset_view(asset: Asset, warranty: Entitlement) -> dict:
    return {"id": asset.id, "serial": asset.serial, "product_model": asset.product_model,
            "address": asset.address, "purchase_date": asset.purchase_date, "warranty": warranty,
            "customer": asset.customer, "latitude": asset.latitude, "longitude": asset.longitude,
            "region": asset.region}
