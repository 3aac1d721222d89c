"""The window on pages: the customer's tracking page (choose, change or cancel until the technician sets
off) and the agent's job page (book it on the customer's behalf). The partials read the offers through
the template globals defined here, so the pages that include them need no change of their own."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from api.auth import require_page_roles
from api.context import now
from api.database import db
from api.extensions import limiter
from api.presenters import job_by_tracking_token
from api.public.endpoints import report_rate_limit
from api.public.pages import tracking_page
from api.windows.offers import by_day, choose, confirmed, offered, window_minutes
from core.limits import has_control_characters
from core.users import Role
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.errors import JobNotFound, ReasonNeeded
from dispatch.jobs.models import Job
from dispatch.jobs.services import get_job
from dispatch.planning.windows import WindowNotOffered, WindowsClosed, cancel_visit, takes_window

bp = Blueprint("windows", __name__)

WRITERS = (Role.AGENT, Role.DISPATCHER)
MAX_MOMENT_TEXT = 40


@bp.app_template_global()
def window_offers(job: Job):
    """The windows to choose from, by local day (empty once the job takes none)."""
    return by_day(job, offered(job)) if takes_window(job) else []


@bp.app_template_global()
def window_confirmed(job: Job):
    return confirmed(job)


@bp.app_template_global()
def window_open(job: Job) -> bool:
    return takes_window(job)


def _start_of(form) -> datetime | None:
    """The window's start as a form sends it (ISO 8601 with its offset); None for anything else."""
    text = form.get("start", "")
    if not text or len(text) > MAX_MOMENT_TEXT or has_control_characters(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _tracked_or_404(token: str) -> Job:
    job = job_by_tracking_token(db(), token[:64])
    if job is None:
        abort(404)
    return job


def _track_page(job: Job, message: str, status: int):
    return tracking_page(job, status=status, window_error=message)


@bp.post("/t/<token>/window")
@limiter.limit(report_rate_limit)
def track_choose(token: str):
    job = _tracked_or_404(token)
    start = _start_of(request.form)
    if start is None:
        return _track_page(job, _("Choose one of the windows shown."), 422)
    try:
        choose(job, start=start, end=start + timedelta(minutes=window_minutes()), actor=CUSTOMER)
    except (WindowNotOffered, WindowsClosed) as refused:
        return _track_page(job, str(refused), 409)
    flash(_("Your visit window is confirmed."))
    return redirect(url_for("public.track", token=job.tracking_token), code=303)


@bp.post("/t/<token>/cancel")
@limiter.limit(report_rate_limit)
def track_cancel(token: str):
    job = _tracked_or_404(token)
    if request.form.get("confirm") != "yes":
        return _track_page(job, _("Tick the box to confirm that you want to cancel the request."), 422)
    try:
        cancel_visit(db(), job=get_job(db(), job.number, for_update=True), reason=request.form.get("reason", "")[:600],
                     actor=CUSTOMER, now=now())
    except (ReasonNeeded, WindowsClosed) as refused:
        return _track_page(job, str(refused), 422 if isinstance(refused, ReasonNeeded) else 409)
    flash(_("Your request is cancelled."))
    return redirect(url_for("public.track", token=job.tracking_token), code=303)


@bp.post("/agent/jobs/<number>/window")
@require_page_roles(*WRITERS)
def job_choose(number: str):
    from api.jobs.pages import job_detail

    try:
        job = get_job(db(), number[:20])
    except JobNotFound:
        abort(404)
    start = _start_of(request.form)
    if start is None:
        return job_detail(number, {"window": _("Choose one of the windows shown.")}, 422)
    try:
        choose(job, start=start, end=start + timedelta(minutes=window_minutes()), actor=Actor.staff(current_user))
    except (WindowNotOffered, WindowsClosed) as refused:
        return job_detail(number, {"window": str(refused)}, 409)
    flash(_("Window booked for job %(number)s; the customer is told.", number=job.number))
    return redirect(url_for("staff.job_detail", number=job.number), code=303)
