"""Request and response shapes of paid repairs: a job's quote and the customer's decision (the price list's
are in api/setup/price_schemas.py, beside the other set-up records)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas import Integer, TrimmedString
from dispatch.parts.services import MAX_UNITS_PER_PART
from dispatch.quotes.models import QuoteState
from dispatch.quotes.services import MAX_QUOTE_LINES


class QuoteLineInSchema(ma.Schema):
    sku = TrimmedString(required=True, validate=validate.Length(min=1, max=40))
    quantity = Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_UNITS_PER_PART))


class QuoteInSchema(ma.Schema):
    parts = fields.List(fields.Nested(QuoteLineInSchema), load_default=list,
                        validate=validate.Length(max=MAX_QUOTE_LINES))


class QuoteLineOutSchema(ma.Schema):
    sku = fields.String(attribute="part.sku")
    name = fields.String(attribute="part.name")
    name_zh = fields.String(attribute="part.name_zh", allow_none=True)
    quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)


class QuoteOutSchema(ma.Schema):
    job = fields.String(attribute="job.number")
    state = fields.Enum(QuoteState, by_value=True)
    lines = fields.List(fields.Nested(QuoteLineOutSchema))
    parts_total = fields.Decimal(as_string=True)
    labour = fields.Decimal(as_string=True)
    call_out_fee = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)
    amount_due = fields.Decimal(as_string=True, allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    job_status = fields.String(attribute="job.status.value")
