"""Jobs for staff: take a phone report, list and read jobs and their events, move a job through its
states, hand a case over to a colleague, take a new report nobody owns, correct its category, decide on
a proof of purchase."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth import require_api_roles
from api.context import now, services, tracking_url
from api.database import db
from api.errors import ApiError, field_error
from api.idempotency import idempotent
from api.jobs.schemas import (
    HandOverSchema,
    JobEventSchema,
    JobQuerySchema,
    ProofOfPurchaseSchema,
    ReclassifySchema,
    StaffReportSchema,
    TransitionSchema,
)
from api.locating import locate
from api.paging import SelectPage
from api.schemas import JobSchema, ReportResultSchema
from core.users import CASE_ROLES, Role, User
from dispatch.catalog.models import Asset
from dispatch.intake.services import FaultReport, reclassify_job, report_fault
from dispatch.jobs.audit import Actor
from dispatch.jobs.desk_actions import take_case
from dispatch.jobs.errors import CaseAlreadyOwned
from dispatch.jobs.read import job_search
from dispatch.jobs.search import SearchRefused, parse_query
from dispatch.jobs.services import get_job, hand_over_job, office_transition
from fieldwork.receipts import accept_receipt, receipt_of, refuse_receipt

blp = Blueprint("api_jobs", __name__, url_prefix="/api/v1/jobs", description="Jobs (work orders)")

WRITERS = (Role.AGENT, Role.DISPATCHER)
NUMBER = "<string(maxlength=20):number>"




def _actor() -> Actor:
    return Actor.staff(g.api_user)


@blp.route("")
class Jobs(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """List jobs, newest first, filtered; with `q`, the jobs the search finds, open ones first
        (pagination metadata in the X-Pagination header)"""
        matching = None
        if query.get("q"):
            try:
                matching = parse_query(query["q"])
            except SearchRefused as refused:
                raise field_error(422, "q", str(refused), location="query") from None
        owner_id = None
        if owner := query.get("owner"):
            user = db().scalar(select(User).where(User.username == owner))
            if user is None:
                raise field_error(422, "owner", f"No staff user {owner!r}.", location="query")
            owner_id = user.id
        return job_search(status=query.get("status"), category=query.get("category"), channel=query.get("channel"),
                          owner_id=owner_id, serial=query.get("serial"), phone=query.get("phone"),
                          reported_from=query.get("reported_from"), reported_to=query.get("reported_to"),
                          matching=matching)

    @require_api_roles(*WRITERS)
    @idempotent("staff-report")
    @blp.arguments(StaffReportSchema)
    @blp.response(201, ReportResultSchema, description="A new job was opened, owned by the calling agent")
    @blp.alt_response(200, schema=ReportResultSchema, description="The report joined an open job")
    def post(self, data: dict):
        """Enter a report taken by phone, walk-in or chat; the agent becomes its first-contact owner"""
        asset = db().scalar(select(Asset).where(Asset.serial == data["asset_serial"]))
        if asset is None:
            raise field_error(422, "asset_serial", f"No appliance with serial {data['asset_serial']!r}.")
        report = FaultReport(channel=data["channel"], fault_text=data["fault_text"],
                             contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                             address=data.get("address") or None, latitude=data.get("latitude"),
                             longitude=data.get("longitude"))
        result = report_fault(db(), asset=asset, report=locate(report, asset), actor=_actor(), now=now(),
                              tz=services().tz)
        body = {"created": result.created, "job": result.job, "tracking_url": tracking_url(result.job.tracking_token)}
        return body, 201 if result.created else 200


@blp.route(f"/{NUMBER}")
class JobResource(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, JobSchema)
    def get(self, number: str):
        """One job"""
        return get_job(db(), number)

    @require_api_roles(*WRITERS)
    @blp.arguments(ReclassifySchema)
    @blp.response(200, JobSchema)
    def patch(self, data: dict, number: str):
        """Correct the job's category; entitlement and SLA deadlines follow it"""
        job = get_job(db(), number, for_update=True)
        reclassify_job(db(), job=job, category=data["category"], actor=_actor(), now=now(), tz=services().tz,
                       note=data["note"])
        return job


@blp.route(f"/{NUMBER}/proof-of-purchase")
class JobProofOfPurchase(MethodView):
    @require_api_roles(*WRITERS)
    @blp.arguments(ProofOfPurchaseSchema)
    @blp.response(200, JobSchema)
    def post(self, data: dict, number: str):
        """Accept a proof of purchase with the purchase date it shows (the entitlement is decided again and
        the customer told if it changed), or refuse it with the reason; recorded in the job's history"""
        job = get_job(db(), number, for_update=True)
        photo = receipt_of(db(), job, data["photo"])
        if data["decision"] == "accept":
            accept_receipt(db(), job=job, photo=photo, purchase_date=data["purchase_date"], actor=_actor(), now=now(),
                           tz=services().tz, note=data["note"])
        else:
            refuse_receipt(db(), job=job, photo=photo, reason=data["reason"], actor=_actor(), now=now())
        return job


@blp.route(f"/{NUMBER}/events")
class JobEvents(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, JobEventSchema(many=True))
    def get(self, number: str):
        """The job's audit trail, oldest first"""
        return get_job(db(), number).events


@blp.route(f"/{NUMBER}/transitions")
class JobTransitions(MethodView):
    @require_api_roles(*WRITERS)
    @blp.arguments(TransitionSchema)
    @blp.response(200, JobSchema)
    @blp.alt_response(409, description="The job cannot move to that status from where it is")
    def post(self, data: dict, number: str):
        """Move the job to another status (illegal moves are refused with the allowed ones listed)"""
        job = get_job(db(), number, for_update=True)
        office_transition(db(), job=job, to=data["to"], actor=_actor(), now=now(), note=data["note"],
                          override_reason=data["override_reason"])
        return job


@blp.route(f"/{NUMBER}/handover")
class JobHandOver(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(HandOverSchema)
    @blp.response(200, JobSchema)
    def post(self, data: dict, number: str):
        """Hand the case to another agent, who owns it from now on (audited, with the reason)"""
        job = get_job(db(), number, for_update=True)
        to_user = db().scalar(select(User).where(User.username == data["to_user"]))
        if to_user is None:
            raise field_error(422, "to_user", f"No staff user {data['to_user']!r}.")
        hand_over_job(db(), job=job, to_user=to_user, actor=_actor(), now=now(), note=data["note"])
        return job


@blp.route(f"/{NUMBER}/ownership")
class JobOwnership(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, JobSchema, description="The caller owns the case now")
    @blp.alt_response(409, description="A colleague owns the case already (the message names them)")
    def post(self, number: str):
        """Take a new report nobody owns yet (a QR or web report): the caller owns it from now on (audited)"""
        job = get_job(db(), number, for_update=True)
        try:
            take_case(db(), job=job, user=g.api_user, now=now())
        except CaseAlreadyOwned as owned:
            raise ApiError(409, str(owned)) from None
        return job
