"""Request and response shapes of the technician's field API."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas import Integer, PositionFields, StrictFloat, TrimmedString
from dispatch.jobs.status import JobStatus
from fieldwork.positions import MAX_ACCURACY_M
from fieldwork.updates import ACTIONS, MAX_PART_LINES, MAX_UNITS_PER_PART


class PartLineRequestSchema(ma.Schema):
    sku = TrimmedString(required=True, validate=validate.Length(min=1, max=40))
    quantity = Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_UNITS_PER_PART))


class FieldUpdateRequestSchema(PositionFields):
    client_id = TrimmedString(required=True, validate=validate.Length(min=8, max=64))
    to = fields.String(required=True, validate=validate.OneOf(ACTIONS, error="Unknown status {input!r}; a technician "
                                                                               "can choose: {choices}."))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    observed_at = fields.AwareDateTime(load_default=None)
    parts = fields.List(fields.Nested(PartLineRequestSchema), load_default=list, validate=validate.Length(max=MAX_PART_LINES))


class PositionReportSchema(ma.Schema):
    """Where the technician's phone is, while they are on the way to the job."""

    latitude = StrictFloat(required=True, validate=validate.Range(-90, 90))
    longitude = StrictFloat(required=True, validate=validate.Range(-180, 180))
    accuracy = StrictFloat(load_default=None, allow_none=True, validate=validate.Range(0, MAX_ACCURACY_M))
    observed_at = fields.AwareDateTime(load_default=None, allow_none=True)


class PositionResultSchema(ma.Schema):
    job = fields.String()
    recorded = fields.Boolean()  # False: a newer position was already known
    seen_at = fields.DateTime(allow_none=True)


class PartRequestSchema(PartLineRequestSchema):
    pass


class FieldUpdateResultSchema(ma.Schema):
    job = fields.String()
    status = fields.String()
    action = fields.String()
    message = fields.String()
    replayed = fields.Boolean()


class FieldPartLineSchema(ma.Schema):
    sku = fields.String(attribute="part.sku")
    name = fields.String(attribute="part.name")
    quantity = Integer()
    state = fields.String()
    warehouse = fields.Function(lambda line: line.warehouse.code if line.warehouse else None)
    expected_at = fields.DateTime(allow_none=True)


class NavigationSchema(ma.Schema):
    geo = fields.String()
    amap = fields.String()
    baidu = fields.String()


class FieldJobSchema(ma.Schema):
    number = fields.String(attribute="job.number")
    status = fields.Enum(JobStatus, by_value=True, attribute="job.status")
    accepted = fields.Boolean()
    actions = fields.List(fields.String())
    position = Integer(attribute="job.route_position", allow_none=True)
    planned_start = fields.DateTime(attribute="job.planned_start", allow_none=True)
    planned_end = fields.DateTime(attribute="job.planned_end", allow_none=True)
    customer = fields.String(attribute="job.contact_name")
    phone = fields.String(attribute="job.contact_phone")
    address = fields.String(attribute="job.address")
    latitude = fields.Float(attribute="job.latitude")
    longitude = fields.Float(attribute="job.longitude")
    fault = fields.String(attribute="job.fault_text")
    entitlement = fields.String(attribute="job.entitlement")
    repair_by = fields.DateTime(attribute="job.repair_by")
    parts = fields.List(fields.Nested(FieldPartLineSchema))
    navigation = fields.Nested(NavigationSchema)


class PartOutcomeSchema(ma.Schema):
    summary = fields.String()
    line = fields.Nested(FieldPartLineSchema)
    status = fields.String()  # the job's status after the request (waiting_parts when ordered in)
