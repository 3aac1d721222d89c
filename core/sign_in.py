"""Signing in with a password, throttled where every web worker sees the same count: in the database.

One limit covers the sign-in page and the token endpoint alike. Failures are counted per account
and per client address over a sliding window; past the limit that account (or address) is locked
out until its oldest counted failure leaves the window. The password check itself is
core.users.authenticate (an unknown username costs it as much as a known one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UtcDateTime
from core.users import InvalidCredentials, User, authenticate

WINDOW = timedelta(minutes=15)
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20


class SignInFailure(Base):
    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


@dataclass
class SignInLocked(Exception):
    """Too many failed sign-ins: try again after `retry_after`."""
    retry_after: timedelta

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up."""
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))

    def __str__(self) -> str:
        return f"Too many failed sign-ins. Try again in {self.minutes} minute(s)."


def _locked_for(session: Session, column, value: str, limit: int, now: datetime) -> timedelta | None:
    """How long `value` stays locked out, or None: the lock ends when its oldest counted failure
    leaves the window and the count falls under the limit again."""
    latest = list(session.scalars(select(SignInFailure.at).where(column == value, SignInFailure.at > now - WINDOW)
                                  .order_by(SignInFailure.at.desc()).limit(limit)))
    return latest[-1] + WINDOW - now if len(latest) >= limit else None


def authenticate_within_limits(session: Session, *, username: str, password: str, address: str,
                               now: datetime) -> User:
    """The user, or InvalidCredentials (the failure is added to the session: the caller commits it even
    though it refuses the request), or SignInLocked before any password is checked."""
    username, address = username[:64], (address or "unknown")[:64]
    for column, value, limit in ((SignInFailure.username, username, FAILURES_PER_ACCOUNT),
                                 (SignInFailure.address, address, FAILURES_PER_ADDRESS)):
        if (wait := _locked_for(session, column, value, limit, now)) is not None:
            raise SignInLocked(wait)
    try:
        user = authenticate(session, username=username, password=password)
    except InvalidCredentials:
        # Failures that left the window count for nothing any more.
        session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
        session.add(SignInFailure(at=now, username=username, address=address))
        session.flush()
        raise
    session.execute(delete(SignInFailure).where(SignInFailure.username == username))
    return user
