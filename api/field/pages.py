"""The technician's phone pages: the agenda of a day (today or one of the next few), one job with its
next step as the one primary button, parts, photos. Every form works as a plain post; static/field.js
adds an offline queue on top, static/field-sw.js (on Workbox, vendored in
static/vendor/workbox) keeps the pages opened for reading offline."""
from __future__ import annotations

import uuid

import marshmallow as ma
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from api.auth import require_page_roles
from api.context import now, purchase_approval_limit, services, storage, today
from api.database import db
from api.errors import respond
from api.extensions import csrf
from api.field.forms import FormProblem, parse_quantity, status_update_from_form
from api.field.schemas import PositionReportSchema
from api.i18n import babel_locale
from api.labels import label
from api.route_maps import field_route_map, render_svg
from api.street_maps import street_map
from api.uploads import allow_uploads
from core import i18n as core_i18n
from core.limits import parse_id
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.status import InvalidTransition
from dispatch.parts.services import request_part
from fieldwork.models import PhotoKind
from fieldwork.photos import MAX_PHOTO_BYTES, PhotoRejected, add_photo, photos_of
from fieldwork.positions import PositionReport, report_position
from fieldwork.read import (
    DayOutOfRange,
    agenda_day,
    agenda_days,
    field_day,
    fittable_parts,
    job_card,
    short_address,
    technician_of,
    van_stock,
)
from fieldwork.updates import (
    MAX_UNITS_PER_PART,
    PART_REQUEST,
    PHOTO,
    NotYourJob,
    UpdateOutcome,
    UpdateRefused,
    apply_update,
    claim_step,
    job_of_technician,
)
from inventory.ledger import StockError
from inventory.models import Part

bp = Blueprint("field", __name__, url_prefix="/tech")
allow_uploads(bp, {"field.add_job_photo": MAX_PHOTO_BYTES})


def _me():
    technician = technician_of(db(), current_user)
    if technician is None:
        abort(403, "This account has no technician profile.")
    return technician


def _my_job(technician, number: str, *, for_update: bool = False) -> Job:
    """The job if it is this technician's; otherwise 404, the same as a job that does not exist, so
    job numbers of other people's work cannot be probed."""
    try:
        return job_of_technician(db(), technician, number, for_update=for_update)
    except NotYourJob:
        abort(404)



def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"



def _update_message(result: dict) -> str:
    """What the technician's update did, in the page's language (the stored `message` is English)."""
    if result.get("action") == "accept":
        return _("You accepted job %(number)s.", number=result["job"])
    return _("Job %(number)s is now %(status)s.", number=result["job"], status=label("status", result["status"]))


@bp.get("/sw.js")
def service_worker():
    """The offline worker, served under /tech so that it may look after the technician's pages (a worker
    controls only the paths under its own address, unless this header widens that to /tech itself)."""
    response = current_app.send_static_file("field-sw.js")
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = url_for("field.route")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _primary_action(actions: list[str]) -> str | None:
    """The step the work goes on with; "waiting for parts" is a detour, never the obvious next tap."""
    return next((action for action in actions if action != "waiting_parts"), None)


@bp.get("")
@require_page_roles(Role.TECHNICIAN)
def route():
    technician = _me()
    days = agenda_days(today())
    try:
        chosen = agenda_day(request.args.get("day"), today=days[0])
    except DayOutOfRange:
        message = _("The agenda shows today and the next %(n)s days; choose one of them.", n=len(days) - 1)
        return render_template("tech_route.html", day=None, days=days, chosen=None, svg="", day_error=message,
                               short_address=short_address, rendered_at=now()), 400
    day = field_day(db(), technician, day=chosen, tz=services().tz)
    route_map = field_route_map(day, tz=services().tz) if day.cards else None
    return render_template("tech_route.html", day=day, days=days, chosen=chosen,
                           svg=render_svg(route_map) if route_map else "",
                           street_map=street_map(route_map, link=lambda number: url_for("field.job_page", number=number))
                           if route_map else None, day_error=None,
                           short_address=short_address, rendered_at=now())


