"""Request and response shapes of the set-up API; the set-up pages validate their forms with the same.

Every refusal message is a fixed English sentence marked with N_ so it sits in the catalogue
(locales/zh_CN/setup.po): the API answers it as written, the pages show it translated.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.context import report_url
from api.database import db
from api.schemas import Integer, TrimmedString
from core.i18n import gettext
from dispatch.jobs.models import JobCategory, Priority
from inventory.ledger import MAX_QUANTITY
from inventory.models import WarehouseKind
from inventory.setup import supplied_parts

# Formatted message -> (catalogue text, its values), so a page can translate what the schema said.
_MESSAGES: dict[str, tuple[str, dict]] = {}


def N_(message: str, **values) -> str:
    """Marks a message for the catalogue and formats it; it is translated where it is shown."""
    formatted = message % values if values else message
    _MESSAGES[formatted] = (message, values)
    return formatted


def translated(message: str) -> str:
    """A schema's message in the current language (marshmallow's own messages included)."""
    template, values = _MESSAGES.get(message, (message, {}))
    return gettext(template, **values)


CODE_PATTERN = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                               error=N_("Use letters, digits, dots or dashes, starting with a letter or digit."))
MAX_MINUTES = 60 * 24 * 366
MAX_MONTHS = 600
MAX_DAYS = 3650
MAX_HOURS = 24 * 366
MAX_MONEY = 10**9


def code_field(max_length: int, **kwargs) -> TrimmedString:
    return TrimmedString(validate=[validate.Length(min=1, max=max_length,
                                                   error=N_("Give a code of 1 to %(max)s characters.",
                                                            max=max_length)), CODE_PATTERN], **kwargs)


def text(max_length: int, *, minimum: int = 1, **kwargs) -> TrimmedString:
    message = (N_("Give 1 to %(max)s characters.", max=max_length) if minimum
               else N_("At most %(max)s characters.", max=max_length))
    return TrimmedString(validate=validate.Length(min=minimum, max=max_length, error=message), **kwargs)


def whole(minimum: int, maximum: int, **kwargs) -> Integer:
    """Whole numbers only: strict refuses 1.5, "2" and true rather than rounding or casting them."""
    return Integer(strict=True, validate=validate.Range(
        min=minimum, max=maximum, error=N_("Must be a whole number from %(min)s to %(max)s.", min=minimum, max=maximum)), **kwargs)


def money(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, allow_nan=False, validate=validate.Range(
        min=0, max=MAX_MONEY, error=N_("Must be an amount from 0 to %(max)s.", max=MAX_MONEY)), **kwargs)


def share(**kwargs) -> fields.Float:
    return fields.Float(allow_nan=False, validate=validate.Range(
        min=0, max=1, error=N_("Must be a share from 0 to 1 (0.95 is 95 %).")), **kwargs)


class SearchSchema(ma.Schema):
    q = text(100, minimum=0, load_default=None)


# --- warranty policies ---

class ComponentTermSchema(ma.Schema):
    component = text(60, required=True)
    free_repair_months = whole(1, MAX_MONTHS, required=True)


class WarrantyPolicyInSchema(ma.Schema):
    code = code_field(40, required=True)
    name = text(120, required=True)
    return_days = whole(0, MAX_DAYS, load_default=7)
    exchange_days = whole(0, MAX_DAYS, load_default=15)
    free_repair_months = whole(0, MAX_MONTHS, load_default=12)
    repeat_repair_limit = whole(1, 20, load_default=2)
    component_terms = fields.List(fields.Nested(ComponentTermSchema), load_default=list,
                                  validate=validate.Length(max=50, error=N_("At most 50 component terms.")))

    @validates_schema
    def _each_component_once(self, data, **kwargs):
        names = [term["component"].lower() for term in data.get("component_terms") or []]
        if len(set(names)) != len(names):
            raise ma.ValidationError(N_("Each component may have one term only."), "component_terms")

    @ma.post_load
    def _terms_as_mapping(self, data, **kwargs):
        if "component_terms" in data:
            data["component_terms"] = {term["component"]: term["free_repair_months"]
                                       for term in data["component_terms"]}
        return data


class WarrantyPolicyOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    return_days = fields.Integer()
    exchange_days = fields.Integer()
    free_repair_months = fields.Integer()
    repeat_repair_limit = fields.Integer()
    component_terms = fields.List(fields.Nested(ComponentTermSchema))


# --- product models ---

class ProductModelInSchema(ma.Schema):
    code = code_field(40, required=True)
    name = text(160, required=True)
    name_zh = text(160, minimum=0, load_default="")
    category = text(60, required=True)
    product_line = text(60, minimum=0, load_default="")
    repair_skill = code_field(40, required=True)
    min_skill_level = whole(1, 3, load_default=1)
    service_minutes = whole(5, 24 * 60, load_default=45)
    warranty_policy = code_field(40, required=True)
    parts = fields.List(code_field(40), load_default=list,
                        validate=validate.Length(max=200, error=N_("At most 200 parts per model.")))


class ProductModelOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    category = fields.String()
    product_line = fields.String()
    repair_skill = fields.String()
    min_skill_level = fields.Integer()
    service_minutes = fields.Integer()
    warranty_policy = fields.String(attribute="warranty_policy.code")
    parts = fields.Function(lambda model: sorted(part.sku for part in model.parts))


# --- SLA policies ---

class SlaPolicyInSchema(ma.Schema):
    code = code_field(40, required=True)
    name = text(120, required=True)
    category = fields.Enum(JobCategory, by_value=True, allow_none=True, load_default=None,
                           error_messages={"unknown": N_("Choose one of the job categories, or none for any.")})
    priority = fields.Enum(Priority, by_value=True, allow_none=True, load_default=None,
                           error_messages={"unknown": N_("Choose one of the priorities, or none for any.")})
    business_hours_only = fields.Boolean(load_default=False)
    respond_minutes = whole(1, MAX_MINUTES, load_default=120)
    repair_minutes = whole(1, MAX_MINUTES, load_default=3 * 24 * 60)
    satisfaction_target = share(load_default=0.95)
    respond_target = share(load_default=0.95)
    repair_target = share(load_default=0.90)


class SlaPolicyOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    category = fields.Enum(JobCategory, by_value=True, allow_none=True)
    priority = fields.Enum(Priority, by_value=True, allow_none=True)
    business_hours_only = fields.Boolean()
    respond_minutes = fields.Integer()
    repair_minutes = fields.Integer()
    satisfaction_target = fields.Float()
    respond_target = fields.Float()
    repair_target = fields.Float()


# --- warehouses ---

class WarehouseInSchema(ma.Schema):
    code = code_field(32, required=True)
    name = text(160, required=True)
    kind = fields.Enum(WarehouseKind, by_value=True, required=True,
                       error_messages={"unknown": N_("Choose central, regional or van.")})
    address = text(255, minimum=0, load_default="")
    latitude = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(
        -90, 90, error=N_("A latitude is from -90 to 90.")))
    longitude = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(
        -180, 180, error=N_("A longitude is from -180 to 180.")))
    regions = fields.List(code_field(32), load_default=list,
                          validate=validate.Length(max=100, error=N_("At most 100 regions.")))


class WarehouseOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(WarehouseKind, by_value=True)
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    regions = fields.Function(lambda w: sorted(region.code for region in w.serves_regions))


# --- parts ---

class PartInSchema(ma.Schema):
    sku = code_field(40, required=True)
    name = text(160, required=True)
    name_zh = text(160, minimum=0, load_default="")
    unit_cost = money(required=True)
    customer_price = money(load_default=None, allow_none=True)


class PartOutSchema(ma.Schema):
    sku = fields.String()
    name = fields.String()
    name_zh = fields.String()
    unit_cost = fields.Decimal(as_string=True)
    customer_price = fields.Decimal(as_string=True, allow_none=True)


# --- suppliers ---

class SuppliedPartSchema(ma.Schema):
    sku = code_field(40, required=True)
    unit_cost = money(required=True)


class SupplierInSchema(ma.Schema):
    code = code_field(32, required=True)
    name = text(160, required=True)
    normal_lead_hours = whole(1, MAX_HOURS, required=True)
    expedited_lead_hours = whole(1, MAX_HOURS, required=True)
    expedite_fee = money(load_default="0")
    parts = fields.List(fields.Nested(SuppliedPartSchema), load_default=list,
                        validate=validate.Length(max=500, error=N_("At most 500 parts per supplier.")))

    @validates_schema
    def _each_part_once(self, data, **kwargs):
        skus = [line["sku"] for line in data.get("parts") or []]
        if len(set(skus)) != len(skus):
            raise ma.ValidationError(N_("Each part may be listed once."), "parts")

    @ma.post_load
    def _parts_as_mapping(self, data, **kwargs):
        if "parts" in data:
            data["parts"] = {line["sku"]: line["unit_cost"] for line in data["parts"]}
        return data


class SupplierOutSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    normal_lead_hours = fields.Integer()
    expedited_lead_hours = fields.Integer()
    expedite_fee = fields.Decimal(as_string=True)
    parts = fields.Method("_supplied")

    def _supplied(self, supplier):
        return SuppliedPartSchema(many=True).dump(
            [{"sku": line.part.sku, "unit_cost": line.unit_cost} for line in supplied_parts(db(), supplier)])


# --- restock rules ---

class RestockRuleSetupSchema(ma.Schema):
    warehouse = code_field(32, required=True)
    sku = code_field(40, required=True)
    min_quantity = whole(0, MAX_QUANTITY, required=True)
    max_quantity = whole(0, MAX_QUANTITY, required=True)
    reorder_multiple = whole(1, MAX_QUANTITY, load_default=1)
    auto_create = fields.Boolean(load_default=True)

    @validates_schema
    def _max_not_below_min(self, data, **kwargs):
        if data.get("max_quantity") is not None and data.get("min_quantity") is not None \
                and data["max_quantity"] < data["min_quantity"]:
            raise ma.ValidationError(N_("The maximum must be at least the minimum."), "max_quantity")


class RestockRuleOutSchema(ma.Schema):
    warehouse = fields.String(attribute="warehouse.code")
    sku = fields.String(attribute="part.sku")
    min_quantity = fields.Integer()
    max_quantity = fields.Integer()
    reorder_multiple = fields.Integer()
    auto_create = fields.Boolean()


# --- assets ---

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()\-]{4,30}$", error=N_("Not a phone number: use digits, +, spaces or dashes."))


class AssetInSchema(ma.Schema):
    serial = code_field(64, required=True)
    model = code_field(40, required=True)
    customer_name = text(120, required=True)
    customer_phone = TrimmedString(required=True, validate=PHONE)
    customer_email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254),
                                  error_messages={"invalid": N_("Not an e-mail address.")})
    region = code_field(32, load_default=None, allow_none=True)
    address = text(255, required=True)
    latitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        -90, 90, error=N_("A latitude is from -90 to 90.")))
    longitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(
        -180, 180, error=N_("A longitude is from -180 to 180.")))
    purchase_date = fields.Date(load_default=None, allow_none=True,
                                error_messages={"invalid": N_("Give a date as YYYY-MM-DD.")})
    installed_on = fields.Date(load_default=None, allow_none=True,
                               error_messages={"invalid": N_("Give a date as YYYY-MM-DD.")})

    @validates_schema
    def _not_before_1990(self, data, **kwargs):
        for name in ("purchase_date", "installed_on"):
            if data.get(name) is not None and data[name].year < 1990:
                raise ma.ValidationError(N_("Give a date from 1990 on."), name)


class AssetOutSchema(ma.Schema):
    serial = fields.String()
    model = fields.String(attribute="product_model.code")
    customer_name = fields.String(attribute="customer.name")
    customer_phone = fields.String(attribute="customer.phone")
    customer_email = fields.String(attribute="customer.email", allow_none=True)
    region = fields.Function(lambda asset: asset.region.code if asset.region else None)
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    purchase_date = fields.Date(allow_none=True)
    installed_on = fields.Date(allow_none=True)
    # The URL its QR label holds, so a client can print labels of its own.
    report_url = fields.Function(lambda asset: report_url(asset.qr_token))


def update_schema(schema: type[ma.Schema], exclude: tuple[str, ...]) -> ma.Schema:
    """The schema of an update: every field optional, the natural key left out. A class of its own
    (not schema(partial=True)) so the OpenAPI document names it without a clash."""
    class Update(schema):
        class Meta:
            pass

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("partial", True)
            super().__init__(*args, **kwargs)

        @ma.pre_load
        def _key_stays(self, data, **kwargs):
            for name in exclude:
                if isinstance(data, dict) and name in data:
                    raise ma.ValidationError(N_("This is the record's key and cannot be changed."), name)
            return data

    Update.Meta.exclude = exclude
    Update.__name__ = schema.__name__.replace("InSchema", "UpdateSchema").replace("SetupSchema", "UpdateSchema")
    Update.__qualname__ = Update.__name__
    return Update()
