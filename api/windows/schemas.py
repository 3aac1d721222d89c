"""Shapes of the window API: an offered window, the confirmed one, and a choice."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.schemas import TrimmedString


class WindowSchema(ma.Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    day = fields.Date()  # the region's local day


class StaffWindowSchema(WindowSchema):
    """What the agent sees besides: who live insertion would send, and when they would arrive."""
    technician_id = fields.Integer()
    eta = fields.AwareDateTime()


class ConfirmedWindowSchema(ma.Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    confirmed_by = fields.String()
    confirmed_at = fields.AwareDateTime()


class WindowsSchema(ma.Schema):
    confirmed = fields.Nested(ConfirmedWindowSchema, allow_none=True)
    can_choose = fields.Boolean()
    window_minutes = fields.Integer()
    windows = fields.List(fields.Nested(WindowSchema))


class StaffWindowsSchema(WindowsSchema):
    windows = fields.List(fields.Nested(StaffWindowSchema))


class ChooseWindowSchema(ma.Schema):
    """A window as offered: its start and end with their time zone (ISO 8601)."""
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    # An offered window may be sent back as it came; its day follows from its start.
    day = fields.Date(load_default=None, load_only=True)

    @validates_schema
    def _end_after_start(self, data, **kwargs):
        if data["end"] <= data["start"]:
            raise ma.ValidationError("The window must end after it starts.", "end")


class ChosenWindowSchema(ma.Schema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    day = fields.Date()
    planned_start = fields.AwareDateTime()


class CancelSchema(ma.Schema):
    reason = TrimmedString(required=True, validate=validate.Length(min=5, max=500))
