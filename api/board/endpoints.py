"""The dispatcher's API: a region's day, moving and locking jobs, re-optimisation plans, escalations."""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth import require_api_roles
from api.board.schemas import (
    AcknowledgeSchema,
    EscalationQuerySchema,
    EscalationSchema,
    MoveJobSchema,
    MyRouteQuerySchema,
    PlanRequestSchema,
    PlanRunSchema,
    RegionDayQuerySchema,
    RegionDaySchema,
    ResolveSchema,
    TechnicianDaySchema,
)
from api.context import now, services, today, travel_provider
from api.database import db, write_despite_refusal
from api.errors import ApiError, field_error
from api.route_maps import plan_route_map, render_svg, route_map_of
from api.schemas import JobSchema
from core.regions import RegionNotFound, region_by_code
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.escalations import acknowledge_escalation, get_escalation, resolve_escalation
from dispatch.jobs.read import latest_escalations
from dispatch.jobs.services import get_job
from dispatch.planning.errors import CannotMove, NotPlanned, PlanNotReady, PlanStale
from dispatch.planning.models import PlanRun
from dispatch.planning.moves import move_job, set_lock
from dispatch.planning.read import TechnicianDay, planned_jobs, region_day
from dispatch.planning.services import apply_plan, mark_stale, request_plan
from dispatch.technicians.models import Technician
from dispatch.technicians.roster import working_day

blp = Blueprint("api_dispatch", __name__, url_prefix="/api/v1", description="Dispatch: routes, moves, plans")

DISPATCHERS = (Role.DISPATCHER, Role.MANAGER)
NUMBER = "<string(maxlength=20):number>"



def _region(code: str, location: str = "query"):
    try:
        return region_by_code(db(), code)
    except RegionNotFound as error:
        raise field_error(422, "region", str(error), location=location)


def _actor() -> Actor:
    return Actor.staff(g.api_user)



@blp.route("/dispatch/routes")
class RegionRoutes(MethodView):
    @require_api_roles(*DISPATCHERS, Role.AGENT)
    @blp.arguments(RegionDayQuerySchema, location="query")
    @blp.response(200, RegionDaySchema)
    def get(self, query: dict):
        """Every technician of a region with their hours, load and planned stops for a day, and the
        jobs still waiting for a technician"""
        region, day = _region(query["region"]), query["day"] or today()
        days, waiting = region_day(db(), region=region, day=day, tz=services().tz)
        return {"region": region.code, "day": day, "technicians": days, "waiting": waiting}


@blp.route("/dispatch/routes/map.svg")
class RegionRouteMap(MethodView):
    @require_api_roles(*DISPATCHERS, Role.AGENT)
    @blp.arguments(RegionDayQuerySchema, location="query")
    @blp.response(200, description="SVG picture of the region's routes")
    def get(self, query: dict):
        """The region's day as a picture: each technician's route, and the jobs still waiting"""
        region, day = _region(query["region"]), query["day"] or today()
        days, waiting = region_day(db(), region=region, day=day, tz=services().tz)
        svg = render_svg(route_map_of(days, waiting, title=f"{region.name} — {day.isoformat()}", tz=services().tz))
        return Response(svg, mimetype="image/svg+xml")


