"""Set-up pages at /admin/setup: for each kind of record (product models, warranty and SLA policies,
warehouses, parts, suppliers, restock rules, appliances) a searchable list in pages and a form to create
or change one, plus QR labels of the appliances listed or ticked.

Forms are validated by the set-up API's own schemas and acted on through the same domain services, so a
page refuses exactly what the API refuses; a refusal shows the form again with a message per field and
writes nothing (the request's transaction rolls back on any 4xx answer).
"""
from __future__ import annotations

import tempfile
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from api.auth import require_page_roles
from api.context import now, services
from api.database import db
from api.setup.common import count
from api.setup.forms import Input, form_values, load
from api.setup.page_kinds import ASSETS, KINDS, PageKind
from api.setup.schemas import translated
from core.i18n import gettext as _
from core.limits import parse_id
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from dispatch.catalog import labels
from dispatch.catalog.models import Asset
from dispatch.catalog.setup import assets_query
from inventory.ledger import StockError
from inventory.models import Part

bp = Blueprint("setup", __name__, url_prefix="/admin/setup")

PAGE_SIZE = 50
MAX_SEARCH = 100
MAX_LABELS = labels.LABELS_PER_SHEET * 10  # ten A4 sheets per download
BLANK_ROWS = 3  # empty rows offered under a repeated group (component terms, a supplier's parts)


def _url_part(kind: PageKind) -> str:
    return kind.slug.replace("_", "-")


def _can_write(kind: PageKind) -> bool:
    return current_user.has_role(*kind.writers)


def _nav() -> list[tuple[str, Any]]:
    """The set-up pages this user may open, in the order an organisation fills them in."""
    order = ["warranty_policies", "product_models", "sla_policies", "warehouses", "parts", "suppliers",
             "restock_rules", "assets", "labour_prices"]
    return [(f"setup.{slug}", KINDS[slug].title) for slug in order if current_user.has_role(*KINDS[slug].readers)]


def _import_url() -> str | None:
    """Registering many appliances from a file is the import page's work, when it is installed."""
    return url_for("imports.upload") if "imports.upload" in current_app.view_functions else None


# --- lists ---

def list_view(kind: PageKind):
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    page = parse_id(request.args.get("page")) or 1
    query = kind.query(search=search or None)
    total = count(query)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    records = list(db().scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return render_template("setup_list.html", kind=kind, records=records, total=total, page=page, pages=pages,
                           search=search, can_write=_can_write(kind), nav=_nav(), url_part=_url_part(kind),
                           import_url=_import_url() if kind is ASSETS else None, max_labels=MAX_LABELS)


# --- forms ---

def _defaults(kind: PageKind, inputs: list[Input]) -> dict[str, Any]:
    """A new record's form, filled with the schema's defaults."""
    fields = kind.schema().fields
    shown: dict[str, Any] = {}
    for item in inputs:
        default = getattr(fields.get(item.name), "load_default", ma.missing)
        if item.kind in ("choices", "rows"):
            shown[item.name] = []
        elif item.kind == "check":
            shown[item.name] = default is True
        else:
            shown[item.name] = "" if default in (ma.missing, None) or callable(default) else str(default)
    return shown


def _refusal(error: Exception, inputs: list[Input]) -> tuple[dict[str, str], int]:
    field = getattr(error, "field", "form")
    field = field if any(item.name == field for item in inputs) else "form"
    return {field: translated(str(error))}, 409 if isinstance(error, AlreadyExists) else 422


def form_view(kind: PageKind, key: str | None = None):
    record = None
    if key is not None:
        try:
            record = kind.lookup(db(), key)
        except SetupNotFound:
            abort(404)
    inputs = kind.inputs()
    readonly = [item.name for item in inputs if item.edit_only_readable] if record is not None else []
    shown = kind.shown(record) if record is not None else _defaults(kind, inputs)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        editable = [item for item in inputs if item.name not in readonly]
        shown = {**shown, **form_values(editable, request.form)}
        data, errors = load(kind.schema(exclude=readonly), editable, shown)
        status = 422 if errors else 200
        if not errors:
            try:
                if record is None:
                    record = kind.create(db(), actor=current_user.username, now=now(), **data)
                else:
                    record = kind.update(db(), record, actor=current_user.username, now=now(), **data)
            except (SetupRefused, StockError) as error:
                errors, status = _refusal(error, inputs)
            else:
                flash(_("Saved %(key)s.", key=kind.key_for(record).replace("~", " · ")))
                return redirect(url_for(f"setup.{kind.slug}", q=kind.key_for(record).split("~")[-1]), code=303)
    title = kind.edit_title % {"key": key.replace("~", " · ")} if key else kind.new_title
    return render_template("setup_form.html", kind=kind, inputs=inputs, shown=shown, errors=errors,
                           readonly=readonly, title=title, nav=_nav(), blank_rows=BLANK_ROWS,
                           part_skus=_part_skus(inputs)), status


def _part_skus(inputs: list[Input]) -> list[str]:
    """For the SKU inputs that suggest as you type (a supplier's parts, a restock rule's part)."""
    wanted = any(column.extra.get("list") == "part-skus" for item in inputs for column in (item, *item.columns))
    if not wanted:
        return []
    return list(db().scalars(select(Part.sku).order_by(Part.sku).limit(2000)))


for _kind in KINDS.values():
    _part = _url_part(_kind)
    bp.add_url_rule(f"/{_part}", endpoint=_kind.slug,
                    view_func=require_page_roles(*_kind.readers)(partial(list_view, _kind)))
    bp.add_url_rule(f"/{_part}/new", endpoint=f"{_kind.slug}_new", methods=["GET", "POST"],
                    view_func=require_page_roles(*_kind.writers)(partial(form_view, _kind)))
    bp.add_url_rule(f"/{_part}/<string(maxlength=80):key>/edit", endpoint=f"{_kind.slug}_edit",
                    methods=["GET", "POST"], view_func=require_page_roles(*_kind.writers)(partial(form_view, _kind)))


# --- QR labels ---

@bp.get("/assets/labels.pdf")
@require_page_roles(*ASSETS.readers)
def asset_labels():
    """A PDF of labels for the ticked appliances, or else for every one the search finds (up to ten sheets)."""
    serials = [serial.strip()[:64] for serial in request.args.getlist("serial")[:MAX_LABELS] if serial.strip()]
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    if serials:
        assets = list(db().scalars(select(Asset).where(Asset.serial.in_(serials)).order_by(Asset.serial)))
    else:
        assets = list(db().scalars(assets_query(search=search or None).limit(MAX_LABELS)))
    if not assets:
        flash(_("No appliances to print labels for."))
        return redirect(url_for("setup.assets", q=search), code=303)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "labels.pdf"
        labels.write_labels(assets, out_path=str(path), public_base_url=services().settings.public_base_url)
        content = path.read_bytes()
    return send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name="aftercare-labels.pdf")
