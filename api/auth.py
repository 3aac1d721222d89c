"""Who is calling: bearer tokens on the API, a signed-in session on staff pages; and role checks.

A staff session lives in Flask's signed cookie. It ends after SESSION_IDLE_LIFETIME without a request
(the cookie is refreshed on each one), SESSION_ABSOLUTE_LIFETIME after signing in whatever happens,
and at once when the user's sessions are ended (core.users.end_sessions: sign-out, a disabled account,
a new password), because the cookie carries the session version it was signed in under.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint

from api.context import now
from api.database import db
from api.errors import ApiError
from api.extensions import login_manager
from core.settings import Settings
from core.users import Role, User, end_sessions, user_for_token

SESSION_IDLE_LIFETIME = timedelta(hours=8)
SESSION_ABSOLUTE_LIFETIME = timedelta(days=7)
# What the session cookie holds besides Flask-Login's user id.
_SIGNED_IN_AT = "signed_in_at"
_SESSION_VERSION = "session_version"


def configure_sessions(app: Flask, settings: Settings) -> None:
    """Cookie flags and lifetimes. Remember-me cookies are never issued (login_user is never asked
    to remember); one that turned up anyway would carry no session version and be refused."""
    secure = settings.public_base_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_IDLE_LIFETIME,
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_DURATION=SESSION_ABSOLUTE_LIFETIME,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )


def sign_in(user: User) -> None:
    """Start a staff session; nothing from before signing in carries over into it."""
    session.clear()
    login_user(user)
    session.permanent = True  # expires after SESSION_IDLE_LIFETIME without a request
    session[_SIGNED_IN_AT] = now().timestamp()
    session[_SESSION_VERSION] = user.session_version


def sign_out() -> None:
    """End this session and every other one of the signed-in user's, API tokens included."""
    if current_user.is_authenticated:
        end_sessions(db(), user=current_user._get_current_object())
    session.clear()
    logout_user()


def _session_is_current(user: User) -> bool:
    signed_in_at = session.get(_SIGNED_IN_AT)
    if session.get(_SESSION_VERSION) != user.session_version or not isinstance(signed_in_at, (int, float)):
        return False
    return now().timestamp() - signed_in_at < SESSION_ABSOLUTE_LIFETIME.total_seconds()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not _session_is_current(user):
        return None
    return user


# Flask-Login needs these four on the user object; keeping them here keeps core free of Flask.
User.is_authenticated = property(lambda self: True)
User.is_anonymous = property(lambda self: False)
User.is_active = property(lambda self: self.active)
User.get_id = lambda self: str(self.id)


def _bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(db(), token=token.strip(), now=now())


def require_api_roles(*roles: Role):
    """API views: a valid bearer token whose user has one of the roles (admins pass every check)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = _bearer_user()
            if user is None:
                raise ApiError(401, "A valid bearer token is required (POST /api/v1/auth/tokens).")
            if not user.has_role(*roles):
                raise ApiError(403, f"The {user.role} role cannot do this.")
            g.api_user = user
            return view(*args, **kwargs)

        # The OpenAPI document says so: a bearer token, and the two refusals without one that fits.
        return Blueprint.doc(security=[{"bearer": []}], responses={401: "UNAUTHORIZED", 403: "FORBIDDEN"})(wrapper)

    return decorator


def require_page_roles(*roles: Role):
    """Staff pages: a signed-in user with one of the roles; others are sent to sign in or refused."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("staff.login", next=request.full_path))
            if not current_user.has_role(*roles):
                raise ApiError(403, "Your account cannot open this page.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
