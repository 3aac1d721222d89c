"""Request and response shapes of consumer self-service: the report, the tracking view."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from api.schemas import FaultReportFields
from dispatch.jobs.models import Channel, EntitlementKind, JobCategory
from dispatch.jobs.status import JobStatus

SELF_SERVICE_CHANNELS = [Channel.QR, Channel.APP, Channel.WECHAT]


class PublicReportSchema(FaultReportFields):
    qr_token = fields.String(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.QR,
                          validate=validate.OneOf(SELF_SERVICE_CHANNELS))


class PhotoReportSchema(PublicReportSchema):
    """The report as a multipart form. The files are read and checked by content beside the schema
    (api.public.report_photos); they are named here so the API's description shows them."""
    fault_photos = fields.List(Upload(), metadata={"description": "Up to 3 photos of the fault (JPEG, PNG or WebP, "
                                                                  "8 MB each)"})
    receipt_photo = Upload(metadata={"description": "A photo of the purchase receipt (JPEG, PNG or WebP, 8 MB)"})


class TimelineEntrySchema(ma.Schema):
    at = fields.DateTime()
    kind = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)


class EtaSchema(ma.Schema):
    source = fields.String()  # "live": from the technician's position just now; "planned": the plan
    around = fields.DateTime()
    earliest = fields.DateTime()
    latest = fields.DateTime()


class TechnicianCardSchema(ma.Schema):
    first_name = fields.String()
    initials = fields.String()
    photo_url = fields.String(allow_none=True)


class PromiseSchema(ma.Schema):
    kind = fields.String()   # respond, repair
    state = fields.String()  # pending, met, late, missed
    due = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)
    text = fields.String()


class TrackingSchema(ma.Schema):
    number = fields.String()
    status = fields.Enum(JobStatus, by_value=True)
    category = fields.Enum(JobCategory, by_value=True)
    entitlement = fields.Enum(EntitlementKind, by_value=True)
    entitlement_reason = fields.String()
    respond_by = fields.DateTime()
    repair_by = fields.DateTime()
    technician_name = fields.String(allow_none=True)  # the first name only
    planned_start = fields.DateTime(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))  # oldest first
    status_text = fields.String()
    technician = fields.Nested(TechnicianCardSchema, allow_none=True)
    eta = fields.Nested(EtaSchema, allow_none=True)
    eta_text = fields.String(allow_none=True)
    next_step = fields.String()
    promises = fields.List(fields.Nested(PromiseSchema))
    hotline = fields.String(allow_none=True)
    hotline_link = fields.String(allow_none=True)
    refresh_seconds = fields.Integer()
    fingerprint = fields.String()  # changes when more than the arrival time changed: reload the page
