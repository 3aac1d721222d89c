"""Staff accounts, their roles, and API tokens (stored only as hashes).

Every sign-in (a session cookie or an API token) carries the user's `session_version` from when it
was made; one that does not match the user's current version is refused. Ending a user's sessions
(signing out, disabling the account, changing the password) moves the version on, so everything
issued before stops working at once, on every device and in every process.
"""
from __future__ import annotations

import enum
import hashlib
import re
import secrets
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Boolean, ForeignKey, Integer, Select, String, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core import i18n
from core.admin_audit import diff, record_change
from core.db import Base, UtcDateTime, string_enum, utcnow
from core.i18n import gettext as _
from core.limits import has_control_characters
from core.password_policy import check_password


class Role(enum.StrEnum):
    AGENT = "agent"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    WAREHOUSE = "warehouse"
    MANAGER = "manager"
    ADMIN = "admin"


# What a username may be: plain letters, digits, dots, dashes and underscores, as people type them at a
# sign-in prompt and as they read in audit trails and URLs.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"
DISPLAY_NAME_MAX = 120

# The office staff who own and work customer cases (reports, jobs, follow-ups).
CASE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.MANAGER)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(string_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Moved on by end_sessions(); a session or token made under an older value is refused.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The language the user chose for the pages ("zh_CN" or "en"); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(8))
    # Where an invitation's one-time link is e-mailed; None: the admin passes the link on.
    email: Mapped[str | None] = mapped_column(String(254))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The user's session_version when the token was issued.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(back_populates="tokens")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvalidCredentials(Exception):
    """Username unknown, password wrong or account disabled (deliberately not told apart)."""


@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    # Checked against when the username is unknown: the same work as checking a real password, so
    # the answer's timing does not tell which usernames exist.
    return generate_password_hash("no such user")


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    password_ok = check_password_hash(user.password_hash if user else _unknown_user_hash(), password)
    if user is None or not user.active or not password_ok:
        raise InvalidCredentials()
    return user


