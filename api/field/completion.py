"""The technician's one completion button: the status update (notes, parts fitted) and the completion
record (time on site, payment, the customer's signature drawn on the phone) in one request, checked in
full before anything moves."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from api.auth import require_page_roles
from api.context import now, services, storage, today
from api.database import db
from api.field.forms import FormProblem, status_update_from_form
from api.field.pages import _me, _my_job, _refuse, _update_message, _wants_json
from api.input_guard import allows_request_bytes
from core.users import Role
from dispatch.jobs.status import InvalidTransition, JobStatus
from fieldwork.completion import CompletionInput, CompletionRefused, check_completion, record_completion
from fieldwork.signatures import MAX_SIGNATURE_BYTES
from fieldwork.updates import UpdateRefused, apply_update
from inventory.ledger import StockError

bp = Blueprint("field_completion", __name__, url_prefix="/tech")

DATA_URL_PREFIX = "data:image/png;base64,"
# The signature travels in the form as a data URL (base64: 4 characters per 3 bytes) beside the notes.
MAX_COMPLETION_BYTES = MAX_SIGNATURE_BYTES * 4 // 3 + 64 * 1024


def signature_from_form(raw: str) -> bytes:
    if not raw:
        return b""
    if not raw.startswith(DATA_URL_PREFIX):
        raise CompletionRefused(_("The signature must be a PNG image."), field="signature")
    try:
        return base64.b64decode(raw[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise CompletionRefused(_("The signature must be a PNG image."), field="signature") from None


@bp.post("/jobs/<number>/complete")
@allows_request_bytes(MAX_COMPLETION_BYTES)
@require_page_roles(Role.TECHNICIAN)
def complete(number: str):
    technician = _me()
    job = _my_job(technician, number, for_update=True)
    form = request.form
    try:
        update = status_update_from_form(db(), form)
        if update.action != JobStatus.COMPLETED.value:
            raise FormProblem("to", _("This form completes the job."))
        given = CompletionInput(on_site_minutes=form.get("on_site_minutes", "")[:12],
                                amount_paid=form.get("amount_paid", "")[:24],
                                payment_method=form.get("payment_method", "")[:16],
                                signature_png=signature_from_form(form.get("signature", "")))
        checked = check_completion(db(), job=job, given=given, now=now())
        outcome = apply_update(db(), technician=technician, job=job, update=update, now=now())
        if not outcome.replayed:
            record_completion(db(), technician=technician, job=job, checked=checked, summary=update.note,
                              warranty_days=services().settings.repair_warranty_days, today=today(),
                              storage=storage(), now=now())
    except FormProblem as problem:
        return _refuse(number, 422, problem.field, problem.message)
    except CompletionRefused as refused:
        return _refuse(number, 422, refused.field, str(refused))
    except UpdateRefused as refused:
        return _refuse(number, refused.code, refused.field, str(refused))
    except InvalidTransition as error:
        return _refuse(number, 409, "to", str(error))
    except StockError as error:
        return _refuse(number, 422, "parts", str(error))
    result = outcome.record.result
    target = url_for("field.job_page", number=job.number)
    flash(_update_message(result))
    if _wants_json():
        return jsonify(replayed=outcome.replayed, redirect=target, **result)
    return redirect(target, code=303)
