"""Request and response shapes of the dispatcher's API: a region's day, moves, plans, escalations."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas import Integer, TechnicianRefSchema, TrimmedString
from dispatch.jobs.read import ESCALATION_FILTERS
from dispatch.jobs.status import JobStatus


class PlannedStopSchema(ma.Schema):
    job = fields.String(attribute="number")
    position = Integer(attribute="route_position")
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
    break_minutes = Integer()


class TechnicianDaySchema(ma.Schema):
    technician = fields.Nested(TechnicianRefSchema)
    skills = fields.Function(lambda d: {s.skill: s.level for s in d.technician.skills})
    working = fields.Nested(WorkingHoursSchema, attribute="hours", allow_none=True)
    load = fields.Function(lambda d: len(d.jobs))
    daily_job_cap = Integer(attribute="technician.daily_job_cap")
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
    technician_id = Integer(required=True, strict=True, validate=validate.Range(min=1))
    # On this day only (region time), refused when it does not fit; without it, the earliest feasible day.
    day = fields.Date(load_default=None)
    # The visit starts no earlier than this (with its time zone): a dispatcher's choice, not a promise.
    not_before = fields.AwareDateTime(load_default=None)


class PlanRequestSchema(ma.Schema):
    region = TrimmedString(required=True, validate=validate.Length(min=1, max=32))
    day = fields.Date(load_default=None)
    time_limit_s = fields.Float(load_default=10.0, allow_nan=False, validate=validate.Range(min=1, max=300))
    apply = fields.Boolean(load_default=False)


class PlanRunSchema(ma.Schema):
    id = Integer()
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
    id = Integer()
    job = fields.String(attribute="job.number")
    kind = fields.String()
    reason = fields.String()
    raised_at = fields.DateTime()
    state = fields.Function(lambda e: e.state.value)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Function(lambda e: e.acknowledged_by.username if e.acknowledged_by else None)
    acknowledged_note = fields.String()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.Function(lambda e: e.resolved_by.username if e.resolved_by else None)
    resolution_note = fields.String()


class EscalationQuerySchema(ma.Schema):
    state = fields.String(load_default="active", validate=validate.OneOf(ESCALATION_FILTERS))
    region = TrimmedString(load_default=None, validate=validate.Length(min=1, max=32))


class AcknowledgeSchema(ma.Schema):
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))


class ResolveSchema(ma.Schema):
    note = TrimmedString(required=True, validate=validate.Length(min=3, max=2000))
