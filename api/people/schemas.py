"""Request and response shapes of the people-and-places administration; the admin pages validate their
forms with the same schemas, so a rule is written once."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates, validates_schema

from api.schemas import Integer, TrimmedString
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.password_policy import MAX_LENGTH as PASSWORD_MAX
from core.regions import valid_time_zone
from core.users import USERNAME_PATTERN, Role
from dispatch.technicians.services import MAX_JOBS_PER_DAY, SKILL_LEVELS

USERNAME = validate.Regexp(USERNAME_PATTERN,
                           error=_l("2 to 64 letters, digits, dots, dashes or underscores, starting with a letter "
                                    "or digit."))
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
                       error=_l("1 to 32 letters, digits, dots, dashes or underscores."))
NAME = validate.Length(min=1, max=120, error=_l("Give 1 to 120 characters."))
SKILL = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error=_l("A skill is 1 to 40 lower-case letters, digits or _."))
LOCALES = ("en", "zh_CN")
MAX_ITEMS = 400  # days off a year and then some; no list the admin sends is longer


def _text(messages):
    """Error messages made at import time are lazy; translated now, into plain text JSON can carry."""
    if isinstance(messages, dict):
        return {key: _text(value if isinstance(value, (dict, list)) else [value]) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_text(value) for value in messages]
    # marshmallow's own messages ("Not a valid time.") are msgids of the catalogue too.
    return _(str(messages))


# Marshmallow's built-in messages, translated by _text(); listed so the catalogue holds them.
BUILT_IN_MESSAGES = (_l("Not a valid time."), _l("Not a valid date."), _l("Not a valid number."),
                     _l("Not a valid integer."), _l("Not a valid boolean."), _l("Not a valid string."),
                     _l("Missing data for required field."), _l("Unknown field."), _l("Invalid input type."),
                     _l("Field may not be null."), _l("Not a valid list."), _l("Invalid value."))


def _role(**kwargs) -> fields.Enum:
    messages = {"unknown": _l("Choose a role from the list."), **kwargs.pop("error_messages", {})}
    return fields.Enum(Role, by_value=True, error_messages=messages, **kwargs)


class InputSchema(ma.Schema):
    """Every input shape here: its field messages come out in the reader's language, as plain text."""

    def handle_error(self, error: ma.ValidationError, data, *, many: bool, **kwargs):
        raise ma.ValidationError(_text(error.normalized_messages()), data=data,
                                 valid_data=error.valid_data) from None


def _required(**kwargs) -> dict:
    return {"required": True, "error_messages": {"required": _l("This field is required."),
                                                 "null": _l("This field is required.")}, **kwargs}


def _number(low: float, high: float, **kwargs) -> fields.Float:
    return fields.Float(allow_nan=False, validate=validate.Range(
        low, high, error=_l("Must be a number from %(low)s to %(high)s.", low=low, high=high)), **kwargs)


def _whole(low: int, high: int, **kwargs) -> Integer:
    return Integer(strict=True, validate=validate.Range(
        low, high, error=_l("Must be a whole number from %(low)s to %(high)s.", low=low, high=high)), **kwargs)


class QuerySchema(InputSchema):
    q = TrimmedString(load_default=None, validate=validate.Length(max=64))


# --- users ---

def email_field(**kwargs) -> fields.String:
    """An e-mail address, at most 254 characters; null (or blank on a page) for none."""
    return TrimmedString(allow_none=True, validate=[
        validate.Length(max=254, error=_l("At most 254 characters.")),
        validate.Email(error=_l("Give an e-mail address such as name@example.com."))], **kwargs)


class UserSchema(ma.Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.Enum(Role, by_value=True)
    active = fields.Boolean()
    locale = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    created_at = fields.DateTime()


class UserCreatedSchema(UserSchema):
    # Only for an invitation: the one-time link to send the new user (valid for three days).
    invite_url = fields.String(allow_none=True)
    # True when the link was also e-mailed to the user (they have an address and e-mail is set up).
    invite_emailed = fields.Boolean()


class UserQuerySchema(QuerySchema):
    role = _role(load_default=None)
    active = fields.Boolean(load_default=None)


class UserCreateSchema(InputSchema):
    username = TrimmedString(**_required(validate=USERNAME))
    display_name = TrimmedString(**_required(validate=NAME))
    role = _role(**_required())
    # Checked against the policy by the service, which knows the username. None: an invitation, the
    # user sets their own password through a one-time link.
    password = fields.String(load_default=None, validate=validate.Length(min=1, max=PASSWORD_MAX))
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES, error=_l("Choose English or Chinese.")))
    email = email_field(load_default=None)


class UserUpdateSchema(InputSchema):
    display_name = TrimmedString(validate=NAME)
    role = _role()
    active = fields.Boolean()
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES, error=_l("Choose English or Chinese.")))
    email = email_field()


class PasswordResetSchema(InputSchema):
    password = fields.String(**_required(validate=validate.Length(min=1, max=PASSWORD_MAX)))


