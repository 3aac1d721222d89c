"""Staff sign-in for API clients: exchange a username and password for a bearer token, and sign out."""
from __future__ import annotations

from datetime import timedelta

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.accounts.schemas import TokenRequestSchema, TokenSchema
from api.auth import require_api_roles
from api.context import now, services
from api.database import db
from api.errors import ApiError
from api.extensions import limiter
from core.sign_in import SignInLocked, authenticate_within_limits
from core.users import InvalidCredentials, Role, end_sessions, issue_api_token

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Staff API tokens")

TOKEN_LIFETIME = timedelta(hours=12)


@blp.route("/tokens")
class Tokens(MethodView):
    decorators = [limiter.limit(lambda: services().settings.login_rate_limit, methods=["POST"])]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, data: dict):
        """Get a bearer token (valid 12 hours) for a staff account"""
        try:
            user = authenticate_within_limits(db(), username=data["username"], password=data["password"],
                                              address=request.remote_addr, now=now())
        except InvalidCredentials:
            db().commit()  # the failure counts towards the lockout, although the sign-in is refused
            raise ApiError(401, "Wrong username or password.")
        except SignInLocked as locked:
            error = ApiError(429, str(locked))
            error.data["headers"] = {"Retry-After": str(int(locked.retry_after.total_seconds()) + 1)}
            raise error
        issued_at = now()
        token = issue_api_token(db(), user=user, now=issued_at, lifetime=TOKEN_LIFETIME)
        return {"token": token, "expires_at": issued_at + TOKEN_LIFETIME, "role": user.role.value}

    @require_api_roles(*Role)
    @blp.response(204)
    def delete(self):
        """Sign out everywhere: this token and all the user's other tokens and staff sessions stop working"""
        end_sessions(db(), user=g.api_user)
