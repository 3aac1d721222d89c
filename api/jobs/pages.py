"""Staff pages: sign-in, and the agent's desk for phone reports and owning cases to closure."""
from __future__ import annotations

from datetime import date
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
from api.jobs.job_page import hand_over_candidates, job_page
from api.jobs.queues import Queue, desk_queues
from api.labels import human, label
from api.local_time import zone_of
from api.locating import locate
from api.navigation import home_endpoint
from api.schemas import FaultReportFields
from care.sla_watch import AlreadyPaused, JobNotOpen, NotPaused, pause_clocks, resume_clocks
from core.sign_in import SignInLocked, authenticate_within_limits
from core.users import CASE_ROLES, InvalidCredentials, User, set_user_locale
from dispatch.catalog.models import Asset
from dispatch.intake.entitlement import add_months
from dispatch.intake.errors import ProofRefused
from dispatch.intake.services import FaultReport, reclassify_job, report_fault, warranty_verdict
from dispatch.jobs.audit import Actor
from dispatch.jobs.desk_actions import MAX_CANCEL_REASON, cancel_job, take_case
from dispatch.jobs.errors import CannotOwn, JobNotFound, OverrideNeeded, ReasonNeeded
from dispatch.jobs.models import Channel, JobCategory
from dispatch.jobs.search import MAX_QUERY_LENGTH, SearchRefused, asset_search_select, job_search_select, parse_query
from dispatch.jobs.services import FIELD_STATUSES, get_job, hand_over_job, office_transition
from dispatch.jobs.status import ALLOWED_TRANSITIONS, InvalidTransition, JobStatus
from fieldwork.receipts import accept_receipt, receipt_of, refuse_receipt

bp = Blueprint("staff", __name__)

PHONE_REPORT_FIELDS = ["fault_text", "contact_name", "contact_phone", "address"]
_report_schema = FaultReportFields()
# Lines of each kind of search result: a caller is found in the first few; more asks for a narrower query.
SEARCH_LINES = 20


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
    # The old two-box search (serial, phone) still arrives from bookmarks: it is one query now.
    raw = request.args.get("q") or request.args.get("serial") or request.args.get("phone") or ""
    raw = raw[:MAX_QUERY_LENGTH * 2]
    try:
        shown = Queue(request.args.get("queue", Queue.MINE.value))
    except ValueError:
        shown = Queue.MINE
    jobs, assets, search_error = [], [], None
    if raw.strip():
        try:
            query = parse_query(raw)
        except SearchRefused as refused:
            search_error = str(refused)
        else:
            jobs = list(db().scalars(job_search_select(query).limit(SEARCH_LINES)))
            assets = list(db().scalars(asset_search_select(query).limit(SEARCH_LINES)))
    queues = desk_queues(db(), shown=shown, user_id=current_user.id)
    return render_template("agent_desk.html", q=" ".join(raw.split()), searched=bool(raw.strip()) and not search_error,
                           search_error=search_error, found_jobs=jobs, assets=assets,
                           warranty_ends={asset.id: warranty_end(asset) for asset in assets},
                           queues=queues, queue_names=list(Queue)), \
        (422 if search_error else 200)


def warranty_end(asset: Asset) -> date | None:
    """The last day of the appliance's free-repair term (三包), from its purchase date."""
    if asset.purchase_date is None:
        return None
    return add_months(asset.purchase_date, asset.product_model.warranty_policy.free_repair_months)


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
            errors["channel"] = []
        # One readable message per field, in the page's language, rather than the schema's own words.
        errors = {field: [label("phone.err", field)] for field in errors}
        if not errors:
            report = FaultReport(channel=channel, fault_text=data["fault_text"], contact_name=data["contact_name"],
                                 contact_phone=data["contact_phone"], address=data.get("address"))
            result = report_fault(db(), asset=asset, actor=Actor.staff(current_user), now=now(), tz=services().tz,
                                  report=locate(report, asset))
            flash(_("Job %(number)s opened.", number=result.job.number) if result.created
                  else _("This appliance already had open job %(number)s; the report was added to it.",
                         number=result.job.number))
            return redirect(url_for("staff.job_detail", number=result.job.number), code=303)
    return render_template("phone_report.html", asset=asset, verdict=verdict, form=form, errors=errors,
                           channels=[Channel.PHONE, Channel.WALK_IN, Channel.WECHAT, Channel.APP]), \
        (422 if errors else 200)


