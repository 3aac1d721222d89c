"""Rate-limit counters in the application's own database, so every worker process and every host
counts against one limit (the `limits` library's memory storage counts per process, so the real limit
would be the setting times the number of workers).

`DatabaseStorage` is a storage backend for `limits` (and so for Flask-Limiter) under the scheme
`database://`: fixed windows, one row per key, each hit one atomic upsert committed at once, whatever
becomes of the request (a refused request still counts). A deployment with Redis can use `redis://` instead.
"""
from __future__ import annotations

import time
from typing import ClassVar

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as `limits` reckons windows.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


_TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    STORAGE_SCHEME: ClassVar[list[str]] = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *, engine: Engine, **_options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _upsert(self):
        return (postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(_TABLE)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        statement = self._upsert().values(key=key, count=amount, expires_at=now + expiry)
        current = _TABLE.c
        lapsed = current.expires_at <= now
        statement = statement.on_conflict_do_update(index_elements=[current.key], set_={
            "count": case((lapsed, amount), else_=current.count + amount),
            "expires_at": case((lapsed, now + expiry), else_=current.expires_at),
        }).returning(current.count)
        with self._autocommitting() as connection:
            return connection.execute(statement).scalar_one()

    def _autocommitting(self):
        # One upsert is atomic by itself: on PostgreSQL, without a transaction around it, a hit costs one
        # round trip, not three (BEGIN, the upsert, COMMIT). SQLite's connections run their own BEGIN
        # (core.db), which a change of isolation level would undo.
        if self.engine.dialect.name != "postgresql":
            return self.engine.begin()
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(select(_TABLE.c.count).where(_TABLE.c.key == key,
                                                                    _TABLE.c.expires_at > time.time())).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires_at = connection.execute(select(_TABLE.c.expires_at).where(_TABLE.c.key == key)).scalar()
        return expires_at if expires_at is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))
