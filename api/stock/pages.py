"""Warehouse pages: stock by warehouse and part (low stock highlighted, the emergencies pinned above it),
receiving goods, adjusting a count with its reason, transfers and purchase orders from request to receipt,
restock rules, and the emergency queue.

Every form is validated by the stock API's own schemas and acted on through dispatch.parts.desk, so a page
refuses exactly what the API refuses; a refusal re-renders the form with the message and writes nothing
(the request's transaction rolls back on any 4xx answer).
"""
from __future__ import annotations

import re

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from api.auth import require_page_roles
from api.context import now, purchase_approval_limit
from api.database import db
from api.errors import ApiError
from api.labels import label
from api.stock.schemas import (
    AdjustmentSchema,
    ApprovalDeclineSchema,
    PurchaseOrderCreateSchema,
    ReceiptSchema,
    ReceiveSchema,
    RestockRuleInSchema,
    TransferCreateSchema,
)
from core.limits import parse_id
from core.users import Role
from dispatch.catalog.models import Asset
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.parts import desk
from dispatch.parts import read as parts_queue
from dispatch.parts.desk import OrderNotFound
from inventory import overview
from inventory.ledger import InsufficientStock, StockError
from inventory.models import (
    OPEN_ORDER_STATUSES,
    OrderStatus,
    Part,
    PurchaseOrder,
    RestockRule,
    StockMovement,
    Supplier,
    Transfer,
    Warehouse,
    WarehouseKind,
)
from inventory.orders import OrderStateError

bp = Blueprint("stock", __name__, url_prefix="/warehouse")

STOCK_ROLES = (Role.WAREHOUSE, Role.MANAGER)
PURCHASE_APPROVERS = (Role.MANAGER, Role.ADMIN)  # as the API's approve and decline
PINNED_EMERGENCIES = 50
PAGE_SIZE = 100
LEDGER_PAGE_SIZE = 50
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,9}$")
_INTEGER_FIELDS = {"quantity", "change", "min_quantity", "max_quantity", "reorder_multiple"}

_receipt_schema, _adjustment_schema = ReceiptSchema(), AdjustmentSchema()
_transfer_schema, _receive_schema, _rule_schema = TransferCreateSchema(), ReceiveSchema(), RestockRuleInSchema()
_purchase_schema, _decline_schema = PurchaseOrderCreateSchema(), ApprovalDeclineSchema()
# Where a row's action may send the clerk back to: the page the row was on.
_BACK_TO = ("stock.levels", "stock.transfers", "stock.purchase_orders", "stock.emergencies")


