"""Administration pages of people and places under /admin: the admin home with every section, users
(new, edit, disable/enable, reset password), regions (with business hours) and technicians (skills,
shifts, days off, van).

Forms are validated by the admin API's own schemas and acted on through the same domain services, so a
page refuses exactly what the API refuses; a refusal shows the form again with a message per field and
writes nothing (the request's transaction rolls back on any 4xx answer)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from api.auth import require_page_roles
from api.context import now, storage
from api.database import db
from api.extensions import csrf
from api.people import changes, forms
from api.people.invitations import email_invitation, invitation_url
from api.people.schemas import (
    PasswordResetSchema,
    RegionInSchema,
    TechnicianChangeSchema,
    TechnicianInSchema,
    UserCreateSchema,
    UserUpdateSchema,
)
from core.i18n import gettext as _
from core.limits import parse_id
from core.password_policy import MIN_LENGTH, WeakPassword
from core.regions import Region, RegionRefused, regions_query
from core.users import Role, User, UserRefused, reset_password, users_query
from dispatch.technicians.errors import TechnicianRefused
from dispatch.technicians.models import Technician
from dispatch.technicians.services import SKILL_LEVELS, technicians_query, users_without_profile
from fieldwork.photos import PhotoRejected
from fieldwork.portraits import MAX_PHOTO_BYTES, remove_portrait, set_portrait
from inventory.models import Warehouse, WarehouseKind

bp = Blueprint("people", __name__, url_prefix="/admin")

PAGE_SIZE = 50
TECHNICIAN_MANAGERS = (Role.MANAGER,)  # and admins, who pass every role check
REFUSALS = (UserRefused, WeakPassword, RegionRefused, TechnicianRefused)
# Sections other areas build; each is listed on the admin home only when its page is registered.
OTHER_SECTIONS = ("setup.product_models", "setup.warranty_policies", "setup.sla_policies", "setup.warehouses",
                  "setup.parts", "setup.suppliers", "setup.restock_rules", "setup.assets", "imports.upload")


def role_labels() -> dict[str, str]:
    return {Role.AGENT.value: _("Agent"), Role.DISPATCHER.value: _("Dispatcher"),
            Role.TECHNICIAN.value: _("Technician"), Role.WAREHOUSE.value: _("Warehouse staff"),
            Role.MANAGER.value: _("Manager"), Role.ADMIN.value: _("Admin")}


def locale_labels() -> dict[str, str]:
    return {"": _("Follow the browser"), "en": "English", "zh_CN": "中文"}


def section_titles() -> dict[str, str]:
    return {"people.users": _("Users"), "people.regions": _("Regions"), "people.technicians": _("Technicians"),
            "setup.product_models": _("Product models"), "setup.warranty_policies": _("Warranty policies"),
            "setup.sla_policies": _("SLA policies"), "setup.warehouses": _("Warehouses"), "setup.parts": _("Parts"),
            "setup.suppliers": _("Suppliers"), "setup.restock_rules": _("Restock rules"),
            "setup.assets": _("Assets and labels"), "imports.upload": _("Import and export")}


def _field_of(error: Exception) -> str:
    """The form field a refusal belongs to: one weekday's row when the refusal is about that day."""
    field, weekday = getattr(error, "field", "form"), getattr(error, "weekday", None)
    if weekday is not None and field in ("business_hours", "shifts"):
        return f"{'hours' if field == 'business_hours' else 'shift'}_{weekday}"
    return field


def _actor() -> str:
    return current_user.username


def _page_number() -> int:
    return parse_id(request.args.get("page")) or 1


def _search() -> str:
    return request.args.get("q", "").strip()[:64]


def _paged(query):
    """(rows of this page, total, page number)."""
    page = _page_number()
    total = db().scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db().scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return rows, total, page


