"""The dispatcher's board (desktop): a region's day — waiting and at-risk jobs, each technician's load,
reassigning and locking jobs, re-optimising the region with a preview, and the escalations queue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from api.auth import require_page_roles
from api.board.move_view import MOVE_PROBLEMS, chosen_option, excluded_label
from api.board.refusals import planning_refusal
from api.board.timeline import build_timeline
from api.context import now, services, today, travel_provider
from api.database import db, write_despite_refusal
from api.local_time import local_clock, zone_of
from api.route_maps import plan_route_map, render_svg, route_map_of
from api.street_maps import street_map
from core.limits import parse_id
from core.regions import Region
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import ClockChangeRefused, JobNotFound
from dispatch.jobs.escalations import EscalationNotFound, acknowledge_escalation, get_escalation, resolve_escalation
from dispatch.jobs.read import ESCALATION_FILTERS, jobs_at_risk, latest_escalations
from dispatch.jobs.services import get_job
from dispatch.planning.errors import CannotMove, NotPlanned, PlanNotReady, PlanStale
from dispatch.planning.models import PlanRun
from dispatch.planning.move_options import MoveNotPossible, move_days, move_options, route_fingerprints
from dispatch.planning.moves import move_job, set_lock
from dispatch.planning.read import TechnicianDay, region_day
from dispatch.planning.services import apply_plan, mark_stale, request_plan
from dispatch.technicians.models import Technician

bp = Blueprint("board", __name__, url_prefix="/dispatch")

DISPATCH_ROLES = (Role.DISPATCHER, Role.MANAGER)
# The page waits for the solve, so it is kept short; longer solves go through the API and the scheduler.
PLAN_TIME_LIMITS = (1, 3, 10)


@dataclass(frozen=True)
class Load:
    day: TechnicianDay
    visits: int
    planned_hours: float
    shift_hours: float | None

    @property
    def share(self) -> float | None:
        return self.planned_hours / self.shift_hours if self.shift_hours else None


def _load(day: TechnicianDay) -> Load:
    busy = sum(((j.planned_end - j.planned_start).total_seconds() for j in day.jobs
                if j.planned_start and j.planned_end), 0.0)
    shift = None
    if day.hours is not None:
        shift = ((day.hours.end - day.hours.start).total_seconds() - day.hours.break_minutes * 60) / 3600
    return Load(day, len(day.jobs), busy / 3600, shift)



def _job_page(number: str) -> str:
    return url_for("staff.job_detail", number=number)


def _regions() -> list[Region]:
    return list(db().scalars(select(Region).order_by(Region.id)))


def _chosen_region(regions: list[Region], code: str | None) -> Region:
    if not regions:
        abort(404, _("No service regions are set up yet."))
    if not code:
        return regions[0]
    region = next((r for r in regions if r.code == code[:32]), None)
    if region is None:
        abort(404)
    return region


def _chosen_day(raw: str | None) -> date:
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400, _("The day must be a date such as 2026-11-23."))


def _back(region_code: str, day: date, escalations: str | None = None):
    return redirect(url_for("board.board", region=region_code, day=day.isoformat(),
                            **({"escalations": escalations} if escalations else {})), code=303)


def _escalation_filter(raw: str | None) -> str:
    return raw if raw in ESCALATION_FILTERS else "active"


@bp.get("")
@require_page_roles(*DISPATCH_ROLES)
def board(errors: dict | None = None, status: int = 200, region_code: str | None = None, day: date | None = None,
          escalation_filter: str | None = None):
    regions = _regions()
    region = _chosen_region(regions, region_code or request.args.get("region"))
    day = day or _chosen_day(request.args.get("day"))
    days, waiting = region_day(db(), region=region, day=day, tz=services().tz)
    route_map = route_map_of(days, waiting, title=f"{region.name} — {day.isoformat()}",
                             tz=zone_of(region, services().tz))
    escalation_filter = _escalation_filter(escalation_filter or request.args.get("escalations"))
    escalations = latest_escalations(db(), region_id=region.id, state=escalation_filter)
    timeline = build_timeline(days, day=day, tz=zone_of(region, services().tz), now=now())
    return render_template("dispatch_board.html", regions=regions, region=region, day=day, timeline=timeline,
                           escalation_filter=escalation_filter, escalation_filters=ESCALATION_FILTERS,
                           loads=[_load(d) for d in days], waiting=waiting,
                           at_risk=jobs_at_risk(db(), region=region, now=now()), escalations=escalations,
                           technicians=[d.technician for d in days], svg=render_svg(route_map),
                           street_map=street_map(route_map, link=_job_page), errors=errors or {},
                           time_limits=PLAN_TIME_LIMITS, now=now()), status


def _job(number: str):
    try:
        return get_job(db(), number[:20], for_update=True)
    except JobNotFound:
        abort(404)


def _form_context() -> tuple[str, date]:
    return request.form.get("region", "")[:32], _chosen_day(request.form.get("day"))


class MoveInputError(Exception):
    """A move page's input that cannot be read: the message says which and how."""