def job_or_404(number: str, *, for_update: bool = False):
    try:
        return get_job(db(), number[:20], for_update=for_update)
    except JobNotFound:
        abort(404)


@bp.get("/agent/jobs/<number>")
@require_page_roles(*CASE_ROLES)
def job_detail(number: str, errors: dict | None = None, status: int = 200, form: dict | None = None):
    try:
        page = job_page(db(), number)
    except JobNotFound:
        abort(404)
    job = page.job
    zone = zone_of(job, services().tz)
    allowed = ALLOWED_TRANSITIONS[job.status]
    return render_template("job_detail.html", job=job, page=page,
                           next_statuses=[s for s in sorted(allowed) if s != JobStatus.CANCELLED],
                           can_cancel=JobStatus.CANCELLED in allowed, field_statuses=FIELD_STATUSES,
                           categories=list(JobCategory), owners=hand_over_candidates(db(), job),
                           zone=zone.key, errors=errors or {}, form=form or {},
                           # The latest purchase date a receipt may show (dispatch.intake.proof checks it too).
                           reported_on=job.reported_at.astimezone(zone).date().isoformat()), status


@bp.post("/agent/jobs/<number>/transition")
@require_page_roles(*CASE_ROLES)
def job_transition(number: str):
    job = job_or_404(number)
    try:
        target = JobStatus(request.form.get("to", ""))
        if target == JobStatus.CANCELLED:
            # A cancellation is never one click: it has its own form, with a reason and a confirmation.
            return job_detail(number, {"to": _("To cancel, use “Cancel job…” and give a reason.")}, 422)
        office_transition(db(), job=job, to=target, actor=Actor.staff(current_user), now=now(),
                          note=request.form.get("note", "").strip()[:2000],
                          override_reason=request.form.get("override_reason", "").strip()[:500])
    except ValueError:
        return job_detail(number, {"to": _("Choose a status.")}, 422)
    except OverrideNeeded as error:
        return job_detail(number, {"to": str(error)}, 403)
    except InvalidTransition as error:
        return job_detail(number, {"to": str(error)}, 409)
    flash(_("Job %(number)s is now %(status)s.", number=job.number, status=human(job.status)))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/cancel")