@bp.get("/jobs/<number>")
@require_page_roles(Role.TECHNICIAN)
def job_page(number: str, errors: dict | None = None, status: int = 200, form: dict | None = None):
    technician = _me()
    job = _my_job(technician, number)
    card = job_card(db(), technician, job)
    return render_template("tech_job.html", card=card, job=job, primary_action=_primary_action,
                           fittable=fittable_parts(card, van_stock(db(), technician)),
                           model_parts=sorted(job.asset.product_model.parts, key=lambda p: p.sku),
                           # The customer's fault photos too; their receipt is for the office only.
                           photos=photos_of(db(), job, kinds=(PhotoKind.FIELD, PhotoKind.FAULT)),
                           errors=errors or {}, form=form or {}, rendered_at=now(),
                           new_id=lambda: uuid.uuid4().hex, max_photo_mb=MAX_PHOTO_BYTES // (1024 * 1024),
                           max_photo_bytes=MAX_PHOTO_BYTES,
                           max_units=MAX_UNITS_PER_PART), status


def _refuse(number: str, code: int, field: str, message: str):
    if _wants_json():
        return jsonify(code=code, status="Refused", message=message, errors={"form": {field: [message]}}), code
    return job_page(number, {field: message}, code, form=request.form.to_dict())


@bp.post("/jobs/<number>/status")
@require_page_roles(Role.TECHNICIAN)
def job_status(number: str):
    technician = _me()
    job = _my_job(technician, number, for_update=True)
    try:
        update = status_update_from_form(db(), request.form)
        outcome = apply_update(db(), technician=technician, job=job, update=update, now=now())
    except FormProblem as problem:
        return _refuse(number, 422, problem.field, problem.message)
    except UpdateRefused as refused:
        return _refuse(number, refused.code, refused.field, str(refused))
    except InvalidTransition as error:
        return _refuse(number, 409, "to", str(error))
    except StockError as error:
        return _refuse(number, 422, "parts", str(error))
    result = outcome.record.result
    # A job waiting for parts leaves this technician's day (dispatch plans the next visit).
    still_mine = job.technician_id == technician.id
    target = url_for("field.job_page", number=job.number) if still_mine else url_for("field.route")
    flash(_update_message(result))  # shown by the next page, whether a form post or the queue loads it
    if _wants_json():
        return jsonify(replayed=outcome.replayed, redirect=target, **result)
    return redirect(target, code=303)


@bp.post("/jobs/<number>/position")
@require_page_roles(Role.TECHNICIAN)
def job_position(number: str):
    """The job page's script reporting where the phone is while the job is on the way (JSON in and out;
    the CSRF token travels in the X-CSRFToken header)."""
    technician = _me()
    job = _my_job(technician, number)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _position_refused(400, "json", _("Send the position as a JSON object."))
    try:
        data = PositionReportSchema().load(body)
    except ma.ValidationError as error:
        return jsonify(code=422, status="Unprocessable Entity", message=_("The position was not valid; nothing was saved."),
                       errors={"json": error.messages}), 422
    report = PositionReport(data["latitude"], data["longitude"], data["accuracy"], data["observed_at"])
    try:
        recorded = report_position(technician=technician, job=job, report=report, now=now())
    except UpdateRefused as refused:
        return _position_refused(refused.code, refused.field, str(refused))
    return jsonify(job=job.number, recorded=recorded,
                   seen_at=technician.last_seen_at.isoformat() if technician.last_seen_at else None)


def _position_refused(code: int, field: str, message: str):
    return jsonify(code=code, status="Refused", message=message, errors={"json": {field: [message]}}), code


def _claim(technician, job: Job, action: str) -> UpdateOutcome | None:
    """A form that carries a client_id (each one the page renders; the phone's queue sends it again after a
    lost answer) is done once, as status updates are: its record, or None for a form without one."""
    client_id = request.form.get("client_id")
    if client_id is None:
        return None
    return claim_step(db(), technician=technician, job=job, client_id=client_id, action=action, now=now())


