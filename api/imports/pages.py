"""The import page (admin only): upload set-up files (CSV/xlsx, or one .zip of them), see the dry run
(rows per kind to create or update, or every problem with its file, row, column and reason), then
apply. The files wait between the dry run and applying in the file storage (core.storage, shared by
every web host when it is a bucket), as one archive under a random name kept in the admin's session;
applying checks them again against the database as it is then."""
from __future__ import annotations

import csv
import io
import re
import secrets
import zipfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user

from api.auth import require_page_roles
from api.context import now, storage
from api.database import db
from core.i18n import gettext as _
from core.storage import StoredFileMissing
from core.users import Role
from setup_files.example import FILES
from setup_files.importing import ImportReport, import_files
from setup_files.kinds import KINDS
from setup_files.reading import Problem, read_blobs

bp = Blueprint("imports", __name__, url_prefix="/admin/import")

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_UPLOAD_FILES = 40
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_SESSION_KEY = "import_staged"


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint, values) -> None:
    # The app refuses bodies over 64 KB, and the input guard reads the form before any view runs;
    # URL preprocessors run before both, so an upload here is allowed its own, larger limit.
    if endpoint in ("imports.upload", "imports.apply") and request.method == "POST":
        request.max_content_length = MAX_UPLOAD_BYTES


def _staged_key(token: str) -> str:
    return f"imports/{token}.zip"


def _stage(blobs: list[tuple[str, bytes]]) -> str:
    """Keep the uploaded files, as they came, until the admin applies them; the token that names them."""
    token = secrets.token_urlsafe(24)
    packed = io.BytesIO()
    # Stored, not compressed: the archive only carries the files to the apply step.
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:
        for name, data in blobs:
            archive.writestr(name, data)
    storage().put(_staged_key(token), packed.getvalue(), "application/zip")
    return token


def _staged(token: str) -> list[tuple[str, bytes]] | None:
    try:
        packed = storage().get(_staged_key(token))
    except StoredFileMissing:
        return None
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        return [(member.filename, archive.read(member)) for member in archive.infolist()]


def _render(report: ImportReport | None = None, *, staged: str | None = None, status: int = 200):
    problems = report.problems if report else []
    return render_template("admin_import.html", report=report, problems=problems, staged=staged,
                           kinds=[kind.name for kind in KINDS],
                           child_kinds={kind.name for kind in KINDS if kind.parent}, max_mb=MAX_UPLOAD_BYTES // 2**20), status


@bp.route("", methods=["GET", "POST"])
@require_page_roles(Role.ADMIN)
def upload():
    if request.method == "GET":
        return _render()
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return _render(ImportReport(problems=[Problem("", 0, "", _("Choose one or more files to upload."))]),
                       status=422)
    if len(uploads) > MAX_UPLOAD_FILES:
        return _render(ImportReport(problems=[Problem("", 0, "", _("At most %(n)s files at once.",
                                                                     n=MAX_UPLOAD_FILES))]), status=422)
    blobs = [(Path(f.filename).name, f.read()) for f in uploads]
    report = import_files(db(), read_blobs(blobs), actor=current_user.username, now=now(), apply=False)
    if not report.ok:
        return _render(report, status=422)
    _discard_staged()  # an earlier dry run of this admin's that was never applied
    token = _stage(blobs)
    session[_SESSION_KEY] = token
    return _render(report, staged=token)


@bp.post("/apply")
@require_page_roles(Role.ADMIN)
def apply():
    token = request.form.get("staged", "")
    blobs = _staged(token) if _TOKEN.fullmatch(token) and session.get(_SESSION_KEY) == token else None
    if blobs is None:
        return _render(ImportReport(problems=[Problem("", 0, "", _("Nothing waits to be applied: upload the "
                                                                     "files again."))]), status=409)
    report = import_files(db(), read_blobs(blobs), actor=current_user.username, now=now(), apply=True)
    if not report.ok:
        return _render(report, status=422)
    session.pop(_SESSION_KEY, None)
    storage().delete(_staged_key(token))
    created = sum(c.created for c in report.counts.values())
    updated = sum(c.updated for c in report.counts.values())
    flash(_("Imported: %(created)s records created, %(updated)s updated.", created=created, updated=updated))
    return redirect(url_for("imports.upload"), code=303)


def _discard_staged() -> None:
    token = session.pop(_SESSION_KEY, None)
    if token and _TOKEN.fullmatch(token):
        storage().delete(_staged_key(token))


@bp.get("/example.zip")
@require_page_roles(Role.ADMIN)
def example():
    """The example world as one archive, to look at or edit before uploading it back."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in FILES:
            archive.writestr(f"{kind}.csv", _example_csv(kind))
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name="aftercare-example.zip")


def _example_csv(kind: str) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(FILES[kind])
    return out.getvalue()

