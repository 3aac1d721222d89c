"""Administration API of people and places: users, regions and technicians under /api/v1/admin.

Admins manage all three; managers may read and manage technicians (their people's skills, hours and
days off), nothing else. Every change goes through the domain services, which audit it."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.errors import ApiError, field_error
from api.paging import SelectPage
from api.people import changes
from api.people.invitations import email_invitation, invitation_url
from api.people.schemas import (
    PasswordResetSchema,
    RegionChangeSchema,
    RegionInSchema,
    RegionSchema,
    TechnicianChangeSchema,
    TechnicianInSchema,
    TechnicianQuerySchema,
    TechnicianSchema,
    UserCreatedSchema,
    UserCreateSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)
from api.people.schemas import QuerySchema as RegionQuerySchema
from core.i18n import gettext as _
from core.password_policy import WeakPassword
from core.regions import Region, RegionRefused, regions_query
from core.users import Role, UserNotFound, UserRefused, reset_password, user_named, users_query
from dispatch.technicians.errors import TechnicianNotFound, TechnicianRefused
from dispatch.technicians.services import technician_by_id, technicians_query

blp = Blueprint("api_people", __name__, url_prefix="/api/v1/admin", description="Administration: users, regions, "
                                                                                 "technicians")

USERNAME = "<string(maxlength=64):username>"
CODE = "<string(maxlength=32):code>"
TECHNICIAN_MANAGERS = (Role.MANAGER,)  # and admins, who pass every role check




def _actor() -> str:
    return g.api_user.username


def _refused(error: Exception) -> ApiError:
    """A domain refusal as the one JSON shape: 404 for what is not there, 409 for a clash with what
    is (a name taken, the last admin), 422 for input that can never work."""
    if isinstance(error, (UserNotFound, TechnicianNotFound)):
        return ApiError(404, str(error))
    return field_error(409 if getattr(error, "conflict", False) else 422, getattr(error, "field", "form"), str(error))


def _refusals():
    return (UserRefused, WeakPassword, RegionRefused, TechnicianRefused)


# --- users ---

@blp.route("/users")
class Users(MethodView):
    @require_api_roles(Role.ADMIN)
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """Accounts by username; q searches the username and name, role and active filter"""
        return users_query(search=query["q"], role=query["role"], active=query["active"])

    @require_api_roles(Role.ADMIN)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, data: dict):
        """Create an account; the password must meet the policy (10+ characters, not the username, not
        a common password). Without a password the user is invited: invite_url is their one-time link
        to set one"""
        try:
            user = changes.create_user(db(), actor=_actor(), now=now(), data=data)
        except _refusals() as error:
            raise _refused(error) from None
        if data["password"] is not None:
            return _Created(user, None, False)
        url = invitation_url(user)
        return _Created(user, url, email_invitation(user, url))


class _Created:
    """The new account, and the invitation link when there is one (and whether it was e-mailed)."""

    def __init__(self, user, invite_url: str | None, invite_emailed: bool):
        self.user, self.invite_url, self.invite_emailed = user, invite_url, invite_emailed

    def __getattr__(self, name: str):
        return getattr(self.user, name)


@blp.route(f"/users/{USERNAME}")
class UserResource(MethodView):
    @require_api_roles(Role.ADMIN)
    @blp.response(200, UserSchema)
    def get(self, username: str):
        """One account"""
        try:
            return user_named(db(), username)
        except UserNotFound as error:
            raise _refused(error) from None

    @require_api_roles(Role.ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data: dict, username: str):
        """Change the name, role, language, or disable (active=false: every session and token ends at
        once) and enable the account"""
        try:
            return changes.update_user(db(), actor=_actor(), now=now(), user=user_named(db(), username), data=data)
        except _refusals() as error:
            raise _refused(error) from None


@blp.route(f"/users/{USERNAME}/password")
class UserPassword(MethodView):
    @require_api_roles(Role.ADMIN)
    @blp.arguments(PasswordResetSchema)
    @blp.response(204)
    def post(self, data: dict, username: str):
        """Set a new password (it must meet the policy); the user's sessions and tokens end"""
        try:
            reset_password(db(), actor=_actor(), now=now(), user=user_named(db(), username),
                           password=data["password"])
        except _refusals() as error:
            raise _refused(error) from None


# --- regions ---

def _region(code: str) -> Region:
    region = db().scalar(select(Region).where(Region.code == code))
    if region is None:
        raise ApiError(404, _("No region %(code)s.", code=code))
    return region


@blp.route("/regions")
class Regions(MethodView):
    @require_api_roles(Role.ADMIN)
    @blp.arguments(RegionQuerySchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """Regions by code; q searches the code and name"""
        return regions_query(search=query["q"])

    @require_api_roles(Role.ADMIN)
    @blp.arguments(RegionInSchema)
    @blp.response(201, RegionSchema)
    def post(self, data: dict):
        """Create a region: code, name, time zone, centre, travel model, service radius, business hours"""
        try:
            return changes.create_region(db(), actor=_actor(), now=now(), data=data)
        except _refusals() as error:
            raise _refused(error) from None


@blp.route(f"/regions/{CODE}")
class RegionResource(MethodView):
    @require_api_roles(Role.ADMIN)
    @blp.response(200, RegionSchema)
    def get(self, code: str):
        """One region"""
        return _region(code)

    @require_api_roles(Role.ADMIN)
    @blp.arguments(RegionChangeSchema(partial=True))
    @blp.response(200, RegionSchema)
    def patch(self, data: dict, code: str):
        """Change what is given; business_hours, when given, replaces the week's hours"""
        try:
            return changes.update_region(db(), actor=_actor(), now=now(), region=_region(code), data=data)
        except _refusals() as error:
            raise _refused(error) from None


# --- technicians ---

@blp.route("/technicians")
class Technicians(MethodView):
    @require_api_roles(*TECHNICIAN_MANAGERS)
    @blp.arguments(TechnicianQuerySchema, location="query")
    @blp.response(200, TechnicianSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """Technicians by username; q searches the username and name, region filters"""
        return technicians_query(search=query["q"], region_code=query["region"])

    @require_api_roles(*TECHNICIAN_MANAGERS)
    @blp.arguments(TechnicianInSchema)
    @blp.response(201, TechnicianSchema)
    def post(self, data: dict):
        """The technician profile of a technician user; with display_name and password, the user is
        created with it (admins only)"""
        if "password" in data and not g.api_user.has_role(Role.ADMIN):
            raise field_error(403, "password", _("Only an admin can create accounts."))
        try:
            return changes.create_technician(db(), actor=_actor(), now=now(), data=data)
        except _refusals() as error:
            raise _refused(error) from None


@blp.route("/technicians/<int:technician_id>")
class TechnicianResource(MethodView):
    @require_api_roles(*TECHNICIAN_MANAGERS)
    @blp.response(200, TechnicianSchema)
    def get(self, technician_id: int):
        """One technician"""
        try:
            return technician_by_id(db(), technician_id)
        except TechnicianNotFound as error:
            raise _refused(error) from None

    @require_api_roles(*TECHNICIAN_MANAGERS)
    @blp.arguments(TechnicianChangeSchema(partial=True))
    @blp.response(200, TechnicianSchema)
    def patch(self, data: dict, technician_id: int):
        """Change what is given; skills, shifts and days_off, when given, replace the whole list"""
        try:
            return changes.update_technician(db(), actor=_actor(), now=now(),
                                             technician=technician_by_id(db(), technician_id), data=data)
        except _refusals() as error:
            raise _refused(error) from None