def _move_day(job, raw: str | None, fallback: date | None) -> date:
    first, last = move_days(job, now=now(), tz=services().tz)
    if not raw:
        return min(max(fallback or first, first), last)
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise MoveInputError(_("The day must be a date such as 2026-11-23."))
    if not first <= day <= last:
        raise MoveInputError(_("Choose a day from %(first)s to %(last)s: job %(number)s cannot be planned on "
                               "%(day)s.", first=first.isoformat(), last=last.isoformat(), number=job.number,
                               day=day.isoformat()))
    return day


def _not_before(job, day: date, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = time.fromisoformat(raw) if len(raw) == 5 else None
    except ValueError:
        moment = None
    if moment is None:
        raise MoveInputError(_("The time must be written like 13:30."))
    return datetime.combine(day, moment, tzinfo=zone_of(job, services().tz))


def _move_page(job, *, day_raw: str | None, not_before_raw: str | None, technician_raw: str | None,
               board_day: date | None, error: str | None = None, status: int = 200):
    """The candidates for moving `job` on a day, each with what the move does to their day."""
    first, last = move_days(job, now=now(), tz=services().tz)
    choices, day, not_before = None, None, None
    try:
        day = _move_day(job, day_raw, board_day)
        not_before = _not_before(job, day, not_before_raw)
        if job.asset.region is None:
            raise MoveNotPossible(f"Job {job.number}'s appliance is in no service region.")
        choices = move_options(db(), job=job, day=day, now=now(), provider=travel_provider(job.asset.region),
                               tz=services().tz, not_before=not_before)
    except MoveInputError as problem:
        error, status = error or str(problem), 422 if status < 400 else status
    except MoveNotPossible as problem:
        error, status = error or planning_refusal(problem), 409 if status < 400 else status
    chosen, chosen_missing = None, False
    if technician_raw:
        technician_id = parse_id(technician_raw[:12])
        chosen = chosen_option(choices, technician_id) if choices else None
        if chosen is None and choices is not None:
            chosen_missing = True
            if status < 400:
                error, status = _("There is no technician %(id)s in this region.", id=technician_raw[:12]), 404
    return render_template("dispatch_move.html", job=job, region=job.asset.region, choices=choices, chosen=chosen,
                           chosen_missing=chosen_missing, day=day, first_day=first, last_day=last,
                           not_before=not_before_raw if not_before is not None else "",
                           board_day=board_day or day or first, error=error, problems=MOVE_PROBLEMS,
                           excluded_label=excluded_label), status


@bp.get("/jobs/<number>/move")
@require_page_roles(*DISPATCH_ROLES)
def move(number: str):
    job = _read_job(number)
    return _move_page(job, day_raw=request.args.get("day"), not_before_raw=request.args.get("not_before"),
                      technician_raw=request.args.get("technician"),
                      board_day=_optional_day(request.args.get("board_day")))


def _optional_day(raw: str | None) -> date | None:
    """The board's day to go back to; one that cannot be read only loses the way back."""
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


def _read_job(number: str):
    try:
        return get_job(db(), number[:20])
    except JobNotFound:
        abort(404)


def _refuse(number: str, again: dict, error: str, status: int):
    """The move page again with the refusal: the request's work and its row lock are let go first, so
    the what-if it shows runs holding nothing."""
    db().rollback()
    return _move_page(_read_job(number), **again, error=error, status=status)


@bp.post("/jobs/<number>/assignment")
@require_page_roles(*DISPATCH_ROLES)
def reassign(number: str):
    """Confirm a move seen on the move page: onto the technician and the day chosen there, refused when
    that technician's day changed since the page showed its consequences."""
    region_code, board_day = _form_context()
    job = _job(number)
    form = request.form
    again = {"day_raw": form.get("move_day"), "not_before_raw": form.get("not_before"),
             "technician_raw": form.get("technician_id"), "board_day": board_day}
    technician_id = parse_id(form.get("technician_id"))
    technician = db().get(Technician, technician_id) if technician_id else None
    if technician is None or technician.region_id != job.asset.region_id:
        again["technician_raw"] = None
        return _refuse(number, again, _("Choose a technician."), 422)
    try:
        if not form.get("move_day"):
            raise MoveInputError(_("Choose the day to move the job to."))
        day = _move_day(job, form.get("move_day"), None)
        not_before = _not_before(job, day, form.get("not_before"))
    except MoveInputError as problem:
        return _refuse(number, again, str(problem), 422)
    seen = route_fingerprints(db(), technician_ids=[technician.id], day=day)[technician.id]
    if form.get("seen", "")[:64] != seen:
        return _refuse(number, again, _("%(technician)s's day changed since these consequences were shown: "
                                        "check them again before moving the job.",
                                        technician=technician.user.display_name), 409)
    try:
        outcome = move_job(db(), job=job, technician=technician, actor=Actor.staff(current_user), now=now(),
                           tz=services().tz, provider=travel_provider(job.asset.region), day=day,
                           not_before=not_before)
    except CannotMove as error:
        return _refuse(number, again, planning_refusal(error), 409)
    flash(_("Job %(number)s moved to %(technician)s on %(day)s, ETA %(eta)s.", number=job.number,
            technician=technician.user.display_name, day=outcome.day,
            eta=local_clock(outcome.eta, job, services().tz)))
    return _back(job.asset.region.code if job.asset.region else region_code, outcome.day)


@bp.post("/jobs/<number>/lock")
@require_page_roles(*DISPATCH_ROLES)
def lock(number: str):
    region_code, day = _form_context()
    job = _job(number)
    locked = request.form.get("locked") == "1"
    try:
        set_lock(db(), job=job, locked=locked, actor=Actor.staff(current_user), now=now())
    except NotPlanned as error:
        return board({f"lock-{number}": planning_refusal(error)}, 409, region_code, day)
    flash(_("Job %(number)s locked to its technician.", number=job.number) if locked
          else _("Job %(number)s unlocked from its technician.", number=job.number))
    return _back(region_code, day)


@bp.post("/plans")
@require_page_roles(*DISPATCH_ROLES)
def new_plan():
    region_code, day = _form_context()
    region = _chosen_region(_regions(), region_code)
    raw_limit = request.form.get("time_limit", "")
    if parse_id(raw_limit) not in PLAN_TIME_LIMITS:
        return board({"plan": _("Choose a time limit of %(limits)s seconds.",
                                limits=", ".join(map(str, PLAN_TIME_LIMITS)))}, 422,
                     region.code, day)
    if day < today():
        return board({"plan": _("A day in the past cannot be re-planned.")}, 422, region.code, day)
    # Queued for the scheduler, never solved inside the request: the preview page follows it.
    plan = request_plan(db(), region=region, day=day, time_limit_s=float(raw_limit), apply_when_done=False,
                        requested_by=current_user.username, now=now())
    return redirect(url_for("board.plan_preview", plan_id=plan.id), code=303)


def _plan(plan_id: int) -> PlanRun:
    return db().get(PlanRun, plan_id) or abort(404)


@bp.get("/plans/<int:plan_id>")
@require_page_roles(*DISPATCH_ROLES)
def plan_preview(plan_id: int, error: str | None = None, status: int = 200):
    plan = _plan(plan_id)
    route_map = plan_route_map(plan) if plan.result else None
    return render_template("dispatch_plan.html", plan=plan, result=plan.result or {},
                           svg=render_svg(route_map) if route_map else "",
                           street_map=street_map(route_map, link=_job_page) if route_map else None, error=error,
                           tz=services().tz), status


@bp.post("/plans/<int:plan_id>/apply")
@require_page_roles(*DISPATCH_ROLES)
def plan_apply(plan_id: int):
    plan = _plan(plan_id)
    try:
        apply_plan(db(), plan=plan, now=now(), tz=services().tz,
                   provider=travel_provider(plan.region),
                   actor=Actor.staff(current_user))
    except PlanNotReady as error:
        return plan_preview(plan_id, planning_refusal(error), 409)
    except PlanStale as error:
        write_despite_refusal(lambda session: mark_stale(session, plan_id))  # nothing of the plan applied
        return plan_preview(plan_id, planning_refusal(error), 409)
    flash(_("Plan %(id)s applied to %(region)s on %(day)s.", id=plan.id, region=plan.region.name, day=plan.day))
    return _back(plan.region.code, plan.day)


def _escalation_step(escalation_id: int, step) -> object:
    region_code, day = _form_context()
    shown = _escalation_filter(request.form.get("escalations"))
    try:
        escalation = get_escalation(db(), escalation_id, for_update=True)
    except EscalationNotFound:
        abort(404)
    note = request.form.get("note", "")
    if len(note) > 2000:
        return board({f"escalation-{escalation_id}": _("The note is too long (at most %(max)s characters).", max=2000)},
                     422, region_code, day, shown)
    try:
        step(escalation, note)
    except ClockChangeRefused as error:
        return board({f"escalation-{escalation_id}": str(error)}, error.code, region_code, day, shown)
    return _back(region_code, day, shown)


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@require_page_roles(*DISPATCH_ROLES)
def escalation_acknowledge(escalation_id: int):
    def step(escalation, note):
        acknowledge_escalation(db(), escalation=escalation, actor=Actor.staff(current_user), now=now(), note=note)
        flash(_("Escalation for job %(number)s acknowledged: it is yours.", number=escalation.job.number))
    return _escalation_step(escalation_id, step)


@bp.post("/escalations/<int:escalation_id>/resolve")
@require_page_roles(*DISPATCH_ROLES)
def escalation_resolve(escalation_id: int):
    def step(escalation, note):
        resolve_escalation(db(), escalation=escalation, actor=Actor.staff(current_user), now=now(), note=note)
        flash(_("Escalation for job %(number)s resolved.", number=escalation.job.number))
    return _escalation_step(escalation_id, step)
