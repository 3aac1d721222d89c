"""Paid repairs in pages: the customer approves or declines the quote on the tracking page; an agent writes
the quote and records an answer given on the phone on the job page; the technician writes it on the phone.
The partials (_track_quote.html, _job_quote.html, _tech_quote.html) read what they show through the
helpers this blueprint gives every template."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from api.auth import require_page_roles
from api.context import now, storage
from api.database import db
from api.field import pages as field_pages
from api.jobs import pages as staff_pages
from api.presenters import job_by_tracking_token
from api.public.pages import tracking_page
from core.limits import parse_id
from core.users import CASE_ROLES, Role
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Job
from dispatch.jobs.services import get_job
from dispatch.jobs.status import InvalidTransition
from dispatch.parts.services import MAX_UNITS_PER_PART, parts_for_job
from dispatch.quotes.errors import QuoteRefused
from dispatch.quotes.models import QuoteState
from dispatch.quotes.money import yuan
from dispatch.quotes.services import approve_quote, decline_quote, give_quote, needs_quote, quote_of
from fieldwork.completion import PAYMENT_METHODS, amount_owed, completion_of, measured_minutes
from fieldwork.read import technician_of
from fieldwork.signatures import signature_bytes
from fieldwork.updates import NotYourJob, job_of_technician
from inventory.models import JobPartState

bp = Blueprint("quotes", __name__)

DECISIONS = {"approve": approve_quote, "decline": decline_quote}


@bp.app_template_filter("yuan")
def _yuan(value) -> str:
    return yuan(value)


@bp.app_context_processor
def _paid_repair_helpers() -> dict:
    """What the quote and completion partials read, asked for only where a partial is shown."""
    return {"needs_quote": needs_quote, "quote_for": lambda job: quote_of(db(), job),
            "completion_for": lambda job: completion_of(db(), job),
            "quotable_parts": _quotable_parts, "owed_for": lambda job: amount_owed(db(), job),
            "measured_minutes": lambda job: measured_minutes(db(), job, now=now()),
            "payment_methods": PAYMENT_METHODS, "max_quote_units": MAX_UNITS_PER_PART,
            "paid_work_may_start": _paid_work_may_start, "fitted_parts": _fitted_parts,
            "payment_names": {"cash": _("Cash"), "card": _("Card"), "transfer": _("Bank transfer")}}


def _paid_work_may_start(job: Job) -> bool:
    if not needs_quote(job):
        return True
    quote = quote_of(db(), job)
    return quote is not None and quote.state == QuoteState.APPROVED


def _fitted_parts(job: Job) -> list:
    return [line for line in parts_for_job(db(), job) if line.state == JobPartState.CONSUMED]


def _quotable_parts(job: Job) -> list:
    """The appliance model's bill of materials, the parts with a customer price first."""
    return sorted(job.asset.product_model.parts, key=lambda p: (p.customer_price is None, p.sku))


def _lines_from_form(job: Job) -> list:
    """Form fields quote_<part id> = units; empty or 0 leaves the part out."""
    parts = {part.id: part for part in job.asset.product_model.parts}
    lines = []
    for name, value in list(request.form.items())[:200]:
        if not name.startswith("quote_") or str(value).strip() in ("", "0"):
            continue
        part_id, units = parse_id(name[6:]), str(value).strip()
        if part_id not in parts:
            raise QuoteRefused(_("Choose parts of this appliance's model."), field="quote")
        if not (units.isascii() and units.isdigit()) or not 1 <= int(units) <= MAX_UNITS_PER_PART:
            raise QuoteRefused(_("Quantity must be between 1 and %(max)s.", max=MAX_UNITS_PER_PART), field="quote")
        lines.append((parts[part_id], int(units)))
    return lines


# --- the customer, on the tracking page ---

@bp.post("/t/<token>/quote/<any(approve, decline):decision>")
def track_decision(token: str, decision: str):
    found = job_by_tracking_token(db(), token)
    if found is None:
        abort(404)
    job = get_job(db(), found.number, for_update=True)
    try:
        DECISIONS[decision](db(), job=job, actor=CUSTOMER, now=now())
    except (QuoteRefused, InvalidTransition) as error:
        return tracking_page(job, status=getattr(error, "code", 409), quote_error=str(error))
    flash(_("Thank you: you approved the quote. The technician can start the repair.") if decision == "approve"
          else _("You declined the quote. Nothing will be repaired."))
    return redirect(url_for("public.track", token=job.tracking_token) + "#quote", code=303)


# --- the agent, on the job page ---

@bp.post("/agent/jobs/<number>/quote")
@require_page_roles(*CASE_ROLES)
def staff_quote(number: str):
    job = staff_pages.job_or_404(number, for_update=True)
    try:
        give_quote(db(), job=job, parts=_lines_from_form(job), actor=Actor.staff(current_user), now=now())
    except QuoteRefused as error:
        return staff_pages.job_detail(number, {"quote": str(error)}, error.code)
    flash(_("Quote saved; the customer was sent it to approve."))
    return redirect(url_for("staff.job_detail", number=job.number) + "#quote", code=303)


@bp.post("/agent/jobs/<number>/quote/<any(approve, decline):decision>")
@require_page_roles(*CASE_ROLES)
def staff_decision(number: str, decision: str):
    job = staff_pages.job_or_404(number, for_update=True)
    if request.form.get("confirm") != "yes":
        return staff_pages.job_detail(number, {"quote": _("Tick the box to confirm the customer's answer.")}, 422)
    try:
        DECISIONS[decision](db(), job=job, actor=Actor.staff(current_user), now=now())
    except (QuoteRefused, InvalidTransition) as error:
        return staff_pages.job_detail(number, {"quote": str(error)}, getattr(error, "code", 409))
    flash(_("The customer's approval is recorded.") if decision == "approve"
          else _("The customer's decline is recorded."))
    return redirect(url_for("staff.job_detail", number=job.number) + "#quote", code=303)


@bp.get("/agent/jobs/<number>/signature.png")
@require_page_roles(*CASE_ROLES)
def staff_signature(number: str):
    """The customer's signature of a completed job, for the office only (never public, never cached shared)."""
    job = staff_pages.job_or_404(number)
    record = completion_of(db(), job)
    data = signature_bytes(storage(), record.signature_name) if record and record.signature_name else None
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# --- the technician, on the phone ---

@bp.post("/tech/jobs/<number>/quote")
@require_page_roles(Role.TECHNICIAN)
def tech_quote(number: str):
    technician = technician_of(db(), current_user)
    if technician is None:
        abort(403)
    try:
        job = job_of_technician(db(), technician, number, for_update=True)
    except NotYourJob:
        abort(404)
    try:
        give_quote(db(), job=job, parts=_lines_from_form(job), actor=Actor.staff(current_user), now=now())
    except QuoteRefused as error:
        return field_pages.job_page(number, {"quote": str(error)}, error.code, form=request.form.to_dict())
    flash(_("Quote sent to the customer to approve."))
    return redirect(url_for("field.job_page", number=job.number) + "#quote", code=303)
