"""Database base class, engine and session factory shared by every domain package.

Services receive a Session and flush; the entry point (a request, a CLI command, a scheduled task)
owns the transaction and commits or rolls back once.
"""
from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# How SQLite transactions begin in the current context. Writers use IMMEDIATE so they queue on the
# database lock instead of failing when a read transaction tries to upgrade; read-only work uses
# DEFERRED so that, under WAL, it never takes the write lock at all.
_sqlite_begin = ContextVar("sqlite_begin", default="IMMEDIATE")


@contextmanager
def sqlite_begin_mode(mode: str):
    """Within this block SQLite transactions begin DEFERRED or IMMEDIATE (no effect on PostgreSQL).
    DEFERRED is for work that never writes, or that runs with no competing writer."""
    if mode not in ("DEFERRED", "IMMEDIATE"):
        raise ValueError(mode)
    token = _sqlite_begin.set(mode)
    try:
        yield
    finally:
        _sqlite_begin.reset(token)


def string_enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    """An enum column stored as its values in a plain string column (no database enum type to
    migrate when a member is added); Python still refuses unknown values."""
    return Enum(cls, native_enum=False, validate_strings=True, length=length,
                values_callable=lambda members: [m.value for m in members])


def chunked(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    """`ids` in slices for `IN (...)` lists: SQLite limits bound parameters per statement, and very
    long lists plan badly on PostgreSQL."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def insert_for(session: Session):
    """The `insert` construct of the session's backend, which (unlike the generic one) offers
    INSERT ... ON CONFLICT: PostgreSQL's or SQLite's."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling defers BEGIN past the first read; take it over so
        # every transaction starts with BEGIN IMMEDIATE and writers queue instead of deadlocking.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(f"BEGIN {_sqlite_begin.get()}")


def ours(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's `include_name`: the schema objects our models describe. Procrastinate's tables (its own
    schema, applied by migration 0024 on PostgreSQL) are left to Procrastinate."""
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


def make_session_factory(engine: Engine, *, task_queue: str = "database") -> sessionmaker:
    """`task_queue`: where the sessions' background work goes (core.background): "database" (the
    embedded queue) or "procrastinate"."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True, info={"task_queue": task_queue})


def utcnow() -> datetime:
    return datetime.now(UTC)
