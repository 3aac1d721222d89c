"""Background work behind one call, whichever engine runs it: `defer(session, kind=..., queue=...)`.

Two engines, one interface, so domain code never knows which runs:
- "database" (the embedded default, SQLite): a `work_items` row (core.work_queue) that the one
  scheduler process runs with the same handlers.
- "procrastinate" (PostgreSQL in production): a Procrastinate job, deferred on the session's own
  connection, so it commits or rolls back with the change that caused it: there is never a job without
  its change nor a change without its job. Workers (`aftercare worker`) take jobs by queue.

The engine is chosen where the session factory is made (core.db.make_session_factory's `task_queue`),
not in a global, so two apps in one process (tests) never share it.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from core import work_queue

# The queues by kind of work: each is served by its own pool of workers.
DISPATCH = "dispatch"  # latency-bound: a new job waits for it
ROUTING = "routing"  # CPU-bound: one solve per core, one at a time per region
MESSAGES = "messages"  # I/O-bound: outbox delivery, surveys
PERIODIC = "periodic"  # re-plans, the SLA sweep, restock, retention: once per tick
QUEUES = (DISPATCH, ROUTING, MESSAGES, PERIODIC)
# A pool serving several queues takes the highest first: a new job's dispatch is what a customer waits
# for, and each dispatch queues messages of its own that would otherwise go before the next dispatch.
PRIORITY = {DISPATCH: 20, PERIODIC: 10, ROUTING: 0, MESSAGES: 0}

DATABASE, PROCRASTINATE = "database", "procrastinate"
ENGINES = (DATABASE, PROCRASTINATE)


def engine_of(session: Session) -> str:
    return session.info.get("task_queue", DATABASE)


def defer(session: Session, *, kind: str, queue: str, payload: dict[str, Any], now: datetime,
          due_at: datetime | None = None, lock: str | None = None) -> None:
    """Queue `kind` with `payload` in the session's transaction. `lock`: jobs sharing it never run at
    the same time (Procrastinate's lock; the embedded engine runs one item at a time anyway)."""
    if engine_of(session) == PROCRASTINATE:
        connection = session.connection().connection.driver_connection
        task = procrastinate_app(session.get_bind().url.render_as_string(hide_password=False)).configure_task(
            name=kind, queue=queue, lock=lock, schedule_at=due_at if due_at and due_at > now else None,
            priority=PRIORITY.get(queue, 0), connection=connection)
        task.defer(payload=payload)
        return
    work_queue.enqueue(session, kind=kind, payload=payload, now=now, due_at=due_at)


def conninfo(database_url: str) -> str:
    """libpq's form of a SQLAlchemy URL (postgresql+psycopg://... -> postgresql://...)."""
    scheme, rest = database_url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


@lru_cache(maxsize=8)
def procrastinate_app(database_url: str):
    """The Procrastinate app of a database; its tasks are registered by the worker (cli.tasks). Deferring
    by name needs no registration: a web process only writes jobs."""
    from procrastinate import App, PsycopgConnector

    return App(connector=PsycopgConnector(conninfo=conninfo(database_url)))