@blp.route(f"/jobs/{NUMBER}/assignment")
class JobAssignment(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.arguments(MoveJobSchema)
    @blp.response(200, JobSchema)
    @blp.alt_response(409, description="The technician lacks the skill, is not working, or has no room in time")
    def post(self, data: dict, number: str):
        """Move a job to a technician, on a given day or the earliest feasible one (checked for skill, shift and
        room before the repair deadline)"""
        job = get_job(db(), number, for_update=True)
        technician = db().get(Technician, data["technician_id"])
        if technician is None:
            raise field_error(422, "technician_id", f"No technician {data['technician_id']}.")
        try:
            move_job(db(), job=job, technician=technician, actor=_actor(), now=now(), tz=services().tz,
                     provider=travel_provider(job.asset.region), day=data["day"], not_before=data["not_before"])
        except CannotMove as error:
            raise field_error(409, "day" if data["day"] and " is outside." in str(error) else "technician_id",
                              str(error))
        return job


@blp.route(f"/jobs/{NUMBER}/lock")
class JobLock(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.response(200, JobSchema)
    def put(self, number: str):
        """Lock the job to its technician and day: re-optimisation will not move it"""
        job = get_job(db(), number, for_update=True)
        try:
            return set_lock(db(), job=job, locked=True, actor=_actor(), now=now())
        except NotPlanned as error:
            raise ApiError(409, str(error))

    @require_api_roles(*DISPATCHERS)
    @blp.response(200, JobSchema)
    def delete(self, number: str):
        """Unlock the job: re-optimisation may move it again"""
        job = get_job(db(), number, for_update=True)
        return set_lock(db(), job=job, locked=False, actor=_actor(), now=now())


@blp.route("/dispatch/plans")
class Plans(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.arguments(PlanRequestSchema)
    @blp.response(202, PlanRunSchema)
    def post(self, data: dict):
        """Ask for a re-optimisation of a region's day; poll the returned plan until it is done,
        preview it, then apply it (or pass apply=true to apply it when done)"""
        region = _region(data["region"], location="json")
        day = data["day"] or today()
        if day < today():
            raise field_error(422, "day", "A day in the past cannot be re-planned.")
        return request_plan(db(), region=region, day=day, time_limit_s=data["time_limit_s"],
                            apply_when_done=data["apply"], requested_by=g.api_user.username, now=now())


def _plan(plan_id: int) -> PlanRun:
    plan = db().get(PlanRun, plan_id)
    if plan is None:
        raise ApiError(404, f"No plan {plan_id}.")
    return plan


@blp.route("/dispatch/plans/<int:plan_id>")
class PlanResource(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.response(200, PlanRunSchema)
    def get(self, plan_id: int):
        """A plan's status, and when done its proposed routes, left-out jobs and travel before/after"""
        return _plan(plan_id)


@blp.route("/dispatch/plans/<int:plan_id>/apply")
class PlanApply(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.response(200, PlanRunSchema)
    @blp.alt_response(409, description="Not finished yet, or the routes changed since it was computed")
    def post(self, plan_id: int):
        """Apply a finished plan to the live routes"""
        plan = _plan(plan_id)
        try:
            return apply_plan(db(), plan=plan, now=now(), tz=services().tz, provider=travel_provider(plan.region),
                              actor=_actor())
        except PlanNotReady as error:
            raise ApiError(409, str(error))
        except PlanStale as error:
            write_despite_refusal(lambda session: mark_stale(session, plan_id))  # nothing of the plan applied
            raise ApiError(409, str(error))


@blp.route("/dispatch/plans/<int:plan_id>/map.svg")
class PlanMap(MethodView):
    @require_api_roles(*DISPATCHERS)
    @blp.response(200, description="SVG picture of the proposed routes")
    def get(self, plan_id: int):
        """The proposed routes as a picture, to look at before applying"""
        plan = _plan(plan_id)
        if not plan.result:
            raise ApiError(409, f"Plan {plan_id} is {plan.status.value}; there is nothing to draw yet.")
        route_map = plan_route_map(plan)
        return Response(render_svg(route_map), mimetype="image/svg+xml")


@blp.route("/escalations")
class Escalations(MethodView):
    @require_api_roles(*DISPATCHERS, Role.AGENT)
    @blp.arguments(EscalationQuerySchema, location="query")
    @blp.response(200, EscalationSchema(many=True))
    def get(self, query: dict):
        """Escalations, newest first, with the reason and who acknowledged or resolved them: by default
        those not yet resolved; `state` open, acknowledged, resolved or all; `region` a region's only"""
        region_id = _region(query["region"]).id if query["region"] else None
        return latest_escalations(db(), region_id=region_id, state=query["state"])


@blp.route("/escalations/<int:escalation_id>/acknowledge")
class EscalationAcknowledge(MethodView):
    @require_api_roles(*DISPATCHERS, Role.AGENT)
    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, EscalationSchema)
    @blp.alt_response(409, description="Already acknowledged or resolved")
    def post(self, data: dict, escalation_id: int):
        """Take an escalation on: the others see who is on it"""
        escalation = get_escalation(db(), escalation_id, for_update=True)
        return acknowledge_escalation(db(), escalation=escalation, actor=_actor(), now=now(), note=data["note"])


@blp.route("/escalations/<int:escalation_id>/resolve")
class EscalationResolve(MethodView):
    @require_api_roles(*DISPATCHERS, Role.AGENT)
    @blp.arguments(ResolveSchema)
    @blp.response(200, EscalationSchema)
    @blp.alt_response(409, description="Already resolved")
    def post(self, data: dict, escalation_id: int):
        """Close an escalation with a note saying what was done"""
        escalation = get_escalation(db(), escalation_id, for_update=True)
        return resolve_escalation(db(), escalation=escalation, actor=_actor(), now=now(), note=data["note"])


@blp.route("/technicians/me/route")
class MyRoute(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(MyRouteQuerySchema, location="query")
    @blp.response(200, TechnicianDaySchema)
    def get(self, query: dict):
        """The calling technician's own day: working hours and planned stops with ETAs"""
        technician = db().scalar(select(Technician).where(Technician.user_id == g.api_user.id))
        if technician is None:
            raise ApiError(404, "This account has no technician profile.")
        day = query["day"] or today()
        routes = planned_jobs(db(), technician_ids=[technician.id], day=day)
        return TechnicianDay(technician, working_day(technician, day, services().tz), routes[technician.id])
