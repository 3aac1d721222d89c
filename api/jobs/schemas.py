"""Request and response shapes of the staff jobs API."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.schemas import FaultReportFields, Integer, TrimmedString
from dispatch.jobs.models import Channel, JobCategory
from dispatch.jobs.search import MAX_QUERY_LENGTH
from dispatch.jobs.status import JobStatus

STAFF_CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.WECHAT, Channel.APP]


class StaffReportSchema(FaultReportFields):
    asset_serial = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.PHONE,
                          validate=validate.OneOf(STAFF_CHANNELS))


class JobEventSchema(ma.Schema):
    id = Integer()
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(attribute="actor_label")
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict()


class JobQuerySchema(ma.Schema):
    q = TrimmedString(validate=validate.Length(min=1, max=MAX_QUERY_LENGTH), metadata={
        "description": "The agent's search: a phone number in any format or its last 4 digits, a job number, "
                       "part of a customer's name, or an appliance serial. Open jobs come first."})
    status = fields.List(fields.Enum(JobStatus, by_value=True), validate=validate.Length(max=10))
    category = fields.Enum(JobCategory, by_value=True)
    channel = fields.Enum(Channel, by_value=True)
    owner = TrimmedString(validate=validate.Length(min=1, max=64))
    serial = TrimmedString(validate=validate.Length(min=1, max=64))
    phone = TrimmedString(validate=validate.Length(min=3, max=32))
    reported_from = fields.AwareDateTime(default_timezone=None)
    reported_to = fields.AwareDateTime(default_timezone=None)


class TransitionSchema(ma.Schema):
    to = fields.Enum(JobStatus, by_value=True, required=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))
    # Needed (and audited) when the office moves a job to en route, on site or completed.
    override_reason = TrimmedString(load_default=None, validate=validate.Length(max=500))


class HandOverSchema(ma.Schema):
    to_user = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    note = TrimmedString(required=True, validate=validate.Length(min=3, max=2000))


class ProofOfPurchaseSchema(ma.Schema):
    """An agent's decision on a proof of purchase: accepted with the purchase date read from it, or
    refused with the reason. `photo` names the job's receipt photo (by default its latest one)."""
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "refuse"]))
    purchase_date = fields.Date(load_default=None, metadata={"description": "Required to accept: from 1990-01-01 "
                                                                            "to the day the fault was reported"})
    reason = TrimmedString(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "Required to refuse"})
    photo = TrimmedString(load_default=None, validate=validate.Length(min=10, max=64))
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _what_each_decision_needs(self, data, **kwargs):
        if data.get("decision") == "accept" and data.get("purchase_date") is None:
            raise ma.ValidationError("Give the purchase date the proof shows.", "purchase_date")
        if data.get("decision") == "refuse" and not data.get("reason"):
            raise ma.ValidationError("Say why the proof of purchase is refused.", "reason")


class ReclassifySchema(ma.Schema):
    category = fields.Enum(JobCategory, by_value=True, required=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))