# --- regions ---

class BusinessHoursSchema(InputSchema):
    weekday = _whole(0, 6, **_required())
    opens = fields.Time(**_required())
    closes = fields.Time(**_required())


class RegionSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    time_zone = fields.String()
    center_lat = fields.Float()
    center_lon = fields.Float()
    road_factor = fields.Float()
    speed_kmh = fields.Float()
    service_radius_km = fields.Float(allow_none=True)
    hotline = fields.String(allow_none=True)
    business_hours = fields.List(fields.Nested(BusinessHoursSchema))


class RegionInSchema(InputSchema):
    """A new region (every required field) or, with partial=True, changes to one."""
    code = TrimmedString(**_required(validate=CODE))
    name = TrimmedString(**_required(validate=NAME))
    time_zone = TrimmedString(load_default="Asia/Shanghai", validate=validate.Length(min=1, max=64))
    center_lat = _number(-90, 90, **_required())
    center_lon = _number(-180, 180, **_required())
    road_factor = _number(1.0, 3.0, load_default=1.35)
    speed_kmh = _number(5.0, 120.0, load_default=28.0)
    service_radius_km = _number(1.0, 1000.0, load_default=None, allow_none=True)
    # The region's own service line for its customers; none: the installation's (AFTERCARE_HOTLINE).
    hotline = TrimmedString(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9 ()\-]{2,30}$", error=_l("Not a phone number: use digits, +, spaces or dashes.")))
    business_hours = fields.List(fields.Nested(BusinessHoursSchema), validate=validate.Length(max=7))

    @validates("time_zone")
    def _a_real_zone(self, value: str, **kwargs) -> None:
        if not valid_time_zone(value):
            raise ma.ValidationError(_l("Not a time zone; use a name such as Asia/Shanghai."))


class RegionChangeSchema(RegionInSchema):
    """Changes to a region: used with partial=True, so only what is given changes."""


# --- technicians ---

class SkillSchema(InputSchema):
    skill = TrimmedString(**_required(validate=SKILL))
    level = _whole(min(SKILL_LEVELS), max(SKILL_LEVELS), load_default=2)
    certified_until = fields.Date(load_default=None, allow_none=True)


class ShiftSchema(InputSchema):
    weekday = _whole(0, 6, **_required())
    start = fields.Time(**_required())
    end = fields.Time(**_required())
    break_minutes = _whole(0, 240, load_default=0)
    break_earliest = fields.Time(load_default=None, allow_none=True)
    break_latest_end = fields.Time(load_default=None, allow_none=True)


class DayOffSchema(InputSchema):
    day = fields.Date(**_required())
    reason = TrimmedString(load_default="", validate=validate.Length(max=120))


class TechnicianSchema(ma.Schema):
    id = Integer()
    username = fields.String(attribute="user.username")
    display_name = fields.String(attribute="user.display_name")
    region = fields.String(attribute="region.code")
    home_address = fields.String()
    home_lat = fields.Float()
    home_lon = fields.Float()
    daily_job_cap = Integer()
    van = fields.String(attribute="van.code", allow_none=True)
    skills = fields.List(fields.Nested(SkillSchema))
    shifts = fields.List(fields.Nested(ShiftSchema))
    days_off = fields.List(fields.Nested(DayOffSchema))


class TechnicianQuerySchema(QuerySchema):
    region = TrimmedString(load_default=None, validate=validate.Length(max=32))


class TechnicianInSchema(InputSchema):
    """A new technician profile (with partial=True: changes to one; `username` cannot change)."""
    username = TrimmedString(**_required(validate=USERNAME))
    # Only when the user does not exist yet: the technician account is created with the profile.
    display_name = TrimmedString(validate=NAME)
    password = fields.String(validate=validate.Length(min=1, max=PASSWORD_MAX))
    region = TrimmedString(**_required(validate=CODE))
    home_address = TrimmedString(load_default="", validate=validate.Length(max=255))
    home_lat = _number(-90, 90, **_required())
    home_lon = _number(-180, 180, **_required())
    daily_job_cap = _whole(1, MAX_JOBS_PER_DAY, load_default=8)
    van = TrimmedString(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    skills = fields.List(fields.Nested(SkillSchema), validate=validate.Length(max=40))
    shifts = fields.List(fields.Nested(ShiftSchema), validate=validate.Length(max=7))
    days_off = fields.List(fields.Nested(DayOffSchema), validate=validate.Length(max=MAX_ITEMS))

    @validates_schema
    def _name_and_password_together(self, data, **kwargs):
        if ("display_name" in data) != ("password" in data):
            field = "password" if "display_name" in data else "display_name"
            raise ma.ValidationError(_l("A new technician account needs both a name and a password."), field)


class TechnicianChangeSchema(TechnicianInSchema):
    """Changes to a technician: used with partial=True and without the account fields."""

    class Meta:
        exclude = ("username", "display_name", "password")