def _load(schema: ma.Schema, form: MultiDict, fields: list[str]) -> tuple[dict, dict[str, str]]:
    """(data, errors) from a form: blanks count as not given, whole numbers typed as text become
    numbers (anything else stays text, so the strict schema refuses 1.5 or 'two'), and each field's
    error is the page's own sentence in the reader's language."""
    raw: dict[str, object] = {}
    for name in fields:
        value = form.get(name, "").strip()
        if name in ("auto_create", "expedited"):
            raw[name] = value in ("on", "true", "1")
        elif value != "":
            raw[name] = int(value) if name in _INTEGER_FIELDS and _WHOLE_NUMBER.match(value) else value
    try:
        return schema.load(raw, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        return {}, {field: label("stock.err", field, default=" ".join(map(str, messages)))
                    for field, messages in error.normalized_messages().items()}


def _refusal(error: Exception) -> tuple[str, str, int]:
    """(field, message, status) of a refused stock operation."""
    if isinstance(error, OrderNotFound):
        return "number", str(error), 404
    code = 409 if isinstance(error, (InsufficientStock, OrderStateError)) else 422
    return getattr(error, "field", "form"), str(error), code


def _actor() -> Actor:
    return Actor.staff(current_user)


def _warehouses() -> list[Warehouse]:
    # Vans last: most work is at the central warehouse and the depots.
    return sorted(db().scalars(select(Warehouse)), key=lambda w: (w.kind == WarehouseKind.VAN, w.code))


def _parts() -> list[Part]:
    return list(db().scalars(select(Part).order_by(Part.sku)))


def _choices() -> dict:
    return {"warehouses": _warehouses(), "parts": _parts()}


def _back(default: str):
    """Back to the page the action was taken on (one of ours), keeping its sort and filter."""
    endpoint = request.values.get("next", "")
    endpoint = endpoint if endpoint in _BACK_TO else default
    kept = {k: v[:20] for k, v in request.args.items() if k in ("sort", "dir", "state") and endpoint == default}
    return redirect(url_for(endpoint, **kept), code=303)


def _can_approve() -> bool:
    return current_user.has_role(*PURCHASE_APPROVERS)


def _emergencies(limit: int = PINNED_EMERGENCIES):
    return parts_queue.emergency_queue(db(), limit=limit).orders


# --- stock by warehouse and part ---

@bp.get("")
@require_page_roles(*STOCK_ROLES)
def levels():
    code = request.args.get("warehouse", "").strip()[:32]
    sku = request.args.get("sku", "").strip()[:40]
    low_only = request.args.get("low") in ("1", "on", "true")
    page = parse_id(request.args.get("page")) or 1
    warehouse = db().scalar(select(Warehouse).where(Warehouse.code == code)) if code else None
    part = db().scalar(select(Part).where(Part.sku == sku)) if sku else None
    listing, problems = _levels_sort()
    if code and warehouse is None:
        problems.append(_("No warehouse %(code)s.", code=code))
    if sku and part is None:
        problems.append(_("No part with SKU %(sku)s.", sku=sku))
    rows, total = [], 0
    if not problems:
        query = overview.stock_query(warehouse_id=warehouse.id if warehouse else None,
                                     part_id=part.id if part else None, low_only=low_only,
                                     sort=listing["sort"], descending=listing["dir"] == "desc")
        total = overview.count_rows(db(), query)
        rows = overview.stock_rows(db(), query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    low_count = overview.count_rows(db(), overview.stock_query(low_only=True))
    return render_template("stock_levels.html", rows=rows, total=total, page=page, page_size=PAGE_SIZE,
                           code=code, sku=sku, low_only=low_only, problems=problems, low_count=low_count,
                           listing=listing,
                           emergencies=_emergencies(), can_approve=_can_approve(),
                           **_choices()), (422 if problems else 200)


def _levels_sort() -> tuple[dict, list[str]]:
    """The levels' sort and direction from the query string; anything unknown is named and the default shown."""
    problems = []
    sort = request.args.get("sort", "warehouse")[:20]
    if sort not in overview.STOCK_SORTS:
        problems.append(_("The list cannot be sorted by %(sort)s; it is sorted by warehouse.", sort=sort))
        sort = "warehouse"
    direction = request.args.get("dir", "asc")[:4]
    if direction not in SORT_DIRECTIONS:
        problems.append(_("Sort up (asc) or down (desc)."))
        direction = "asc"
    return {"sort": sort, "dir": direction}, problems


# --- the ledger: every movement, newest first ---

@bp.get("/ledger")
@require_page_roles(*STOCK_ROLES)
def ledger():
    code = request.args.get("warehouse", "").strip()[:32]
    sku = request.args.get("sku", "").strip()[:40]
    page = parse_id(request.args.get("page")) or 1
    warehouse = db().scalar(select(Warehouse).where(Warehouse.code == code)) if code else None
    part = db().scalar(select(Part).where(Part.sku == sku)) if sku else None
    problems = []
    if code and warehouse is None:
        problems.append(_("No warehouse %(code)s.", code=code))
    if sku and part is None:
        problems.append(_("No part with SKU %(sku)s.", sku=sku))
    movements, total, jobs = [], 0, {}
    if not problems:
        query = overview.movements_query(warehouse_id=warehouse.id if warehouse else None,
                                         part_id=part.id if part else None)
        total = overview.count_rows(db(), query)
        movements = list(db().scalars(query.options(selectinload(StockMovement.warehouse),
                                                    selectinload(StockMovement.part))
                                      .offset((page - 1) * LEDGER_PAGE_SIZE).limit(LEDGER_PAGE_SIZE)))
        ids = {m.job_id for m in movements if m.job_id}
        jobs = dict(db().execute(select(Job.id, Job.number).where(Job.id.in_(ids))).tuples().all()) if ids else {}
    return render_template("stock_ledger.html", movements=movements, jobs=jobs, total=total, page=page,
                           page_size=LEDGER_PAGE_SIZE, code=code, sku=sku, problems=problems,
                           **_choices()), (422 if problems else 200)


# --- receive goods and adjust ---

RECEIPT_FIELDS = ["warehouse", "sku", "quantity", "purchase_order", "reason"]


@bp.route("/receive", methods=["GET", "POST"])
@require_page_roles(*STOCK_ROLES)
def receive():
    form = {name: request.values.get(name, "") for name in RECEIPT_FIELDS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data, errors = _load(_receipt_schema, request.form, RECEIPT_FIELDS)
        if not errors:
            try:
                receipt = desk.receive_goods(db(), warehouse_code=data["warehouse"], sku=data["sku"],
                                             quantity=data["quantity"], purchase_order_number=data["purchase_order"],
                                             reason=data["reason"], actor=_actor(), now=now())
            except StockError as error:
                field, message, status = _refusal(error)
                errors[field] = message
            else:
                flash(_("%(quantity)s × %(sku)s received at %(warehouse)s.", quantity=data["quantity"], sku=data["sku"],
                        warehouse=data["warehouse"])
                      + (" " + _("Order %(number)s is received.", number=receipt.purchase_order.number)
                         if receipt.purchase_order else ""))
                return redirect(url_for("stock.levels", warehouse=data["warehouse"]), code=303)
        status = status if status != 200 else 422
    return render_template("stock_receive.html", form=form, errors=errors, **_choices()), status


ADJUSTMENT_FIELDS = ["warehouse", "sku", "change", "reason"]


@bp.route("/adjust", methods=["GET", "POST"])
@require_page_roles(*STOCK_ROLES)
def adjust():
    form = {name: request.values.get(name, "") for name in ADJUSTMENT_FIELDS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data, errors = _load(_adjustment_schema, request.form, ADJUSTMENT_FIELDS)
        if not errors:
            try:
                desk.adjust_stock(db(), warehouse_code=data["warehouse"], sku=data["sku"], change=data["change"],
                                  reason=data["reason"], actor=_actor(), now=now())
            except StockError as error:
                field, message, status = _refusal(error)
                errors[field if field != "quantity" else "change"] = message
            else:
                flash(_("%(sku)s at %(warehouse)s adjusted by %(change)s.", change=f"{data['change']:+d}", sku=data["sku"],
                        warehouse=data["warehouse"]))
                return redirect(url_for("stock.levels", warehouse=data["warehouse"]), code=303)
        status = status if status != 200 else 422
    return render_template("stock_adjust.html", form=form, errors=errors, **_choices()), status


# --- transfers ---

TRANSFER_FIELDS = ["sku", "quantity", "from_warehouse", "to_warehouse", "reason"]


def _transfers_page(form: dict | None = None, errors: dict | None = None, status: int = 200, action_error=None):
    # Emergencies first (a job is waiting for them), routine restocks below; newest first within each
    # unless the clerk sorts by another column.
    listing, problems = _number_sort(overview.TRANSFER_SORTS)
    loaded = (selectinload(Transfer.part), selectinload(Transfer.from_warehouse), selectinload(Transfer.to_warehouse))
    open_transfers = list(db().scalars(
        overview.transfers_sorted(status=list(OPEN_ORDER_STATUSES), sort=listing["sort"],
                                  descending=listing["dir"] == "desc").options(*loaded)))
    pinned = _pinned(open_transfers)
    recent = list(db().scalars(overview.transfers_query(status=[OrderStatus.RECEIVED, OrderStatus.CANCELLED])
                               .options(*loaded).limit(20)))
    if status == 200 and problems:
        status = 422
    return render_template("stock_transfers.html", open_transfers=open_transfers, recent=recent, pinned=pinned,
                           listing=listing, problems=problems,
                           form=form or {name: request.args.get(name, "")[:200] for name in TRANSFER_FIELDS},
                           errors=errors or {}, action_error=action_error, **_choices()), status


@bp.get("/transfers")
@require_page_roles(*STOCK_ROLES)
def transfers():
    return _transfers_page()


@bp.post("/transfers")
@require_page_roles(*STOCK_ROLES)
def transfer_create():
    form = {name: request.form.get(name, "") for name in TRANSFER_FIELDS}
    data, errors = _load(_transfer_schema, request.form, TRANSFER_FIELDS)
    if errors:
        return _transfers_page(form, errors, 422)
    try:
        transfer = desk.create_transfer(db(), sku=data["sku"], quantity=data["quantity"],
                                        from_code=data["from_warehouse"], to_code=data["to_warehouse"],
                                        reason=data["reason"], actor=_actor(), now=now())
    except StockError as error:
        field, message, status = _refusal(error)
        return _transfers_page(form, {field: message}, status)
    flash(_("Transfer %(number)s requested; the units are held at the source.", number=transfer.number))
    return redirect(url_for("stock.transfers"), code=303)


@bp.post("/transfers/<number>/<action>")
@require_page_roles(*STOCK_ROLES)
def transfer_action(number: str, action: str):
    number = number[:20]
    try:
        if action == "ship":
            transfer = desk.ship_transfer(db(), number=number, actor=_actor(), now=now())
        elif action == "cancel":
            if request.form.get("confirm") != "yes":
                return _transfers_page(action_error=(number, label("stock.err", "confirm")), status=422)
            transfer = desk.cancel_transfer(db(), number=number, actor=_actor(), now=now(),
                                            approval_limit=purchase_approval_limit())
        elif action == "receive":
            data, errors = _load(_receive_schema, request.form, ["quantity"])
            if errors:
                return _transfers_page(action_error=(number, errors["quantity"]), status=422)
            transfer = desk.receive_transfer(db(), number=number, quantity=data["quantity"], actor=_actor(),
                                             now=now())
        else:
            abort(404)
    except (StockError, OrderNotFound) as error:
        _field, message, status = _refusal(error)
        return _transfers_page(action_error=(number, message), status=status)
    flash(label("stock.flash.transfer", action, number=transfer.number))
    return _back("stock.transfers")


# --- restock rules ---

RULE_FIELDS = ["warehouse", "sku", "min_quantity", "max_quantity", "reorder_multiple", "auto_create"]


def _rules_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    rules = list(db().scalars(select(RestockRule).join(Warehouse).join(Part).order_by(Warehouse.code, Part.sku)))
    # Each rule beside its level, so a clerk sees at once which rules are already below minimum.
    rows = {(row.warehouse.id, row.part.id): row for row in overview.stock_rows(db(), overview.stock_query())}
    default = {"reorder_multiple": "1", "auto_create": "on"}
    return render_template("stock_rules.html", rules=rules, levels=rows,
                           form=form or {**default, **{k: v for k, v in request.args.items() if k in RULE_FIELDS}},
                           errors=errors or {}, **_choices()), status


@bp.get("/rules")
@require_page_roles(*STOCK_ROLES)
def rules():
    return _rules_page()


@bp.post("/rules")
@require_page_roles(*STOCK_ROLES)
def rule_save():
    form = {name: request.form.get(name, "") for name in RULE_FIELDS}
    rule_data, errors = _load(_rule_schema, request.form, RULE_FIELDS[2:])
    for name in ("warehouse", "sku"):
        if not form[name].strip():
            errors[name] = label("stock.err", name)
    if errors:
        return _rules_page(form, errors, 422)
    try:
        desk.save_rule(db(), warehouse_code=form["warehouse"], sku=form["sku"], actor=_actor(), now=now(),
                       **rule_data)
    except StockError as error:
        field, message, status = _refusal(error)
        return _rules_page(form, {field: message}, status)
    flash(_("Rule for %(sku)s at %(warehouse)s saved.", sku=form["sku"].strip(), warehouse=form["warehouse"].strip()))
    return redirect(url_for("stock.rules"), code=303)


@bp.post("/rules/delete")
@require_page_roles(*STOCK_ROLES)
def rule_delete():
    code, sku = request.form.get("warehouse", "")[:32], request.form.get("sku", "")[:40]
    try:
        deleted = desk.delete_rule(db(), warehouse_code=code, sku=sku, actor=_actor(), now=now())
    except StockError as error:
        return _rules_page(errors={"form": str(error)}, status=422)
    if not deleted:
        return _rules_page(errors={"form": _("There is no rule for %(sku)s at %(warehouse)s.", sku=sku, warehouse=code)}, status=404)
    flash(_("Rule for %(sku)s at %(warehouse)s deleted.", sku=sku, warehouse=code))
    return redirect(url_for("stock.rules"), code=303)


# --- the emergency queue ---

@bp.get("/emergencies")
@require_page_roles(*STOCK_ROLES)
def emergencies():
    return render_template("stock_emergencies.html", queue=parts_queue.emergency_queue(db()), can_approve=_can_approve())


# --- purchase orders ---

PURCHASE_ORDER_FIELDS = ["supplier", "warehouse", "sku", "quantity", "expedited", "reason"]
# The state filter: open orders (still coming), any one state, or everything.
STATE_FILTERS = ("open", *(state.value for state in OrderStatus))
SORT_DIRECTIONS = ("asc", "desc")


def _pinned(orders) -> dict[int, parts_queue.EmergencyOrder]:
    """The open emergencies among `orders`, by id, each with the job it was placed for (one query)."""
    emergencies = [order for order in orders if order.emergency and order.status in OPEN_ORDER_STATUSES]
    ids = {order.job_id for order in emergencies if order.job_id}
    jobs = {}
    if ids:
        query = select(Job).where(Job.id.in_(ids)).options(selectinload(Job.asset).selectinload(Asset.region))
        jobs = {job.id: job for job in db().scalars(query)}
    return {order.id: parts_queue.EmergencyOrder(order, jobs.get(order.job_id)) for order in emergencies}


def _number_sort(known) -> tuple[dict, list[str]]:
    """An order list's sort (one of `known`, by default the number, newest first) and direction from the
    query string; anything else is named as a problem and the default is shown instead."""
    problems = []
    sort = request.args.get("sort", "number")[:20]
    if sort not in known:
        problems.append(_("The list cannot be sorted by %(sort)s; it is sorted by number.", sort=sort))
        sort = "number"
    direction = request.args.get("dir", "desc" if sort == "number" else "asc")[:4]
    if direction not in SORT_DIRECTIONS:
        problems.append(_("Sort up (asc) or down (desc)."))
        direction = "desc" if sort == "number" else "asc"
    return {"sort": sort, "dir": direction}, problems


def _order_list_query() -> tuple[dict, list[str]]:
    """The list's sort, direction, state filter and page from the query string, each one of its known
    values; anything else is named as a problem and the default is shown instead."""
    listing, problems = _number_sort(overview.PURCHASE_ORDER_SORTS)
    sort, direction = listing["sort"], listing["dir"]
    state = request.args.get("state", "")[:20]
    if state and state not in STATE_FILTERS:
        problems.append(_("There is no order state %(state)s; all orders are shown.", state=state))
        state = ""
    page = parse_id(request.args.get("page")) or 1
    return {"sort": sort, "dir": direction, "state": state, "page": page}, problems


def _purchase_orders_page(form: dict | None = None, errors: dict | None = None, status: int = 200,
                          action_error=None):
    listing, problems = _order_list_query()
    statuses = (list(OPEN_ORDER_STATUSES) if listing["state"] == "open"
                else [OrderStatus(listing["state"])] if listing["state"] else None)
    query = overview.purchase_orders_sorted(status=statuses, sort=listing["sort"],
                                            descending=listing["dir"] == "desc")
    total = overview.count_rows(db(), query)
    purchase_orders = list(db().scalars(
        query.options(selectinload(PurchaseOrder.supplier), selectinload(PurchaseOrder.part),
                      selectinload(PurchaseOrder.warehouse))
        .offset((listing["page"] - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    suppliers = list(db().scalars(select(Supplier).order_by(Supplier.code)))
    default = {name: request.args.get(name, "")[:200] for name in PURCHASE_ORDER_FIELDS}
    if status == 200 and problems:
        status = 422
    return render_template(
        "stock_purchase_orders.html", purchase_orders=purchase_orders, pinned=_pinned(purchase_orders),
        total=total, page_size=PAGE_SIZE, listing=listing, problems=problems, states=STATE_FILTERS,
        form=form or default, errors=errors or {}, action_error=action_error, suppliers=suppliers,
        can_approve=_can_approve(), receiving=[w for w in _warehouses() if w.kind != WarehouseKind.VAN],
        **_choices()), status


@bp.get("/purchase-orders")
@require_page_roles(*STOCK_ROLES)
def purchase_orders():
    return _purchase_orders_page()


@bp.post("/purchase-orders")
@require_page_roles(*STOCK_ROLES)
def purchase_order_create():
    form = {name: request.form.get(name, "") for name in PURCHASE_ORDER_FIELDS}
    data, errors = _load(_purchase_schema, request.form, PURCHASE_ORDER_FIELDS)
    if "reason" in errors:
        errors["reason"] = _("Keep the note under 2000 characters.")
    if errors:
        return _purchase_orders_page(form, errors, 422)
    try:
        order = desk.create_purchase_order(db(), sku=data["sku"], quantity=data["quantity"],
                                           warehouse_code=data["warehouse"], supplier_code=data["supplier"],
                                           expedited=data["expedited"], reason=data["reason"], now=now(),
                                           approval_limit=purchase_approval_limit())
    except StockError as error:
        field, message, status = _refusal(error)
        return _purchase_orders_page(form, {field: message}, status)
    flash(label("stock.flash.purchase_order", order.status.value, number=order.number, supplier=order.supplier.code))
    return redirect(url_for("stock.purchase_orders"), code=303)


@bp.post("/purchase-orders/<number>/<action>")
@require_page_roles(*STOCK_ROLES)
def purchase_order_action(number: str, action: str):
    number = number[:20]
    if action in ("approve", "decline") and not _can_approve():
        raise ApiError(403, "Your account cannot open this page.")
    try:
        if action == "ship":
            order = desk.ship_purchase_order(db(), number=number, now=now())
        elif action == "receive":
            data, errors = _load(_receive_schema, request.form, ["quantity"])
            if errors:
                return _purchase_orders_page(action_error=(number, errors["quantity"]), status=422)
            order = desk.receive_purchase_order(db(), number=number, quantity=data["quantity"], actor=_actor(),
                                                now=now())
        elif action == "cancel":
            if request.form.get("confirm") != "yes":
                return _purchase_orders_page(action_error=(number, label("stock.err", "confirm")), status=422)
            order = desk.cancel_purchase_order(db(), number=number, actor=_actor(), now=now(),
                                               approval_limit=purchase_approval_limit())
        elif action == "approve":
            order = desk.approve_purchase_order(db(), number=number, actor=_actor(), now=now())
        elif action == "decline":
            data, errors = _load(_decline_schema, request.form, ["reason"])
            if errors:
                return _purchase_orders_page(action_error=(number, _("Keep the reason under 2000 characters.")),
                                             status=422)
            order = desk.decline_purchase_order(db(), number=number, actor=_actor(), now=now(),
                                                reason=data["reason"], approval_limit=purchase_approval_limit())
        else:
            abort(404)
    except (StockError, OrderNotFound) as error:
        _field, message, status = _refusal(error)
        return _purchase_orders_page(action_error=(number, message), status=status)
    flash(label("stock.flash.purchase_order", action, number=order.number))
    return _back("stock.purchase_orders")
