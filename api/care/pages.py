"""Staff pages for closing the loop: my follow-up tasks, a job's SLA clocks (with waiting for the
customer), and the manager's service dashboard."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from api.auth import require_page_roles
from api.care import dashboard_view
from api.care.charts import Series, render_trend_svg
from api.context import now, services, today
from api.database import db
from api.jobs.pages import job_or_404
from api.labels import human, label
from api.local_time import local_datetime
from care.dashboard import DEFAULT_PERIOD, InvalidPeriod, build_dashboard, period_asked
from care.drilldown import UnknownNumber, group_names, jobs_behind, list_jobs
from care.fault_rates import MIN_BASE_TO_RANK
from care.models import FollowUpTask, Survey, TaskOutcome
from care.sla_watch import AlreadyPaused, JobNotOpen, NotPaused, job_clocks, pause_clocks, resume_clocks
from care.tasks import (
    NotYourTask,
    TaskAlreadyDone,
    TaskNotFound,
    complete_task,
    get_task,
    recently_done,
    tasks_for,
    upcoming_count,
)
from core.users import CASE_ROLES, Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import change_priority, record_contact
from dispatch.jobs.errors import ClockChangeRefused
from dispatch.jobs.models import ContactChannel, Priority

bp = Blueprint("care", __name__)


@bp.app_context_processor
def _contact_form_globals():
    """What the record-contact form (_record_contact_form.html) needs on whichever page includes it."""
    return {"contact_channels": lambda: list(ContactChannel), "now_utc": now}

def _my_tasks_page(errors: dict[int, str] | None = None, status: int = 200):
    upcoming = request.args.get("upcoming") == "1"
    tasks = list(db().scalars(tasks_for(current_user, now=now(), include_upcoming=upcoming)))
    return render_template("tasks.html", tasks=tasks, done=list(db().scalars(recently_done(current_user))),
                           upcoming=upcoming_count(db(), current_user, now=now()), showing_upcoming=upcoming,
                           outcomes=list(TaskOutcome), errors=errors or {}, now=now()), status


@bp.get("/tasks")
@require_page_roles(*CASE_ROLES)
def my_tasks():
    return _my_tasks_page()


@bp.post("/tasks/<int:task_id>/done")
@require_page_roles(*CASE_ROLES)
def task_done(task_id: int):
    note = request.form.get("note", "").strip()
    try:
        outcome = TaskOutcome(request.form.get("outcome", ""))
    except ValueError:
        return _my_tasks_page({task_id: _("Choose how the call ended.")}, 422)
    if len(note) > 2000:
        return _my_tasks_page({task_id: _("The note is too long (at most 2000 characters).")}, 422)
    if outcome == TaskOutcome.FOLLOW_UP and len(note) < 3:
        return _my_tasks_page({task_id: _("Say what follow-up was arranged.")}, 422)
    try:
        task = get_task(db(), task_id, for_update=True)
        complete_task(db(), task=task, user=current_user, outcome=outcome, note=note, now=now())
    except TaskNotFound:
        abort(404)
    except (TaskAlreadyDone, NotYourTask) as error:
        return _my_tasks_page({task_id: str(error)}, 409)
    flash(_("Task %(id)s done: %(outcome)s.", id=task_id, outcome=human(outcome)))
    return redirect(url_for("care.my_tasks"), code=303)


@bp.get("/agent/jobs/<number>/care")
@require_page_roles(*CASE_ROLES)
def job_care(number: str, error: str | None = None, status: int = 200, contact_error: str | None = None):
    job = job_or_404(number)
    clocks = job_clocks(db(), job, now=now())
    return render_template(
        "job_care.html", job=job, clocks=clocks.readings.values(), pauses=clocks.pauses, paused=clocks.paused,
        error=error, alerts=clocks.alerts, priorities=list(Priority), contact_error=contact_error,
        surveys=list(db().scalars(select(Survey).where(Survey.job_id == job.id).order_by(Survey.id))),
        tasks=list(db().scalars(select(FollowUpTask).where(FollowUpTask.job_id == job.id).order_by(FollowUpTask.id)))), status


@bp.post("/agent/jobs/<number>/care/pause")
@require_page_roles(*CASE_ROLES)
def job_pause(number: str):
    job = job_or_404(number)
    reason = request.form.get("reason", "").strip()
    if not 3 <= len(reason) <= 500:
        return job_care(number, _("Say what the customer is doing (3 to 500 characters)."), 422)
    try:
        pause_clocks(db(), job=job, reason=reason, actor=Actor.staff(current_user), now=now())
    except (AlreadyPaused, JobNotOpen) as error:
        return job_care(number, str(error), 409)
    flash(_("Job %(number)s is waiting for the customer: its SLA clocks stand still.", number=job.number))
    return redirect(url_for("care.job_care", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/care/resume")
@require_page_roles(*CASE_ROLES)
def job_resume(number: str):
    job = job_or_404(number)
    try:
        resume_clocks(db(), job=job, actor=Actor.staff(current_user), now=now(),
                      note=request.form.get("note", "").strip()[:500], tz=services().tz)
    except NotPaused as error:
        return job_care(number, str(error), 409)
    flash(_("The SLA clocks of job %(number)s run again.", number=job.number))
    return redirect(url_for("care.job_care", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/contacts")
@require_page_roles(*CASE_ROLES)
def job_contact(number: str):
    job = job_or_404(number)
    try:
        channel = ContactChannel(request.form.get("channel", ""))
    except ValueError:
        return job_care(number, status=422, contact_error=_("Choose how you reached the customer."))
    note = request.form.get("note", "")
    if len(note) > 2000:
        return job_care(number, status=422, contact_error=_("Say what was said with the customer (%(min)s to %(max)s "
                                                              "characters).", min=3, max=2000))
    try:
        event = record_contact(db(), job=job, channel=channel, note=note, actor=Actor.staff(current_user), now=now())
    except ClockChangeRefused as error:
        return job_care(number, status=error.code, contact_error=str(error))
    flash(_("Contact recorded: the response clock of job %(number)s has stopped.", number=job.number)
          if event.data.get("response") else _("Contact recorded on job %(number)s.", number=job.number))
    if request.form.get("back") == "care":
        return redirect(url_for("care.job_care", number=job.number), code=303)
    return redirect(url_for("staff.job_detail", number=job.number), code=303)


@bp.post("/agent/jobs/<number>/care/priority")
@require_page_roles(*CASE_ROLES)
def job_priority(number: str):
    job = job_or_404(number)
    try:
        priority = Priority(request.form.get("priority", ""))
    except ValueError:
        return job_care(number, _("Choose a priority."), 422)
    note = request.form.get("note", "")
    if len(note) > 2000:
        return job_care(number, _("The note is too long (at most %(max)s characters).", max=2000), 422)
    try:
        change_priority(db(), job=job, priority=priority, actor=Actor.staff(current_user), now=now(), tz=services().tz,
                        note=note)
    except ClockChangeRefused as error:
        return job_care(number, str(error), error.code)
    flash(_("Job %(number)s is now %(priority)s: respond by %(respond_by)s, repair by %(repair_by)s.",
            number=job.number, priority=human(priority), respond_by=local_datetime(job.respond_by, job, services().tz),
            repair_by=local_datetime(job.repair_by, job, services().tz)))
    return redirect(url_for("care.job_care", number=job.number), code=303)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidPeriod(name, _("'%(value)s' is not a date (use YYYY-MM-DD).", value=raw[:20]))


@bp.get("/manager/dashboard")
@require_page_roles(Role.MANAGER)
def dashboard():
    this_day = today()
    error, status = None, 200
    try:
        start, end = period_asked(_date_arg("from"), _date_arg("to"), today=this_day)
        board = build_dashboard(db(), start=start, end=end, tz=services().tz, now=now())
    except InvalidPeriod as refused:
        error, status = str(refused), 422
        end, start = this_day, this_day - DEFAULT_PERIOD
        board = build_dashboard(db(), start=start, end=end, tz=services().tz, now=now())
    by_key = {m.key: m for m in board.metrics}
    period = {"from": start.isoformat(), "to": end.isoformat()}
    view = request.args.get("view") if request.args.get("view") in dashboard_view.VIEWS else "regions"
    drill = dashboard_view.drill_links(period)
    buckets = dashboard_view.trend_buckets(board)

    def links(what: str) -> list[str]:
        return [drill(what, period={"from": lo.isoformat(), "to": hi.isoformat()}) for lo, hi in buckets]

    chart = render_trend_svg(
        title=label("trend.title", board.trend_unit), days=[p.start for p in board.trend],
        series=[Series(_("Response"), [p.response for p in board.trend], by_key["response"].target, "#1f78b4",
                       links("response")),
                Series(_("Repair"), [p.repair for p in board.trend], by_key["repair"].target, "#d95f02",
                       links("repair")),
                Series(_("Satisfied"), [p.satisfaction for p in board.trend], by_key["satisfaction"].target,
                       "#1b9e77", links("answered"))])
    return render_template("dashboard.html", board=board, chart=chart, error=error, period=period,
                           headlines=dashboard_view.headlines(board, drill), drill=drill, view=view,
                           table=dashboard_view.table(board, view), min_base_to_rank=MIN_BASE_TO_RANK), status


def _period_or_refusal():
    """The period asked for, or (None, the refusal's text)."""
    try:
        return period_asked(_date_arg("from"), _date_arg("to"), today=today()), None
    except InvalidPeriod as refused:
        return None, str(refused)


@bp.get("/manager/dashboard/jobs")
@require_page_roles(Role.MANAGER)
def dashboard_jobs():
    """The jobs behind one number of the dashboard, listed as the dashboard counted them."""
    what = request.args.get("what", "")[:40]
    period, error = _period_or_refusal()
    try:
        group = dashboard_view.group_asked(request.args)
    except dashboard_view.BadFilter as refused:
        error = str(refused)
    if error is None and period is None:
        error = _("The period could not be read.")
    if error:
        return render_template("dashboard_jobs.html", error=error, lines=[], total=0, title=_("Jobs"),
                               period=None, tz=services().tz), 422
    start, end = period
    lo, hi = dashboard_view.utc_bounds(start, end, services().tz)
    clock, cause = request.args.get("clock", "")[:24] or None, request.args.get("cause", "")[:48] or None
    try:
        rows = jobs_behind(db(), what=what, lo=lo, hi=hi, now=now(), group=group, clock=clock, cause=cause)
    except UnknownNumber:
        abort(404)
    total, lines = list_jobs(db(), rows)
    subject = [*group_names(db(), group), *([human(clock, "sla.clock")] if clock else []),
               *([human(cause, "sla.cause")] if cause else [])]
    return render_template("dashboard_jobs.html", error=None, lines=lines, total=total,
                           title=dashboard_view.title_of(what), subject=_(", ").join(subject),
                           period={"from": start.isoformat(), "to": end.isoformat()}, tz=services().tz)


@bp.get("/manager/dashboard.csv")
@require_page_roles(Role.MANAGER)
def dashboard_csv():
    """The per-region or per-technician table in view, for a spreadsheet."""
    view = request.args.get("view", "regions")
    period, error = _period_or_refusal()
    if view not in dashboard_view.VIEWS:
        error = _("Choose the regions or the technicians table.")
    if error:
        return Response(error, status=422, mimetype="text/plain")
    start, end = period
    board = build_dashboard(db(), start=start, end=end, tz=services().tz, now=now())
    filename = f"dashboard-{view}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(dashboard_view.csv_bytes(dashboard_view.table(board, view)),
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="{filename}"'})