def _list_context(rows, total, page) -> dict:
    return {"rows": rows, "total": total, "page": page, "page_size": PAGE_SIZE, "q": _search(),
            "last_page": max(1, -(-total // PAGE_SIZE))}


# --- the admin home ---

@bp.get("/")
@require_page_roles(*TECHNICIAN_MANAGERS)
def admin_home():
    mine = ["people.technicians"] if not current_user.has_role(Role.ADMIN) else \
        ["people.users", "people.regions", "people.technicians"]
    others = [endpoint for endpoint in OTHER_SECTIONS
              if endpoint in current_app.view_functions and current_user.has_role(Role.ADMIN)]
    counts = {"people.users": db().scalar(select(func.count()).select_from(User)),
              "people.regions": db().scalar(select(func.count()).select_from(Region)),
              "people.technicians": db().scalar(select(func.count()).select_from(Technician))}
    return render_template("people_home.html", sections=mine + others, titles=section_titles(), counts=counts,
                           waiting=users_without_profile(db()))


# --- users ---

USER_FIELDS = {"username": "text", "display_name": "text", "role": "text", "password": "text", "locale": "text",
               "email": "text"}


@bp.get("/users")
@require_page_roles(Role.ADMIN)
def users():
    role = request.args.get("role", "")
    query = users_query(search=_search() or None, role=Role(role) if role in Role._value2member_map_ else None)
    return render_template("people_users.html", role=role, roles=role_labels(), **_list_context(*_paged(query)))


@bp.route("/users/new", methods=["GET", "POST"])
@require_page_roles(Role.ADMIN)
def user_new():
    form = {name: request.form.get(name, "") for name in USER_FIELDS if name != "password"}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw = forms.scalar_fields(request.form, USER_FIELDS)
        if "password" in request.form and request.form["password"] != "":
            raw["password"] = request.form["password"]  # spaces are part of a passphrase
        data, errors = forms.load(UserCreateSchema(), raw, {})
        if not errors:
            try:
                user = changes.create_user(db(), actor=_actor(), now=now(), data=data)
            except REFUSALS as error:
                errors = {error.field: str(error)}
            else:
                flash(_("Created %(username)s.", username=user.username))
                if data["password"] is None:
                    url = invitation_url(user)
                    flash(_("Send %(username)s this one-time link to choose a password (valid for 3 days): "
                            "%(url)s", username=user.username, url=url))
                    if email_invitation(user, url):
                        flash(_("The link was also e-mailed to %(email)s.", email=user.email))
                if user.role == Role.TECHNICIAN:
                    flash(_("Now give %(username)s a technician profile, so they can open their day.",
                            username=user.username))
                    return redirect(url_for("people.technician_new", username=user.username), code=303)
                return redirect(url_for("people.users", q=user.username), code=303)
        status = 422
    return render_template("people_user_new.html", form=form, errors=errors, roles=role_labels(),
                           locales=locale_labels(), min_length=MIN_LENGTH), status


def _user(username: str) -> User:
    user = db().scalar(select(User).where(User.username == username[:64]))
    return user if user is not None else abort(404)


def _user_page(user: User, *, form=None, errors=None, password_errors=None, status: int = 200):
    technician = db().scalar(select(Technician).where(Technician.user_id == user.id))
    form = form or {"display_name": user.display_name, "role": user.role.value, "locale": user.locale or "",
                    "email": user.email or ""}
    return render_template("people_user_edit.html", user=user, form=form, errors=errors or {},
                           password_errors=password_errors or {}, roles=role_labels(), locales=locale_labels(),
                           technician=technician, min_length=MIN_LENGTH), status


@bp.get("/users/<string(maxlength=64):username>")
@require_page_roles(Role.ADMIN)
def user_edit(username: str):
    return _user_page(_user(username))


@bp.post("/users/<string(maxlength=64):username>")
@require_page_roles(Role.ADMIN)
def user_save(username: str):
    user = _user(username)
    form = {name: request.form.get(name, "") for name in ("display_name", "role", "locale", "email")}
    raw = forms.scalar_fields(request.form, {"display_name": "text", "role": "text", "locale": "nullable",
                                             "email": "nullable"})
    data, errors = forms.load(UserUpdateSchema(), raw, {})
    if not errors:
        try:
            changes.update_user(db(), actor=_actor(), now=now(), user=user, data=data)
        except REFUSALS as error:
            errors = {error.field: str(error)}
        else:
            flash(_("Saved %(username)s.", username=user.username))
            return redirect(url_for("people.user_edit", username=user.username), code=303)
    return _user_page(user, form=form, errors=errors, status=422)


@bp.post("/users/<string(maxlength=64):username>/active")
@require_page_roles(Role.ADMIN)
def user_active(username: str):
    user = _user(username)
    active = request.form.get("active") == "1"
    try:
        changes.update_user(db(), actor=_actor(), now=now(), user=user, data={"active": active})
    except REFUSALS as error:
        return _user_page(user, errors={"active": str(error)}, status=409)
    flash(_("%(username)s can sign in again.", username=user.username) if active else
          _("%(username)s is disabled: their sessions and API tokens have ended.", username=user.username))
    return redirect(url_for("people.user_edit", username=user.username), code=303)


@bp.post("/users/<string(maxlength=64):username>/password")
@require_page_roles(Role.ADMIN)
def user_password(username: str):
    user = _user(username)
    data, errors = forms.load(PasswordResetSchema(), {"password": request.form.get("password", "")[:1000]}
                              if request.form.get("password") else {}, {})
    if not errors:
        try:
            reset_password(db(), actor=_actor(), now=now(), user=user, password=data["password"])
        except REFUSALS as error:
            errors = {"password": str(error)}
        else:
            flash(_("New password set for %(username)s; their sessions and API tokens have ended.",
                    username=user.username))
            return redirect(url_for("people.user_edit", username=user.username), code=303)
    return _user_page(user, password_errors=errors, status=422)


# --- regions ---

REGION_FIELDS = {"code": "text", "name": "text", "time_zone": "text", "center_lat": "number",
                 "center_lon": "number", "road_factor": "number", "speed_kmh": "number",
                 "service_radius_km": "nullable", "hotline": "nullable"}


def _region_form(region: Region | None) -> dict:
    if region is None:
        return {"time_zone": "Asia/Shanghai", "road_factor": "1.35", "speed_kmh": "28"}
    form = {name: "" if getattr(region, name) is None else str(getattr(region, name)) for name in REGION_FIELDS}
    for hours in region.business_hours:
        form[f"hours_{hours.weekday}_opens"] = f"{hours.opens:%H:%M}"
        form[f"hours_{hours.weekday}_closes"] = f"{hours.closes:%H:%M}"
    return form


def _region_raw() -> tuple[dict, dict]:
    raw = forms.scalar_fields(request.form, REGION_FIELDS)
    if isinstance(raw.get("service_radius_km"), str):
        raw["service_radius_km"] = forms._typed(raw["service_radius_km"], forms._NUMBER, float)
    hours, keys = forms.business_hours(request.form)
    raw["business_hours"] = hours
    return raw, {"business_hours": keys}


def _region_page(region: Region | None, form: dict, errors: dict, status: int = 200):
    return render_template("people_region.html", region=region, form=form, errors=errors,
                           weekdays=forms.weekday_names()), status


@bp.get("/regions")
@require_page_roles(Role.ADMIN)
def regions():
    return render_template("people_regions.html", **_list_context(*_paged(regions_query(search=_search() or None))))


@bp.route("/regions/new", methods=["GET", "POST"])
@require_page_roles(Role.ADMIN)
def region_new():
    if request.method == "GET":
        return _region_page(None, _region_form(None), {})
    raw, row_keys = _region_raw()
    data, errors = forms.load(RegionInSchema(), raw, row_keys)
    if not errors:
        try:
            region = changes.create_region(db(), actor=_actor(), now=now(), data=data)
        except REFUSALS as error:
            errors = {_field_of(error): str(error)}
        else:
            flash(_("Created the region %(code)s.", code=region.code))
            return redirect(url_for("people.regions"), code=303)
    return _region_page(None, dict(request.form), errors, 422)


def _region(code: str) -> Region:
    region = db().scalar(select(Region).where(Region.code == code[:32]))
    return region if region is not None else abort(404)


@bp.route("/regions/<string(maxlength=32):code>", methods=["GET", "POST"])
@require_page_roles(Role.ADMIN)
def region_edit(code: str):
    region = _region(code)
    if request.method == "GET":
        return _region_page(region, _region_form(region), {})
    raw, row_keys = _region_raw()
    data, errors = forms.load(RegionInSchema(), raw, row_keys)
    if not errors:
        try:
            changes.update_region(db(), actor=_actor(), now=now(), region=region, data=data)
        except REFUSALS as error:
            errors = {_field_of(error): str(error)}
        else:
            flash(_("Saved the region %(code)s.", code=region.code))
            return redirect(url_for("people.region_edit", code=region.code), code=303)
    return _region_page(region, dict(request.form), errors, 422)


# --- technicians ---

TECHNICIAN_FIELDS = {"username": "text", "display_name": "text", "region": "text", "home_address": "text",
                     "home_lat": "number", "home_lon": "number", "daily_job_cap": "whole", "van": "nullable"}


def _technician_form(technician: Technician | None) -> dict:
    if technician is None:
        form = {"daily_job_cap": "8", "username": request.args.get("username", "")[:64]}
        for day in range(5):  # a working week to start from: Monday to Friday, 08:30-17:30, an hour for lunch
            form.update({f"shift_{day}_start": "08:30", f"shift_{day}_end": "17:30", f"shift_{day}_break": "60",
                         f"shift_{day}_break_from": "11:30", f"shift_{day}_break_to": "13:30"})
        return form
    form = {"username": technician.user.username, "region": technician.region.code,
            "home_address": technician.home_address, "home_lat": str(technician.home_lat),
            "home_lon": str(technician.home_lon), "daily_job_cap": str(technician.daily_job_cap),
            "van": technician.van.code if technician.van else ""}
    for n, skill in enumerate(technician.skills[:forms.SKILL_ROWS]):
        form.update({f"skill_{n}_name": skill.skill, f"skill_{n}_level": str(skill.level),
                     f"skill_{n}_until": skill.certified_until.isoformat() if skill.certified_until else ""})
    for shift in technician.shifts:
        d = shift.weekday
        form.update({f"shift_{d}_start": f"{shift.start:%H:%M}", f"shift_{d}_end": f"{shift.end:%H:%M}",
                     f"shift_{d}_break": str(shift.break_minutes) if shift.break_minutes else "",
                     f"shift_{d}_break_from": f"{shift.break_earliest:%H:%M}" if shift.break_earliest else "",
                     f"shift_{d}_break_to": f"{shift.break_latest_end:%H:%M}" if shift.break_latest_end else ""})
    form["days_off"] = "\n".join(f"{d.day.isoformat()} {d.reason}".strip() for d in technician.days_off)
    return form


def _technician_raw(*, new: bool) -> tuple[dict, dict]:
    raw = forms.scalar_fields(request.form, TECHNICIAN_FIELDS)
    if new and request.form.get("password"):
        raw["password"] = request.form["password"]
    if not new:
        for name in ("username", "display_name"):
            raw.pop(name, None)
    row_keys = {}
    for name, reader in (("skills", forms.skills), ("shifts", forms.shifts), ("days_off", forms.days_off)):
        raw[name], row_keys[name] = reader(request.form)
    return raw, row_keys


def _technician_page(technician: Technician | None, form: dict, errors: dict, status: int = 200):
    return render_template(
        "people_technician.html", technician=technician, form=form, errors=errors, weekdays=forms.weekday_names(),
        skill_rows=range(forms.SKILL_ROWS), levels=SKILL_LEVELS,
        regions=list(db().scalars(select(Region).order_by(Region.code))),
        vans=list(db().scalars(select(Warehouse).where(Warehouse.kind == WarehouseKind.VAN).order_by(Warehouse.code))),
        waiting=users_without_profile(db()) if technician is None else [],
        can_create_accounts=current_user.has_role(Role.ADMIN), max_photo_mb=MAX_PHOTO_BYTES // (1024 * 1024)), status


@bp.get("/technicians")
@require_page_roles(*TECHNICIAN_MANAGERS)
def technicians():
    region = request.args.get("region", "").strip()[:32]
    query = technicians_query(search=_search() or None, region_code=region or None)
    return render_template("people_technicians.html", region=region,
                           regions=list(db().scalars(select(Region).order_by(Region.code))),
                           waiting=users_without_profile(db()), **_list_context(*_paged(query)))


@bp.route("/technicians/new", methods=["GET", "POST"])
@require_page_roles(*TECHNICIAN_MANAGERS)
def technician_new():
    if request.method == "GET":
        return _technician_page(None, _technician_form(None), {})
    raw, row_keys = _technician_raw(new=True)
    if "password" in raw and not current_user.has_role(Role.ADMIN):
        return _technician_page(None, dict(request.form), {"password": _("Only an admin can create accounts.")}, 403)
    data, errors = forms.load(TechnicianInSchema(), raw, row_keys)
    if not errors:
        try:
            technician = changes.create_technician(db(), actor=_actor(), now=now(), data=data)
        except REFUSALS as error:
            errors = {_field_of(error): str(error)}
        else:
            flash(_("%(name)s is a technician of %(region)s now.", name=technician.user.display_name,
                    region=technician.region.name))
            return redirect(url_for("people.technician_edit", technician_id=technician.id), code=303)
    return _technician_page(None, dict(request.form), errors, 422)


@bp.route("/technicians/<int:technician_id>", methods=["GET", "POST"])
@require_page_roles(*TECHNICIAN_MANAGERS)
def technician_edit(technician_id: int):
    technician = db().get(Technician, technician_id) or abort(404)
    if request.method == "GET":
        return _technician_page(technician, _technician_form(technician), {})
    raw, row_keys = _technician_raw(new=False)
    raw.setdefault("van", None)  # an empty choice takes the van away
    data, errors = forms.load(TechnicianChangeSchema(partial=True), raw, row_keys)
    if not errors:
        try:
            changes.update_technician(db(), actor=_actor(), now=now(), technician=technician, data=data)
        except REFUSALS as error:
            errors = {_field_of(error): str(error)}
        else:
            flash(_("Saved %(name)s.", name=technician.user.display_name))
            return redirect(url_for("people.technician_edit", technician_id=technician.id), code=303)
    form = dict(request.form)
    form["username"] = technician.user.username
    return _technician_page(technician, form, errors, 422)


@bp.post("/technicians/<int:technician_id>/photo")
@csrf.exempt  # checked below, once the larger size limit for photos is in place
@require_page_roles(*TECHNICIAN_MANAGERS)
def technician_photo(technician_id: int):
    """The portrait customers see while this technician is on the way to them."""
    # The app refuses bodies over 64 KB; a photo needs more. Raised only here, before the form is read.
    request.max_content_length = MAX_PHOTO_BYTES + 64 * 1024
    csrf.protect()
    technician = db().get(Technician, technician_id) or abort(404)
    if request.form.get("remove") == "1":
        remove_portrait(db(), technician=technician, actor=_actor(), now=now())
        flash(_("The photo of %(name)s was removed.", name=technician.user.display_name))
        return redirect(url_for("people.technician_edit", technician_id=technician.id), code=303)
    upload = request.files.get("photo")
    if upload is None or upload.filename == "":
        return _technician_page(technician, _technician_form(technician), {"photo": _("Choose a photo to upload.")},
                                422)
    try:
        set_portrait(db(), technician=technician, data=upload.read(MAX_PHOTO_BYTES + 1),
                     storage=storage(), actor=_actor(), now=now())
    except PhotoRejected as error:
        return _technician_page(technician, _technician_form(technician), {"photo": str(error)}, 422)
    flash(_("Saved the photo of %(name)s.", name=technician.user.display_name))
    return redirect(url_for("people.technician_edit", technician_id=technician.id), code=303)
