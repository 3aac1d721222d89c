"""Request and response shapes of the JSON API (and the rules the report pages share)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from dispatch.jobs.models import JobCategory
from dispatch.jobs.models import EntitlementKind
from dispatch.jobs.models import Channel
from dispatch.jobs.status import JobStatus

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()\-]{4,30}$", error="Not a phone number: use digits, +, spaces or dashes.")
SELF_SERVICE_CHANNELS = [Channel.QR, Channel.APP, Channel.WECHAT]
STAFF_CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.WECHAT, Channel.APP]


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


class TrimmedString(fields.String):
    """A string with surrounding white space removed before validation, so '   ' counts as empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _trimmed(super()._deserialize(value, attr, data, **kwargs))


class PositionFields(ma.Schema):
    """An optional position: both coordinates or neither, each on the globe."""

    latitude = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(-180, 180))

    @validates_schema
    def _both_coordinates_or_none(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ma.ValidationError("Give both latitude and longitude, or neither.", "latitude")


class FaultReportFields(PositionFields):
    fault_text = TrimmedString(required=True, validate=validate.Length(min=5, max=2000))
    contact_name = TrimmedString(required=True, validate=validate.Length(min=1, max=120))
    contact_phone = TrimmedString(required=True, validate=PHONE)
    address = TrimmedString(load_default=None, validate=validate.Length(max=255))


class PublicReportSchema(FaultReportFields):
    qr_token = fields.String(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.QR,
                          validate=validate.OneOf(SELF_SERVICE_CHANNELS))


class StaffReportSchema(FaultReportFields):
    asset_serial = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.PHONE,
                          validate=validate.OneOf(STAFF_CHANNELS))


class EntitlementSchema(ma.Schema):
    kind = fields.Enum(EntitlementKind, by_value=True)
    reason = fields.String()
    valid_until = fields.Date(allow_none=True)


class ProductModelSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    category = fields.String()


class PublicAssetSchema(ma.Schema):
    serial = fields.String()
    model = fields.Nested(ProductModelSchema, attribute="product_model")
    address = fields.String()
    purchase_date = fields.Date(allow_none=True)
    warranty = fields.Nested(EntitlementSchema)


class StaffAssetSchema(PublicAssetSchema):
    id = fields.Integer()
    customer_name = fields.Function(lambda view: view["customer"].name)
    customer_phone = fields.Function(lambda view: view["customer"].phone)
    latitude = fields.Float()
    longitude = fields.Float()
    region = fields.Function(lambda view: view["region"].code if view["region"] else None)


class AssetQuerySchema(ma.Schema):
    serial = TrimmedString(validate=validate.Length(min=1, max=64))
    phone = TrimmedString(validate=validate.Length(min=3, max=32))

    @validates_schema
    def _one_criterion(self, data, **kwargs):
        if not data.get("serial") and not data.get("phone"):
            raise ma.ValidationError("Give a serial or a phone number.", "serial")


class TimelineEntrySchema(ma.Schema):
    at = fields.DateTime()
    kind = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)


