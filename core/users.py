"""Staff accounts, their roles, and API tokens (stored only as hashes)."""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

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

    user: Mapped[User] = relationship(back_populates="tokens")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvalidCredentials(Exception):
    """Username unknown, password wrong or account disabled (deliberately not told apart)."""


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        raise InvalidCredentials()
    return user


def issue_api_token(session: Session, *, user: User, now: datetime, lifetime) -> str:
    """Create a bearer token; only its hash is stored, so the plain value is shown once."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_hash_token(token), created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def user_for_token(session: Session, *, token: str, now: datetime) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    return row.user


def create_user(session: Session, *, username: str, display_name: str, role: Role, password: str) -> User:
    user = User(username=username, display_name=display_name, role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