@require_page_roles(*CASE_ROLES)
def job_cancel(number: str):
    job = job_or_404(number, for_update=True)
    reason = request.form.get("reason", "")[:MAX_CANCEL_REASON * 2]
    form = {"reason": reason}
    if request.form.get("confirm") != "yes":
        return job_detail(number, {"cancel_confirm": _("Tick the box to confirm the cancellation.")}, 422, form)
    try:
        cancel_job(db(), job=job, reason=reason, actor=Actor.staff(current_user), now=now())
    except ReasonNeeded as error:
        return job_detail(number, {"cancel_reason": str(error)}, 422, form)
    except InvalidTransition as error:
        return job_detail(number, {"cancel_reason": str(error)}, 409, form)
    flash(_("Job %(number)s is cancelled.", number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/take")
@require_page_roles(*CASE_ROLES)
def job_take(number: str):
    job = job_or_404(number, for_update=True)
    try:
        take_case(db(), job=job, user=current_user, now=now())
    except CannotOwn as error:
        return job_detail(number, {"take": str(error)}, 409)
    flash(_("You own job %(number)s now.", number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/pause")
@require_page_roles(*CASE_ROLES)
def job_pause_clocks(number: str):
    job = job_or_404(number, for_update=True)
    reason = request.form.get("reason", "").strip()
    if not 3 <= len(reason) <= 500:
        return job_detail(number, {"pause": _("Say what the customer is doing (3 to 500 characters).")}, 422,
                          {"pause_reason": reason[:1000]})
    try:
        pause_clocks(db(), job=job, reason=reason, actor=Actor.staff(current_user), now=now())
    except (AlreadyPaused, JobNotOpen) as error:
        return job_detail(number, {"pause": str(error)}, 409)
    flash(_("Job %(number)s is waiting for the customer: its SLA clocks stand still.", number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/resume")
@require_page_roles(*CASE_ROLES)
def job_resume_clocks(number: str):
    job = job_or_404(number, for_update=True)
    try:
        resume_clocks(db(), job=job, actor=Actor.staff(current_user), now=now(),
                      note=request.form.get("note", "").strip()[:500])
    except NotPaused as error:
        return job_detail(number, {"pause": str(error)}, 409)
    flash(_("The SLA clocks of job %(number)s run again.", number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/handover")
@require_page_roles(*CASE_ROLES)
def job_handover(number: str):
    job = job_or_404(number, for_update=True)
    note = request.form.get("note", "").strip()
    to_user = db().scalar(select(User).where(User.username == request.form.get("to_user", "")[:64]))
    if to_user is None:
        return job_detail(number, {"to_user": _("Choose a colleague.")}, 422)
    if not 3 <= len(note) <= 2000:
        return job_detail(number, {"handover_note": _("Say why you hand the case over (3 to 2000 characters).")}, 422)
    try:
        hand_over_job(db(), job=job, to_user=to_user, actor=Actor.staff(current_user), now=now(), note=note)
    except CannotOwn as error:
        return job_detail(number, {"to_user": str(error)}, 422)
    flash(_("%(name)s now owns job %(number)s.", name=to_user.display_name, number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/proof-of-purchase")
@require_page_roles(*CASE_ROLES)
def job_proof_of_purchase(number: str):
    job = job_or_404(number)
    form = {"purchase_date": request.form.get("purchase_date", "")[:10], "reason": request.form.get("reason", "")[:500]}
    decision = request.form.get("decision", "")
    try:
        photo = receipt_of(db(), job, request.form.get("photo") or None)
        if decision == "accept":
            try:
                purchase_date = date.fromisoformat(form["purchase_date"].strip())
            except ValueError:
                return job_detail(number, {"purchase_date": _("Give the date shown on the receipt.")}, 422, form=form)
            before = job.entitlement
            accept_receipt(db(), job=job, photo=photo, purchase_date=purchase_date, actor=Actor.staff(current_user),
                           now=now(), tz=services().tz)
            flash(_("Receipt accepted. Entitlement: %(before)s → %(after)s.", before=human(before),
                    after=human(job.entitlement)) if before != job.entitlement else
                  _("Receipt accepted. The entitlement stays %(kind)s.", kind=human(job.entitlement)))
        elif decision == "refuse":
            refuse_receipt(db(), job=job, photo=photo, reason=request.form.get("reason", "")[:2000],
                           actor=Actor.staff(current_user), now=now())
            flash(_("Receipt refused; the reason is in the job's history."))
        else:
            return job_detail(number, {"purchase_date": _("Choose to accept or to refuse the receipt.")}, 422,
                              form=form)
    except ProofRefused as refused:
        return job_detail(number, {refused.field if refused.field != "photo" else "purchase_date": str(refused)}, 422,
                          form=form)
    return redirect(url_for("staff.job_detail", number=job.number) + "#proof", code=303)


@bp.post("/agent/jobs/<number>/category")
@require_page_roles(*CASE_ROLES)
def job_reclassify(number: str):
    job = job_or_404(number)
    try:
        category = JobCategory(request.form.get("category", ""))
    except ValueError:
        return job_detail(number, {"category": _("Choose a category.")}, 422)
    reclassify_job(db(), job=job, category=category, actor=Actor.staff(current_user), now=now(), tz=services().tz,
                   note=request.form.get("note", "").strip()[:2000])
    flash(_("Job %(number)s is now classified as %(category)s.", number=job.number, category=human(category)))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)