def issue_api_token(session: Session, *, user: User, now: datetime, lifetime) -> str:
    """Create a bearer token; only its hash is stored, so the plain value is shown once."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_hash_token(token), created_at=now, expires_at=now + lifetime,
                         session_version=user.session_version))
    session.flush()
    return token


def user_for_token(session: Session, *, token: str, now: datetime) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.expires_at <= now or not row.user.active or row.session_version != row.user.session_version:
        return None
    return row.user


class UserRefused(Exception):
    """An administrative change to an account that cannot be made; `field` names the input at fault."""

    field = "form"
    conflict = False  # True: the input clashes with what is there now (HTTP 409), not bad in itself

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class UsernameTaken(UserRefused):
    field = "username"
    conflict = True


class UserNotFound(UserRefused):
    field = "username"


class LastAdmin(UserRefused):
    """The change would leave no active admin, and then nobody could administer the system."""
    field = "role"
    conflict = True


def user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserNotFound(_("No user %(username)s.", username=username))
    return user


def _username_taken(session: Session, username: str) -> bool:
    # Case does not make a different person: "Agent.Li" may not sit beside "agent.li".
    return session.scalar(select(func.count()).select_from(User)
                          .where(func.lower(User.username) == username.lower())) > 0


def create_user(session: Session, *, username: str, display_name: str, role: Role, password: str) -> User:
    """A new account whose password meets the policy (WeakPassword otherwise); UsernameTaken when the
    name is in use, also when another request took it a moment ago (the unique index says so)."""
    check_password(password, username=username.strip())
    return _add_user(session, username=username, display_name=display_name, role=role,
                     password_hash=generate_password_hash(password))


def create_users_sharing_a_password(session: Session, people: list[tuple[str, str, Role]], *,
                                    password: str) -> list[User]:
    """Accounts (username, display name, role) that all sign in with one password, such as the demo's
    printed one: it is hashed once, because the hash is slow on purpose and a shared password gains
    nothing from a salt of its own per account. Each account is checked as create_user checks it."""
    for username, _display_name, _role in people:
        check_password(password, username=username.strip())
    password_hash = generate_password_hash(password)
    return [_add_user(session, username=username, display_name=display_name, role=role, password_hash=password_hash)
            for username, display_name, role in people]


def _add_user(session: Session, *, username: str, display_name: str, role: Role, password_hash: str) -> User:
    username, display_name = username.strip(), display_name.strip()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise UserRefused(_("2 to 64 letters, digits, dots, dashes or underscores, starting with a letter "
                            "or digit."), field="username")
    if len(display_name) > DISPLAY_NAME_MAX or has_control_characters(display_name):
        raise UserRefused(_("Give 1 to 120 characters."), field="display_name")
    if _username_taken(session, username):
        raise UsernameTaken(_("The username %(username)s is already taken.", username=username))
    user = User(username=username, display_name=display_name or username, role=role, password_hash=password_hash)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UsernameTaken(_("The username %(username)s is already taken.", username=username)) from None
    return user


def end_sessions(session: Session, *, user: User) -> None:
    """Sign the user out everywhere: every session cookie and API token issued so far stops working."""
    # In SQL, so two at once both count and neither undoes the other.
    user.session_version = User.session_version + 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.flush()
    session.expire(user, ["session_version", "tokens"])


def set_password(session: Session, *, user: User, password: str) -> None:
    """A new password that meets the policy; whoever signed in with the old one is signed out."""
    check_password(password, username=user.username)
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user=user)


def disable_user(session: Session, *, user: User) -> None:
    """The account can no longer sign in, and its sessions end (enabling it again revives none)."""
    user.active = False
    end_sessions(session, user=user)


def enable_user(session: Session, *, user: User) -> None:
    user.active = True
    session.flush()


# --- administration: every change audited, by whom and when ---

def _facts(user: User) -> dict:
    return {"display_name": user.display_name, "role": user.role.value, "active": user.active,
            "locale": user.locale, "email": user.email}


def _audit(session: Session, *, actor: str, now: datetime, user: User, action: str, changes: dict) -> None:
    record_change(session, actor=actor, at=now, kind="user", key=user.username, action=action, changes=changes)


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User)
                          .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))


def add_user(session: Session, *, actor: str, now: datetime, username: str, display_name: str, role: Role,
             password: str | None, locale: str | None = None, email: str | None = None) -> User:
    """A new account. Without a password it is an invitation: the account cannot sign in until its
    user sets a password through their one-time link (see invite_fingerprint)."""
    invited = password is None
    if invited:
        # Nobody knows this password, so nothing signs in with it; the policy has nothing to check.
        user = create_user(session, username=username, display_name=display_name, role=role,
                           password=f"{secrets.token_urlsafe(32)}-{secrets.token_urlsafe(32)}")
    else:
        user = create_user(session, username=username, display_name=display_name, role=role, password=password)
    user.locale, user.email = locale, email or None
    session.flush()
    _audit(session, actor=actor, now=now, user=user, action="create",
           changes={"username": user.username, **_facts(user), **({"invited": True} if invited else {})})
    return user


def invite_fingerprint(user: User) -> str:
    """Changes whenever the password does: a set-password link carrying it works once, and no more after
    the password is set (or reset by an admin, or the user signed out everywhere)."""
    return hashlib.sha256(f"{user.password_hash}:{user.session_version}".encode()).hexdigest()[:24]


def accept_invitation(session: Session, *, now: datetime, user: User, password: str) -> None:
    """The invited (or reset) user chooses their password; the policy applies."""
    set_password(session, user=user, password=password)
    _audit(session, actor=user.username, now=now, user=user, action="update", changes={"password": "set by user"})


def update_user(session: Session, *, actor: str, now: datetime, user: User, display_name: str | None = None,
                role: Role | None = None, locale: str | None = None, clear_locale: bool = False,
                email: str | None = None, clear_email: bool = False) -> User:
    """Change the name, role, language or e-mail address; an admin who would leave the system without
    one is refused."""
    before = _facts(user)
    if role is not None and role != user.role and user.role == Role.ADMIN and user.active \
            and _other_active_admins(session, user) == 0:
        raise LastAdmin(_("%(username)s is the only active admin; make another admin first.",
                          username=user.username))
    if display_name is not None:
        user.display_name = display_name.strip() or user.display_name
    if role is not None:
        user.role = role
    if locale is not None or clear_locale:
        user.locale = locale
    if email is not None or clear_email:
        user.email = email or None
    session.flush()
    if changes := diff(before, _facts(user)):
        _audit(session, actor=actor, now=now, user=user, action="update", changes=changes)
    return user


def set_user_active(session: Session, *, actor: str, now: datetime, user: User, active: bool) -> User:
    """Disable (every session and API token ends at once) or enable an account."""
    if active == user.active:
        return user
    if not active and user.role == Role.ADMIN and _other_active_admins(session, user) == 0:
        raise LastAdmin(_("%(username)s is the only active admin; make another admin first.",
                          username=user.username), field="active")
    if not active and user.username == actor:
        raise UserRefused(_("You cannot disable your own account."), field="active")
    (enable_user if active else disable_user)(session, user=user)
    _audit(session, actor=actor, now=now, user=user, action="update", changes={"active": [not active, active]})
    return user


def reset_password(session: Session, *, actor: str, now: datetime, user: User, password: str) -> None:
    """A new password chosen by an admin; the user's sessions and tokens end. The audit says that it
    changed, never what to."""
    set_password(session, user=user, password=password)
    _audit(session, actor=actor, now=now, user=user, action="update", changes={"password": "reset"})


def users_query(*, search: str | None = None, role: Role | None = None, active: bool | None = None) -> Select:
    """Accounts by username, filtered by a text in the username or name, a role, and whether active."""
    query = select(User).order_by(User.username)
    if search:
        text = search.lower()
        query = query.where(or_(func.lower(User.username).contains(text, autoescape=True),
                                func.lower(User.display_name).contains(text, autoescape=True)))
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def set_user_locale(session: Session, *, user: User, locale: str) -> None:
    """The language the user picked for the pages: 'en', 'zh' or a longer form of either."""
    chosen = i18n.normalise(locale)
    if chosen is None:
        raise ValueError(f"unsupported language {locale[:20]!r}")
    user.locale = chosen
