"""Request and response shapes of API sign-in."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas import TrimmedString


class TokenRequestSchema(ma.Schema):
    username = TrimmedString(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(ma.Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    role = fields.String()
