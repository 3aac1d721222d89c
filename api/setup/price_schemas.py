"""Request and response shapes of the price list of paid repairs (labour by skill and job category, with
the call-out fee), validated like every set-up record."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields

from api.setup.schemas import N_, code_field, text
from dispatch.jobs.models import JobCategory
from dispatch.quotes.money import BadAmount, check_amount


class Money(fields.Decimal):
    """An amount from 0 to below 10^8 with at most two decimal places: refused, never rounded."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ma.ValidationError(N_("Give an amount such as 120 or 120.50."))
        amount = super()._deserialize(value, attr, data, **kwargs)
        try:
            return check_amount(Decimal(amount))
        except BadAmount as error:
            raise ma.ValidationError(str(error)) from None


class LabourPriceInSchema(ma.Schema):
    code = code_field(40, required=True)
    name = text(120, required=True)
    skill = text(40, required=True)
    category = fields.Enum(JobCategory, by_value=True, allow_none=True, load_default=None,
                           error_messages={"unknown": N_("Choose one of the job categories, or none for any.")})
    labour = Money(required=True)
    call_out_fee = Money(load_default=Decimal("0.00"))


class LabourPriceOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    skill = fields.String()
    category = fields.Enum(JobCategory, by_value=True, allow_none=True)
    labour = fields.Decimal(as_string=True)
    call_out_fee = fields.Decimal(as_string=True)


