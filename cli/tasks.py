"""Background work on Procrastinate (PostgreSQL): the same task functions the embedded scheduler runs,
registered as Procrastinate tasks, plus the periodic work, for `aftercare worker` pools.

- Every kind of queued work (cli.worker.work_handlers) is a task of that name taking `payload`; it runs
  in its own session and transaction, and its follow-up work is deferred on that transaction.
- Periodic work (re-plans of every region, the SLA sweep, restock, retention) is deferred by
  Procrastinate's periodic deferrer, which every worker runs and the database deduplicates: it happens
  once per tick whatever the number of workers.
- A worker killed mid-job stops sending its heartbeat; `retry_stalled_jobs` gives its jobs back to the
  queue within seconds, and every task is idempotent, so the retry does no harm.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy

from care.scheduled import sla_watch_task
from cli.retention import prune
from core.background import PERIODIC, conninfo
from core.clock import Clock, SystemClock
from core.db import make_engine, make_session_factory
from core.settings import Settings
from core.work_queue import MAX_ATTEMPTS

log = logging.getLogger("aftercare.worker")

# A worker whose heartbeat is this old is gone: its jobs go back to the queue.
HEARTBEAT_SECONDS = 2.0
STALLED_AFTER_SECONDS = 10.0
# Finished jobs are kept this long to be read, then removed.
KEEP_FINISHED_HOURS = 14 * 24
# A message being sent is its worker's for this long. Every step of a send gives up after its notifier's
# timeout, so a live send is over well before; a killed worker's message goes out again (under the same
# id) within this, not after the embedded queue's long item lease.
MESSAGE_LEASE = timedelta(minutes=1)


@dataclass(frozen=True)
class QueuedWork:
    """What a handler reads of its work: the same shape as core.work_queue.WorkItem."""

    payload: dict[str, Any]
    attempts: int = 1
    kind: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def worker_app(settings: Settings, *, clock: Clock | None = None,
               reoptimise_every_minutes: int = 30, restock_every_minutes: int = 15) -> App:
    """The database's Procrastinate app with every task and periodic task of this product registered."""
    from cli.worker import reoptimise_all_regions, restock_now, work_handlers

    # A fresh app per worker (web processes only defer, by task name, through core.background's).
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url)))
    clock = clock or SystemClock()
    tz = ZoneInfo(settings.timezone)
    session_factory = make_session_factory(make_engine(settings.database_url), task_queue="procrastinate")
    retry = RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=5)

    def run_in_session(work: Callable) -> Any:
        with session_factory() as session:
            result = work(session, clock.now())
            session.commit()
            return result

    for kind, handler in work_handlers(settings, message_lease=MESSAGE_LEASE).items():
        def run(context: JobContext, payload: dict[str, Any], *, _kind: str = kind, _handler=handler) -> None:
            attempts = (context.job.attempts or 0) + 1 if context.job else 1
            run_in_session(lambda session, now: _handler(session, QueuedWork(payload, attempts, _kind), now))

        app.task(name=kind, pass_context=True, retry=retry)(run)

    def periodic(name: str, cron: str, work: Callable[[Any, datetime], Any]) -> None:
        def tick(timestamp: int) -> None:
            result = run_in_session(work)
            log.info("%s: %s", name, result)

        app.periodic(cron=cron, periodic_id=name)(app.task(name=f"periodic.{name}", queue=PERIODIC)(tick))

    periodic("reoptimise", f"*/{reoptimise_every_minutes} * * * *",
             lambda session, now: reoptimise_all_regions(session, now=now, tz=tz))
    periodic("restock", f"*/{restock_every_minutes} * * * *",
             lambda session, now: restock_now(session, now=now, settings=settings))
    periodic("sla-watch", "* * * * *", lambda session, now: sla_watch_task(session, now=now, settings=settings))

    @app.periodic(cron="0 */6 * * *", periodic_id="prune")
    @app.task(name="periodic.prune", queue=PERIODIC)
    def prune_tables(timestamp: int) -> None:
        log.info("pruned %s", prune(session_factory, now=clock.now()))

    @app.periodic(cron="* * * * * */5", periodic_id="retry-stalled")  # every 5 seconds
    @app.task(name="periodic.retry_stalled_jobs", queue=PERIODIC, queueing_lock="retry_stalled_jobs",
              pass_context=True)
    async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
        for job in await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS):
            log.warning("job %s (%s) of a stalled worker goes back to the queue", job.id, job.task_name)
            await context.app.job_manager.retry_job(job)

    @app.periodic(cron="17 3 * * *", periodic_id="remove-old-jobs")
    @app.task(name="periodic.remove_old_jobs", queue=PERIODIC, pass_context=True)
    async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
        await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_FINISHED_HOURS)

    return app


def run_worker(settings: Settings, *, queues: list[str] | None, concurrency: int, name: str | None = None,
               wait: bool = True, clock: Clock | None = None) -> None:
    """Serve `queues` (None: all) with `concurrency` jobs at a time until stopped (or, with wait=False,
    until the queues are empty)."""
    app = worker_app(settings, clock=clock)
    with app.open():
        app.run_worker(queues=queues, concurrency=concurrency, name=name, wait=wait,
                       update_heartbeat_interval=HEARTBEAT_SECONDS, stalled_worker_timeout=STALLED_AFTER_SECONDS,
                       install_signal_handlers=wait)
