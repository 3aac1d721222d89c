"""Request and response shapes of the staff appliance look-up."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.schemas import Integer, PublicAssetSchema, TrimmedString


class StaffAssetSchema(PublicAssetSchema):
    id = Integer()
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
