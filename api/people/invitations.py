"""One-time set-password links for invited users: a signed, expiring token naming the user and the
fingerprint of their current password, so it stops working once a password is set. Nothing is stored."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from api.context import now, services
from api.database import db
from care.invitations import queue_invitation
from core.users import User, invite_fingerprint

LIFETIME = timedelta(days=3)
_SALT = "aftercare-invitation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def invitation_token(user: User) -> str:
    return _serializer().dumps([user.id, invite_fingerprint(user)])


def invitation_url(user: User) -> str:
    return f"{services().settings.public_base_url}/welcome/{invitation_token(user)}"


def email_invitation(user: User, url: str) -> bool:
    """E-mails the link to the user through the outbox when they have an address and e-mail is set up;
    whether it was queued. The admin is shown the link either way."""
    if not user.email or not services().settings.smtp_host:
        return False
    return queue_invitation(db(), user=user, url=url, now=now()) is not None


def user_for_invitation(session: Session, token: str) -> User | None:
    """The user the link is for, or None when it is forged, expired, or already used."""
    try:
        user_id, fingerprint = _serializer().loads(token, max_age=int(LIFETIME.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) and 0 < user_id < 2**31 else None
    if user is None or not user.active or invite_fingerprint(user) != fingerprint:
        return None
    return user