class TrackingSchema(ma.Schema):
    number = fields.String()
    status = fields.Enum(JobStatus, by_value=True)
    category = fields.Enum(JobCategory, by_value=True)
    entitlement = fields.Enum(EntitlementKind, by_value=True)
    entitlement_reason = fields.String()
    respond_by = fields.DateTime()
    repair_by = fields.DateTime()
    technician_name = fields.String(allow_none=True)
    planned_start = fields.DateTime(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class ReportResultSchema(ma.Schema):
    created = fields.Boolean()
    number = fields.String(attribute="job.number")
    status = fields.Enum(JobStatus, by_value=True, attribute="job.status")
    category = fields.Enum(JobCategory, by_value=True, attribute="job.category")
    entitlement = fields.Enum(EntitlementKind, by_value=True, attribute="job.entitlement")
    entitlement_reason = fields.String(attribute="job.entitlement_reason")
    respond_by = fields.DateTime(attribute="job.respond_by")
    repair_by = fields.DateTime(attribute="job.repair_by")
    tracking_url = fields.String()


class UserRefSchema(ma.Schema):
    username = fields.String()
    display_name = fields.String()


class JobSchema(ma.Schema):
    number = fields.String()
    status = fields.Enum(JobStatus, by_value=True)
    channel = fields.Enum(Channel, by_value=True)
    category = fields.Enum(JobCategory, by_value=True)
    category_confidence = fields.Float()
    category_source = fields.String()
    priority = fields.String()
    entitlement = fields.Enum(EntitlementKind, by_value=True)
    entitlement_reason = fields.String()
    fault_text = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    asset_serial = fields.String(attribute="asset.serial")
    model_code = fields.String(attribute="asset.product_model.code")
    owner = fields.Nested(UserRefSchema, allow_none=True)
    owner_channel = fields.Enum(Channel, by_value=True)
    reported_at = fields.DateTime()
    respond_by = fields.DateTime()
    repair_by = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()
    dispatch_state = fields.String()
    dispatch_note = fields.String()
    technician = fields.Nested(lambda: TechnicianRefSchema(), allow_none=True)
    plan_day = fields.Date(allow_none=True)
    planned_start = fields.DateTime(allow_none=True)
    planned_end = fields.DateTime(allow_none=True)
    assignment_locked = fields.Boolean()


class JobEventSchema(ma.Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String(attribute="actor_label")
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict()


class JobQuerySchema(ma.Schema):
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


class HandOverSchema(ma.Schema):
    to_user = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    note = TrimmedString(required=True, validate=validate.Length(min=3, max=2000))


class ReclassifySchema(ma.Schema):
    category = fields.Enum(JobCategory, by_value=True, required=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))


class TokenRequestSchema(ma.Schema):
    username = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(ma.Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    role = fields.String()


# --- dispatch ---------------------------------------------------------------------------------------

class TechnicianRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String(attribute="user.display_name")
    username = fields.String(attribute="user.username")


class PlannedStopSchema(ma.Schema):
    job = fields.String(attribute="number")
    position = fields.Integer(attribute="route_position")
    status = fields.Enum(JobStatus, by_value=True)
    planned_start = fields.DateTime()
    planned_end = fields.DateTime()
    locked = fields.Boolean(attribute="assignment_locked")
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    repair_by = fields.DateTime()


class WorkingHoursSchema(ma.Schema):
    start = fields.DateTime()
    end = fields.DateTime()
    break_earliest = fields.DateTime(allow_none=True)
    break_latest_end = fields.DateTime(allow_none=True)
    break_minutes = fields.Integer()


class TechnicianDaySchema(ma.Schema):
    technician = fields.Nested(TechnicianRefSchema)
    skills = fields.Function(lambda d: {s.skill: s.level for s in d.technician.skills})
    working = fields.Nested(WorkingHoursSchema, attribute="hours", allow_none=True)
    load = fields.Function(lambda d: len(d.jobs))
    daily_job_cap = fields.Integer(attribute="technician.daily_job_cap")
    stops = fields.List(fields.Nested(PlannedStopSchema), attribute="jobs")


class WaitingJobSchema(ma.Schema):
    job = fields.String(attribute="number")
    priority = fields.String()
    repair_by = fields.DateTime()
    dispatch_state = fields.String()
    dispatch_note = fields.String()


class RegionDaySchema(ma.Schema):
    region = fields.String()
    day = fields.Date()
    technicians = fields.List(fields.Nested(TechnicianDaySchema))
    waiting = fields.List(fields.Nested(WaitingJobSchema))


class RegionDayQuerySchema(ma.Schema):
    region = TrimmedString(required=True, validate=validate.Length(min=1, max=32))
    day = fields.Date(load_default=None)


class MyRouteQuerySchema(ma.Schema):
    day = fields.Date(load_default=None)


class MoveJobSchema(ma.Schema):
    technician_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class PlanRequestSchema(ma.Schema):
    region = TrimmedString(required=True, validate=validate.Length(min=1, max=32))
    day = fields.Date(load_default=None)
    time_limit_s = fields.Float(load_default=10.0, allow_nan=False, validate=validate.Range(min=1, max=300))
    apply = fields.Boolean(load_default=False)


class PlanRunSchema(ma.Schema):
    id = fields.Integer()
    region = fields.String(attribute="region.code")
    day = fields.Date()
    status = fields.String()
    time_limit_s = fields.Float()
    apply_when_done = fields.Boolean()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    result = fields.Dict()
    error = fields.String()


class EscalationSchema(ma.Schema):
    id = fields.Integer()
    job = fields.String(attribute="job.number")
    kind = fields.String()
    reason = fields.String()
    raised_at = fields.DateTime()
