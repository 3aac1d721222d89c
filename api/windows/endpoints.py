"""The window API: the customer's by tracking token (no login), the agent's by job number. Both offer the
same windows from the live plan; a choice is re-checked, stored and placed in one transaction."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.extensions import limiter
from api.presenters import job_by_tracking_token
from api.public.endpoints import report_rate_limit
from api.windows.offers import choose, offered, window_minutes
from api.windows.schemas import (
    CancelSchema,
    ChooseWindowSchema,
    ChosenWindowSchema,
    StaffWindowsSchema,
    WindowsSchema,
)
from core.users import CASE_ROLES, Role
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Job
from dispatch.jobs.services import get_job
from dispatch.planning.windows import cancel_visit, takes_window

public_blp = Blueprint("api_track_windows", __name__, url_prefix="/api/v1/track",
                       description="Appointment windows for the customer (no login)")
staff_blp = Blueprint("api_job_windows", __name__, url_prefix="/api/v1/jobs",
                      description="Appointment windows booked by an agent")

TOKEN = "<string(maxlength=64):token>"
NUMBER = "<string(maxlength=20):number>"
WRITERS = (Role.AGENT, Role.DISPATCHER)


def _tracked(token: str) -> Job:
    job = job_by_tracking_token(db(), token)
    if job is None:
        raise NotFound("No request is known under this tracking link.")
    return job


def windows_view(job: Job) -> dict:
    confirmed = None
    if job.window_start is not None:
        confirmed = {"start": job.window_start, "end": job.window_end, "confirmed_by": job.window_confirmed_by,
                     "confirmed_at": job.window_confirmed_at}
    return {"confirmed": confirmed, "can_choose": takes_window(job), "window_minutes": window_minutes(),
            "windows": offered(job)}


def chosen_view(job: Job) -> dict:
    return {"start": job.window_start, "end": job.window_end, "day": job.plan_day, "planned_start": job.planned_start}


@public_blp.route(f"/{TOKEN}/windows")
class TrackWindows(MethodView):
    @public_blp.response(200, WindowsSchema)
    @public_blp.alt_response(404, description="No request is known under this tracking link")
    def get(self, token: str):
        """The confirmed window, and the windows the customer may choose from the live plan, soonest first"""
        return windows_view(_tracked(token))


@public_blp.route(f"/{TOKEN}/window")
class TrackWindow(MethodView):
    decorators = [limiter.limit(report_rate_limit, methods=["POST"])]

    @public_blp.arguments(ChooseWindowSchema)
    @public_blp.response(200, ChosenWindowSchema)
    @public_blp.alt_response(404, description="No request is known under this tracking link")
    @public_blp.alt_response(409, description="The window is not offered (any more), or the visit is under way")
    @public_blp.alt_response(429, description="Too many requests from this address")
    def post(self, data: dict, token: str):
        """Choose (or change to) one of the offered windows; refused with 409 when it is no longer offered"""
        job = _tracked(token)
        choose(job, start=data["start"], end=data["end"], actor=CUSTOMER)
        return chosen_view(job)


@public_blp.route(f"/{TOKEN}/cancel")
class TrackCancel(MethodView):
    decorators = [limiter.limit(report_rate_limit, methods=["POST"])]

    @public_blp.arguments(CancelSchema)
    @public_blp.response(200, WindowsSchema)
    @public_blp.alt_response(404, description="No request is known under this tracking link")
    @public_blp.alt_response(409, description="The technician is on the way or the work is done")
    @public_blp.alt_response(429, description="Too many requests from this address")
    def post(self, data: dict, token: str):
        """Cancel the request before the technician sets off, saying why"""
        job = get_job(db(), _tracked(token).number, for_update=True)
        cancel_visit(db(), job=job, reason=data["reason"], actor=CUSTOMER, now=now())
        return windows_view(job)


@staff_blp.route(f"/{NUMBER}/windows")
class JobWindows(MethodView):
    @require_api_roles(*CASE_ROLES)
    @staff_blp.response(200, StaffWindowsSchema)
    @staff_blp.alt_response(404, description="No job has this number")
    def get(self, number: str):
        """The job's confirmed window and the windows to offer the customer on the phone, soonest first"""
        return windows_view(get_job(db(), number))


@staff_blp.route(f"/{NUMBER}/window")
class JobWindow(MethodView):
    @require_api_roles(*WRITERS)
    @staff_blp.arguments(ChooseWindowSchema)
    @staff_blp.response(200, ChosenWindowSchema)
    @staff_blp.alt_response(404, description="No job has this number")
    @staff_blp.alt_response(409, description="The window is not offered (any more), or the visit is under way")
    def post(self, data: dict, number: str):
        """Book one of the offered windows on the customer's behalf (a change tells them the window changed)"""
        job = get_job(db(), number)
        choose(job, start=data["start"], end=data["end"], actor=Actor.staff(g.api_user))
        return chosen_view(job)
