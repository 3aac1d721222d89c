"""Staff pages: sign-in, and the agent's desk for phone reports and owning cases to closure."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from api.auth import require_page_roles, sign_in, sign_out
from api.context import now, services
from api.database import db
from api.errors import ApiError
from api.extensions import limiter
from api.forms import load_form
from api.i18n import SUPPORTED
from api.locating import locate
from api.navigation import home_endpoint
from api.schemas import FaultReportFields
from core.sign_in import SignInLocked, authenticate_within_limits
from core.users import CASE_ROLES, InvalidCredentials, User, set_user_locale
from dispatch.catalog.models import Asset
from dispatch.catalog.services import find_assets
from dispatch.intake.services import FaultReport, reclassify_job, report_fault, warranty_verdict
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import CannotOwn, JobNotFound, OverrideNeeded
from dispatch.jobs.models import Channel, JobCategory
from dispatch.jobs.read import job_search
from dispatch.jobs.services import FIELD_STATUSES, OWNER_ROLES, get_job, hand_over_job, office_transition
from dispatch.jobs.status import ALLOWED_TRANSITIONS, OPEN_STATUSES, InvalidTransition, JobStatus
from fieldwork.photos import photos_of

bp = Blueprint("staff", __name__)

PHONE_REPORT_FIELDS = ["fault_text", "contact_name", "contact_phone", "address"]
_report_schema = FaultReportFields()


def _same_site(target: str | None) -> str | None:
    # Only same-site paths: an open redirect would be a phishing aid.
    if target and len(target) <= 2000 and urlparse(target).netloc == "" and target.startswith("/") \
            and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _safe_next(target: str | None, user: User) -> str:
    if same_site := _same_site(target):
        return same_site
    return url_for(home_endpoint(user, current_app.view_functions))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: services().settings.login_rate_limit, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user = authenticate_within_limits(db(), username=request.form.get("username", "").strip()[:64],
                                              password=request.form.get("password", "")[:200],
                                              address=request.remote_addr, now=now())
        except InvalidCredentials:
            db().commit()  # the failure counts towards the lockout, although the sign-in is refused
            error = _("Wrong username or password.")
        except SignInLocked as locked:
            return render_template("login.html", error=_("Too many failed sign-ins. Try again in %(minutes)s minute(s).", minutes=locked.minutes)), 429, \
                {"Retry-After": str(int(locked.retry_after.total_seconds()) + 1)}
        else:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next"), user), code=303)
    return render_template("login.html", error=error), (401 if error else 200)


@bp.get("/staff")
@login_required
def signed_in():
    """Where roles without a desk page of their own land after signing in."""
    return render_template("signed_in.html")


@bp.post("/language")
def set_language():
    """The language picker: kept with a signed-in user, in a cookie for everyone else."""
    chosen = request.form.get("lang", "")
    if chosen not in SUPPORTED:
        raise ApiError(422, _("Choose English or Chinese."), {"form": {"lang": [_("Choose English or Chinese.")]}})
    back = _same_site(request.form.get("next")) or url_for("public.home")
    response = redirect(back, code=303)
    if current_user.is_authenticated:
        set_user_locale(db(), user=current_user, locale=chosen)
        db().commit()
    response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    return redirect(url_for("staff.login"), code=303)


@bp.get("/agent")
@require_page_roles(*CASE_ROLES)
def agent_desk():
    serial = request.args.get("serial", "").strip()[:64]
    phone = request.args.get("phone", "").strip()[:32]
    assets = find_assets(db(), serial=serial or None, phone=phone or None) if (serial or phone) else []
    my_jobs = list(db().scalars(job_search(status=sorted(OPEN_STATUSES), owner_id=current_user.id).limit(50)))
    return render_template("agent_desk.html", assets=assets, serial=serial, phone=phone, my_jobs=my_jobs,
                           searched=bool(serial or phone))


@bp.route("/agent/assets/<int:asset_id>/report", methods=["GET", "POST"])
@require_page_roles(*CASE_ROLES)
def phone_report(asset_id: int):
    asset = db().get(Asset, asset_id) or abort(404)
    verdict = warranty_verdict(asset, now=now(), tz=services().tz)
    form = {"address": asset.address, "contact_name": asset.customer.name, "contact_phone": asset.customer.phone,
            "channel": Channel.PHONE.value}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in PHONE_REPORT_FIELDS + ["channel"]}
        data, errors = load_form(_report_schema, request.form, PHONE_REPORT_FIELDS)
        try:
            channel = Channel(form["channel"])
        except ValueError:
            errors["channel"] = ["Choose how the report came in."]
        if not errors:
            report = FaultReport(channel=channel, fault_text=data["fault_text"], contact_name=data["contact_name"],
                                 contact_phone=data["contact_phone"], address=data.get("address"))
            result = report_fault(db(), asset=asset, actor=Actor.staff(current_user), now=now(), tz=services().tz,
                                  report=locate(report, asset))
            flash(f"Job {result.job.number} opened." if result.created
                  else f"This appliance already had open job {result.job.number}; the report was added to it.")
            return redirect(url_for("staff.job_detail", number=result.job.number), code=303)
    return render_template("phone_report.html", asset=asset, verdict=verdict, form=form, errors=errors,
                           channels=[Channel.PHONE, Channel.WALK_IN, Channel.WECHAT, Channel.APP]), \
        (422 if errors else 200)


def job_or_404(number: str):
    try:
        return get_job(db(), number[:20])
    except JobNotFound:
        abort(404)


def _owner_candidates():
    return list(db().scalars(select(User).where(User.active.is_(True), User.role.in_(sorted(OWNER_ROLES)))
                             .order_by(User.display_name)))


@bp.get("/agent/jobs/<number>")
@require_page_roles(*CASE_ROLES)
def job_detail(number: str, errors: dict | None = None, status: int = 200):
    job = job_or_404(number)
    return render_template("job_detail.html", job=job, next_statuses=sorted(ALLOWED_TRANSITIONS[job.status]),
                           field_statuses=FIELD_STATUSES,
                           categories=list(JobCategory), owners=_owner_candidates(), errors=errors or {},
                           photos=photos_of(db(), job)), status


@bp.post("/agent/jobs/<number>/transition")
@require_page_roles(*CASE_ROLES)
def job_transition(number: str):
    job = job_or_404(number)
    try:
        target = JobStatus(request.form.get("to", ""))
        office_transition(db(), job=job, to=target, actor=Actor.staff(current_user), now=now(),
                          note=request.form.get("note", "").strip()[:2000],
                          override_reason=request.form.get("override_reason", "").strip()[:500])
    except ValueError:
        return job_detail(number, {"to": "Choose a status."}, 422)
    except OverrideNeeded as error:
        return job_detail(number, {"to": str(error)}, 403)
    except InvalidTransition as error:
        return job_detail(number, {"to": str(error)}, 409)
    flash(f"Job {job.number} is now {job.status.value}.")
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/handover")
@require_page_roles(*CASE_ROLES)
def job_handover(number: str):
    job = job_or_404(number)
    note = request.form.get("note", "").strip()
    to_user = db().scalar(select(User).where(User.username == request.form.get("to_user", "")[:64]))
    if to_user is None:
        return job_detail(number, {"to_user": "Choose a colleague."}, 422)
    if not 3 <= len(note) <= 2000:
        return job_detail(number, {"handover_note": "Say why you hand the case over (3 to 2000 characters)."}, 422)
    try:
        hand_over_job(db(), job=job, to_user=to_user, actor=Actor.staff(current_user), now=now(), note=note)
    except CannotOwn as error:
        return job_detail(number, {"to_user": str(error)}, 422)
    flash(f"{to_user.display_name} now owns job {job.number}.")
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/category")
@require_page_roles(*CASE_ROLES)
def job_reclassify(number: str):
    job = job_or_404(number)
    try:
        category = JobCategory(request.form.get("category", ""))
    except ValueError:
        return job_detail(number, {"category": "Choose a category."}, 422)
    reclassify_job(db(), job=job, category=category, actor=Actor.staff(current_user), now=now(), tz=services().tz,
                   note=request.form.get("note", "").strip()[:2000])
    flash(f"Job {job.number} is now classified as {category.value}.")
    return redirect(url_for("staff.job_detail", number=job.number), code=303)
