"""Builders of the shared ground: users and regions. Every builder numbers what it makes from one
counter, so names never collide within a run."""
from __future__ import annotations

import itertools
from functools import lru_cache

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from core.regions import Region
from core.users import Role, User

PASSWORD = "correct horse battery"
# The secret key every test app signs with; the app refuses the public development value and short ones.
TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdef"
_counter = itertools.count(1)


def next_number() -> int:
    return next(_counter)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashed once per run, and cheap to check: the production hash (scrypt) is deliberately slow, and
    # the suite signs in hundreds of times. Tests of the hash's cost set a production hash themselves.
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(session: Session, *, username: str | None = None, role: Role = Role.AGENT, active: bool = True) -> User:
    n = next_number()
    user = User(username=username or f"user{n}", display_name=f"User {n}", role=role,
                password_hash=_password_hash(), active=active)
    session.add(user)
    session.flush()
    return user


def make_region(session: Session, *, code: str = "gusu") -> Region:
    region = Region(code=code, name=code.title(), center_lat=31.31, center_lon=120.62)
    session.add(region)
    session.flush()
    return region
