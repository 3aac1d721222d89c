"""Shapes more than one feature uses: trimmed strings, phone numbers, positions, the fault report's fields,
the asset and its entitlement, the job, and references to people."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from core.limits import DB_INT_MAX
from dispatch.jobs.models import Channel, EntitlementKind, JobCategory
from dispatch.jobs.status import JobStatus

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()\-]{4,30}$", error="Not a phone number: use digits, +, spaces or dashes.")


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


class Integer(fields.Integer):
    """A whole number the database can store: beyond its INTEGER range a field message, never a 500."""

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if not -DB_INT_MAX <= number <= DB_INT_MAX:
            raise ma.ValidationError(f"Must be between {-DB_INT_MAX} and {DB_INT_MAX}.")
        return number


class StrictFloat(fields.Float):
    """A JSON number, finite: a string ("31.2", "north") or a boolean is refused, never read as one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ma.ValidationError("Must be a number.")
        return super()._deserialize(value, attr, data, **kwargs)


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


class EntitlementSchema(ma.Schema):
    kind = fields.Enum(EntitlementKind, by_value=True)
    reason = fields.String()
    valid_until = fields.Date(allow_none=True)


class ProductModelSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    category = fields.String()


class PublicAssetSchema(ma.Schema):
    serial = fields.String()
    model = fields.Nested(ProductModelSchema, attribute="product_model")
    address = fields.String()
    purchase_date = fields.Date(allow_none=True)
    warranty = fields.Nested(EntitlementSchema)


class ReportResultSchema(ma.Schema):
    created = fields.Boolean()
    number = fields.String(attribute="job.number")
    status = fields.Enum(JobStatus, by_value=True, attribute="job.status")
    category = fields.Enum(JobCategory, by_value=True, attribute="job.category")
    entitlement = fields.Enum(EntitlementKind, by_value=True, attribute="job.entitlement")
    entitlement_reason = fields.String(attribute="job.entitlement_reason")
    respond_by = fields.DateTime(attribute="job.respond_by")
    repair_by = fields.DateTime(attribute="job.repair_by")
    # None when the report joined somebody else's open job: its link is theirs alone.
    tracking_url = fields.String(allow_none=True)


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


class TechnicianRefSchema(ma.Schema):
    id = Integer()
    name = fields.String(attribute="user.display_name")
    username = fields.String(attribute="user.username")
