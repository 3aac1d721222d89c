"""The technician's own work over the API: one job with its next steps, status updates that are
applied once per client id (phones retry), and asking for a part."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_roles
from api.context import now, purchase_approval_limit
from api.database import db
from api.errors import ApiError, field_error
from api.field.forms import FormProblem, parts_by_sku
from api.field.schemas import (
    FieldJobSchema,
    FieldUpdateRequestSchema,
    FieldUpdateResultSchema,
    PartOutcomeSchema,
    PartRequestSchema,
    PositionReportSchema,
    PositionResultSchema,
)
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.parts.services import request_part
from dispatch.technicians.models import Technician
from fieldwork.positions import PositionReport, report_position
from fieldwork.read import job_card, technician_of
from fieldwork.updates import NotYourJob, Position, StatusUpdate, UpdateRefused, apply_update, job_of_technician
from inventory.ledger import StockError

blp = Blueprint("api_field", __name__, url_prefix="/api/v1/technicians/me",
                description="Technicians: their own jobs, status updates from the phone, parts")

NUMBER = "<string(maxlength=20):number>"


def _me() -> Technician:
    technician = technician_of(db(), g.api_user)
    if technician is None:
        raise ApiError(403, "This account has no technician profile.")
    return technician


def _my_job(technician: Technician, number: str, *, for_update: bool = False) -> Job:
    try:
        return job_of_technician(db(), technician, number, for_update=for_update)
    except NotYourJob:
        # Another technician's job answers exactly like a job that does not exist.
        raise ApiError(404, f"No job {number!r} in your work.")


@blp.route(f"/jobs/{NUMBER}")
class MyJob(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.response(200, FieldJobSchema)
    def get(self, number: str):
        """One of the calling technician's jobs: customer, address with navigation links, fault, parts
        and the next steps allowed"""
        technician = _me()
        card = job_card(db(), technician, _my_job(technician, number))
        return {"job": card.job, "accepted": card.accepted, "actions": card.actions, "parts": card.parts,
                "navigation": card.navigation}


@blp.route(f"/jobs/{NUMBER}/updates")
class MyJobUpdates(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(FieldUpdateRequestSchema)
    @blp.response(200, FieldUpdateResultSchema)
    @blp.alt_response(409, description="The job cannot make that move from where it is")
    def post(self, data: dict, number: str):
        """Accept the job or move it on (en_route, on_site, waiting_parts, completed with notes and the
        parts fitted). Send a fresh client_id with each update and the same one on every retry: an
        update is applied once and a retry gets the first answer (header Idempotent-Replayed)"""
        technician = _me()
        job = _my_job(technician, number, for_update=True)
        try:
            used = parts_by_sku(db(), data["parts"])
        except FormProblem as problem:
            raise field_error(422, problem.field, problem.message)
        position = None
        if data["latitude"] is not None:
            position = Position(data["latitude"], data["longitude"], data["observed_at"])
        update = StatusUpdate(client_id=data["client_id"], action=data["to"], note=data["note"], position=position,
                              parts_used=used)
        try:
            outcome = apply_update(db(), technician=technician, job=job, update=update, now=now())
        except UpdateRefused as refused:
            raise field_error(refused.code, refused.field, str(refused))
        except StockError as error:
            raise field_error(422, "parts", str(error))
        body = {**outcome.record.result, "replayed": outcome.replayed}
        return body, 200, ({"Idempotent-Replayed": "true"} if outcome.replayed else {})


@blp.route(f"/jobs/{NUMBER}/position")
class MyJobPosition(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(PositionReportSchema)
    @blp.response(200, PositionResultSchema)
    @blp.alt_response(409, description="The job is not on the way: positions are only taken then")
    def post(self, data: dict, number: str):
        """Where the technician is while on the way to this job (latitude, longitude, accuracy in metres,
        when the phone took it): the customer's tracking page shows a live arrival time from it"""
        technician = _me()
        job = _my_job(technician, number)
        report = PositionReport(data["latitude"], data["longitude"], data["accuracy"], data["observed_at"])
        try:
            recorded = report_position(technician=technician, job=job, report=report, now=now())
        except UpdateRefused as refused:
            raise field_error(refused.code, refused.field, str(refused))
        return {"job": job.number, "recorded": recorded, "seen_at": technician.last_seen_at}


@blp.route(f"/jobs/{NUMBER}/parts")
class MyJobParts(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(PartRequestSchema)
    @blp.response(201, PartOutcomeSchema)
    def post(self, data: dict, number: str):
        """Need a part: reserve it from the van or the nearest warehouse, or order it in (the job then
        waits for parts and dispatch plans the visit after it arrives)"""
        technician = _me()
        job = _my_job(technician, number, for_update=True)
        try:
            [(part, quantity)] = parts_by_sku(db(), [data])
            outcome = request_part(db(), job=job, part=part, quantity=quantity, actor=Actor.staff(technician.user),
                                   now=now(), approval_limit=purchase_approval_limit())
        except FormProblem as problem:
            raise field_error(422, "sku", problem.message)
        except StockError as error:
            raise field_error(422, error.field, str(error))
        return {"summary": outcome.summary, "line": outcome.line, "status": job.status.value}