def _step_done(technician, job: Job, message: str, *, replayed: bool, anchor: str = ""):
    # A job the step took off this technician's day (waiting for a part) sends them back to the day.
    still_mine = job.technician_id == technician.id
    target = url_for("field.job_page", number=job.number) + anchor if still_mine else url_for("field.route")
    flash(message)
    if _wants_json():
        return jsonify(replayed=replayed, redirect=target, job=job.number, message=message)
    return redirect(target, code=303)


@bp.post("/jobs/<number>/parts")
@require_page_roles(Role.TECHNICIAN)
def need_part(number: str):
    technician = _me()
    job = _my_job(technician, number, for_update=True)
    try:
        claimed = _claim(technician, job, PART_REQUEST)
    except UpdateRefused as refused:
        return _refuse(number, refused.code, refused.field, str(refused))
    if claimed is not None and claimed.replayed:
        return _step_done(technician, job, claimed.record.result.get("message", ""), replayed=True)
    try:
        part_id = parse_id(request.form.get("part_id"))
        part = db().get(Part, part_id) if part_id else None
        if part is None:
            raise FormProblem("part_id", _("Choose a part."))
        quantity = parse_quantity(request.form.get("quantity", ""))
        outcome = request_part(db(), job=job, part=part, quantity=quantity, actor=Actor.staff(technician.user),
                               now=now(), approval_limit=purchase_approval_limit())
    except FormProblem as problem:
        return _refuse(number, 422, problem.field, problem.message)
    except StockError as error:
        return _refuse(number, 422, "part_id", str(error))
    if claimed is not None:
        claimed.record.result = {"job": job.number, "action": PART_REQUEST, "message": outcome.summary}
    return _step_done(technician, job, outcome.summary, replayed=False)


@bp.post("/jobs/<number>/photos")
@csrf.exempt  # checked in the view
@require_page_roles(Role.TECHNICIAN)
def add_job_photo(number: str):
    csrf.protect()
    technician = _me()
    job = _my_job(technician, number, for_update=True)
    try:
        claimed = _claim(technician, job, PHOTO)
    except UpdateRefused as refused:
        return _photo_refused(number, refused.code, str(refused))
    if claimed is not None and claimed.replayed:
        return _step_done(technician, job, _("Photo saved."), replayed=True, anchor="#photos")
    upload = request.files.get("photo")
    if upload is None or upload.filename == "":
        return _photo_refused(number, 422, _("Choose a photo to upload."))
    try:
        photo = add_photo(db(), job=job, data=upload.read(MAX_PHOTO_BYTES + 1), uploaded_by=technician.user,
                          storage=storage(), now=now())
    except PhotoRejected as error:
        return _photo_refused(number, 422, str(error))
    if claimed is not None:
        claimed.record.result = {"job": job.number, "action": PHOTO, "photo": photo.stored_name}
    return _step_done(technician, job, _("Photo saved."), replayed=False, anchor="#photos")


def _photo_refused(number: str, code: int, message: str):
    if _wants_json():
        return jsonify(code=code, status="Refused", message=message, errors={"form": {"photo": [message]}}), code
    return job_page(number, {"photo": message}, code)


@bp.errorhandler(RequestEntityTooLarge)
def _photo_too_large(error: RequestEntityTooLarge):
    """A photo over the limit is refused before any view runs (the input guard reads the body first); the
    technician reads why beside the photo field, as for any other photo problem."""
    number = (request.view_args or {}).get("number")
    technician = technician_of(db(), current_user) if current_user.is_authenticated \
        and current_user.has_role(Role.TECHNICIAN) else None
    if request.endpoint != "field.add_job_photo" or not number or technician is None:
        return respond(error)
    try:
        job_of_technician(db(), technician, number)
    except NotYourJob:
        return respond(error)
    core_i18n.set_locale(babel_locale())
    return _photo_refused(number, 413, label("error", "413.message"))
