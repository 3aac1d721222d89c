"""Staff accounts, their roles, and API tokens (stored only as hashes).

Every sign-in (a session cookie or an API token) carries the user's `session_version` from when it
was made; one that does not match the user's current version is refused. Ending a user's sessions
(signing out, disabling the account, changing the password) moves the version on, so everything
issued before stops working at once, on every device and in every process.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Boolean, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core import i18n
from core.db import Base, UtcDateTime, string_enum, utcnow


class Role(enum.StrEnum):
    AGENT = "agent"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    WAREHOUSE = "warehouse"
    MANAGER = "manager"
    ADMIN = "admin"


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


def create_user(session: Session, *, username: str, display_name: str, role: Role, password: str) -> User:
    user = User(username=username, display_name=display_name, role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def end_sessions(session: Session, *, user: User) -> None:
    """Sign the user out everywhere: every session cookie and API token issued so far stops working."""
    # In SQL, so two at once both count and neither undoes the other.
    user.session_version = User.session_version + 1
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.flush()
    session.expire(user, ["session_version", "tokens"])


def set_password(session: Session, *, user: User, password: str) -> None:
    """A new password; whoever signed in with the old one is signed out."""
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user=user)


def disable_user(session: Session, *, user: User) -> None:
    """The account can no longer sign in, and its sessions end (enabling it again revives none)."""
    user.active = False
    end_sessions(session, user=user)


def set_user_locale(session: Session, *, user: User, locale: str) -> None:
    """The language the user picked for the pages: 'en', 'zh' or a longer form of either."""
    chosen = i18n.normalise(locale)
    if chosen is None:
        raise ValueError(f"unsupported language {locale[:20]!r}")
    user.locale = chosen
