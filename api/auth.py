"""Who is calling: bearer tokens on the API, a signed-in session on staff pages; and role checks."""
from __future__ import annotations

from functools import wraps

from flask import g, redirect, request, url_for
from flask_login import current_user

from api.context import now
from api.database import db
from api.errors import ApiError
from api.extensions import login_manager
from core.users import Role, User, user_for_token


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


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

        return wrapper

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
