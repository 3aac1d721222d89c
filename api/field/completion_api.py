"""The technician's completion over the API: the status update and the completion record (time on site,
payment, the customer's signature as a base64 PNG) in one call, applied once per client id."""
from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import require_api_roles
from api.context import now, services, storage, today
from api.database import db
from api.errors import field_error
from api.field.endpoints import NUMBER, _me, _my_job
from api.field.forms import FormProblem, parts_by_sku
from api.field.schemas import FieldUpdateResultSchema, PartLineRequestSchema
from api.input_guard import allows_request_bytes
from api.setup.price_schemas import Money
from core.users import Role
from fieldwork.completion import (
    MAX_ON_SITE_MINUTES,
    PAYMENT_METHODS,
    CompletionInput,
    CompletionRefused,
    check_completion,
    record_completion,
)
from fieldwork.signatures import MAX_SIGNATURE_BYTES
from fieldwork.updates import MAX_PART_LINES, StatusUpdate, UpdateRefused, apply_update
from inventory.ledger import StockError

blp = Blueprint("api_field_completion", __name__, url_prefix="/api/v1/technicians/me",
                description="Technicians: completing a job with its record and the customer's signature")

MAX_SIGNATURE_TEXT = MAX_SIGNATURE_BYTES * 4 // 3 + 8


class CompletionRequestSchema(ma.Schema):
    client_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    note = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    parts = fields.List(fields.Nested(PartLineRequestSchema), load_default=list,
                        validate=validate.Length(max=MAX_PART_LINES))
    on_site_minutes = fields.Integer(strict=True, load_default=None, allow_none=True,
                                     validate=validate.Range(min=1, max=MAX_ON_SITE_MINUTES))
    amount_paid = Money(load_default=None, allow_none=True)
    payment_method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PAYMENT_METHODS))
    signature_png = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SIGNATURE_TEXT),
                                  metadata={"description": "The customer's signature: a PNG, base64-encoded"})


@blp.route(f"/jobs/{NUMBER}/completion")
class MyJobCompletion(MethodView):
    decorators = [allows_request_bytes(MAX_SIGNATURE_TEXT + 64 * 1024)]

    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(CompletionRequestSchema)
    @blp.response(200, FieldUpdateResultSchema)
    @blp.alt_response(409, description="The job cannot be completed from where it is (or the quote is not approved)")
    def post(self, data: dict, number: str):
        """Complete the job with what was done, the parts fitted, the time on site, what the customer paid
        and how, and their signature. Send a fresh client_id and the same one on every retry"""
        technician = _me()
        job = _my_job(technician, number, for_update=True)
        try:
            signature = base64.b64decode(data["signature_png"], validate=True)
        except (binascii.Error, ValueError):
            raise field_error(422, "signature_png", "The signature must be a base64-encoded PNG image.") from None
        given = CompletionInput(
            on_site_minutes="" if data["on_site_minutes"] is None else str(data["on_site_minutes"]),
            amount_paid="" if data["amount_paid"] is None else str(data["amount_paid"]),
            payment_method=data["payment_method"] or "", signature_png=signature)
        try:
            used = parts_by_sku(db(), data["parts"])
            checked = check_completion(db(), job=job, given=given, now=now())
            update = StatusUpdate(client_id=data["client_id"], action="completed", note=data["note"], parts_used=used)
            outcome = apply_update(db(), technician=technician, job=job, update=update, now=now())
            if not outcome.replayed:
                record_completion(db(), technician=technician, job=job, checked=checked, summary=update.note,
                                  warranty_days=services().settings.repair_warranty_days, today=today(),
                                  storage=storage(), now=now())
        except FormProblem as problem:
            raise field_error(422, problem.field, problem.message) from None
        except CompletionRefused as refused:
            raise field_error(422, "signature_png" if refused.field == "signature" else refused.field,
                              str(refused)) from None
        except UpdateRefused as refused:
            raise field_error(refused.code, refused.field, str(refused)) from None
        except StockError as error:
            raise field_error(422, "parts", str(error)) from None
        body = {**outcome.record.result, "replayed": outcome.replayed}
        return body, 200, ({"Idempotent-Replayed": "true"} if outcome.replayed else {})
