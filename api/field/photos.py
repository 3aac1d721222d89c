"""Job photos, served to the office and to the technician whose job it is (a purchase receipt only to the
office); never listed, never guessable."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, send_file
from flask_login import current_user

from api.auth import require_page_roles
from api.context import storage
from api.database import db
from core.storage import StoredFileMissing
from core.users import CASE_ROLES, Role
from dispatch.jobs.models import Job
from fieldwork.models import PhotoKind
from fieldwork.photos import photo_by_name, photo_bytes
from fieldwork.read import technician_of

bp = Blueprint("photos", __name__)



@bp.get("/photos/<name>")
@require_page_roles(*CASE_ROLES, Role.TECHNICIAN)
def photo(name: str):
    found = photo_by_name(db(), name)
    if found is None:
        abort(404)
    if not current_user.has_role(*CASE_ROLES):
        technician = technician_of(db(), current_user)
        if technician is None or found.kind == PhotoKind.RECEIPT \
                or db().get(Job, found.job_id).technician_id != technician.id:
            abort(404)
    try:
        data = photo_bytes(storage(), found)
    except StoredFileMissing:
        abort(404)
    response = send_file(BytesIO(data), mimetype=found.content_type, max_age=3600)
    # The bytes were checked to be an image of this type; never let a browser guess otherwise.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
