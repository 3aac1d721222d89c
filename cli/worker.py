"""The scheduler process: runs queued work (dispatch, plans, survey callbacks, outgoing messages) every
second and periodic tasks (re-optimisation, restock, the SLA watch every minute) under APScheduler,
never inside web workers. Several can run at once: work items are claimed in the database."""
from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care.scheduled import care_handlers, sla_watch_task
from cli.retention import prune
from core.clock import Clock, SystemClock
from core.geo import provider_for_region
from core.regions import Region
from core.settings import Settings
from core.work_queue import DEFAULT_LEASE, WorkItem, enqueue, run_due_items
from dispatch.jobs.errors import JobNotFound
from dispatch.jobs.work import DISPATCH_JOB, PLAN_REGION
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.errors import PlanStale
from dispatch.planning.models import PlanRun, PlanStatus
from dispatch.planning.read import job_to_dispatch
from dispatch.planning.services import request_plan, run_plan
from inventory.restock import run_restock

RESTOCK = "stock.restock"

log = logging.getLogger("aftercare.scheduler")


def work_handlers(settings: Settings, *, message_lease: timedelta = DEFAULT_LEASE):
    """`message_lease`: how long a message being sent stays its worker's before another may send it
    again (care.scheduled.care_handlers)."""
    tz = ZoneInfo(settings.timezone)

    def dispatch(session: Session, item: WorkItem, now: datetime) -> None:
        try:
            job = job_to_dispatch(session, item.payload["job"])
        except JobNotFound:
            return  # nothing to do for a job that no longer exists
        region = job.asset.region
        if region is None:
            return
        outcome = dispatch_job(session, job=job, now=now, tz=tz,
                               provider=provider_for_region(region, osrm_url=settings.osrm_url))
        log.info("dispatch %s: %s", job.number, "planned" if outcome.planned else outcome.reason)

    def plan(session: Session, item: WorkItem, now: datetime) -> None:
        plan_run = session.get(PlanRun, item.payload["plan_id"])
        # A plan left running was being solved by a worker that died: its item came back, so solve again.
        if plan_run is None or plan_run.status not in (PlanStatus.QUEUED, PlanStatus.RUNNING):
            return
        try:
            run_plan(session, plan=plan_run, now=now, tz=tz,
                     provider=provider_for_region(plan_run.region, osrm_url=settings.osrm_url))
        except PlanStale as stale:
            log.info("plan %s not applied: %s", plan_run.id, stale)  # status already set to stale

    def restock(session: Session, item: WorkItem, now: datetime) -> None:
        restock_now(session, now=now, settings=settings)

    return {DISPATCH_JOB: dispatch, PLAN_REGION: plan, RESTOCK: restock,
            **care_handlers(settings, lease=message_lease)}


def request_restock(session: Session, *, now: datetime) -> WorkItem | None:
    """Queue a replenishment run unless one is already waiting (several schedulers tick on their own;
    one run per tick is enough, and the rules are locked inside it anyway)."""
    waiting = session.scalar(select(WorkItem.id).where(WorkItem.kind == RESTOCK, WorkItem.done_at.is_(None),
                                                       WorkItem.failed_at.is_(None)).limit(1))
    return None if waiting else enqueue(session, kind=RESTOCK, payload={}, now=now)


def restock_now(session: Session, *, now: datetime, settings: Settings):
    summary = run_restock(session, now=now, actor="scheduler", approval_limit=settings.purchase_approval_limit)
    log.info("restock: %s %s", summary, ", ".join(summary.created))
    return summary


def process_queue(session_factory: sessionmaker, settings: Settings, clock: Clock, worker: str) -> int:
    return run_due_items(session_factory, handlers=work_handlers(settings), worker=worker, now=clock.now)


def reoptimise_all_regions(session: Session, *, now: datetime, tz: ZoneInfo, time_limit_s: float = 10.0) -> int:
    """Ask for a re-optimisation of today in every region, applied when done (if nothing moved meanwhile)."""
    regions = list(session.scalars(select(Region).order_by(Region.id)))
    for region in regions:
        request_plan(session, region=region, day=now.astimezone(tz).date(), time_limit_s=time_limit_s,
                     apply_when_done=True, requested_by="scheduler", now=now)
    return len(regions)


def run(settings: Settings, *, reoptimise_every_minutes: int = 30, restock_every_minutes: int = 15) -> None:
    from core.db import make_engine, make_session_factory

    session_factory = make_session_factory(make_engine(settings.database_url), task_queue=settings.task_queue)
    clock, tz = SystemClock(), ZoneInfo(settings.timezone)
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def periodic_reoptimisation() -> None:
        with session_factory() as session:
            count = reoptimise_all_regions(session, now=clock.now(), tz=tz)
            session.commit()
        log.info("requested re-optimisation of %d regions", count)

    def periodic_restock() -> None:
        with session_factory() as session:
            request_restock(session, now=clock.now())
            session.commit()

    def periodic_prune() -> None:
        removed = prune(session_factory, now=clock.now())
        if any(removed.values()):
            log.info("pruned %s", removed)

    def periodic_sla_watch() -> None:
        with session_factory() as session:
            summary = sla_watch_task(session, now=clock.now(), settings=settings)
            session.commit()
        if summary.warned or summary.breached:
            log.info("sla watch: %s", summary)

    # Built once: the tick runs every second, and the handlers hold the notifiers made from the settings.
    handlers = work_handlers(settings)

    def work_queue_tick() -> None:
        run_due_items(session_factory, handlers=handlers, worker=worker, now=clock.now)

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(work_queue_tick, "interval", seconds=1, max_instances=1, coalesce=True, id="work-queue")
    scheduler.add_job(periodic_reoptimisation, "interval", minutes=reoptimise_every_minutes, max_instances=1,
                      coalesce=True, id="reoptimise")
    # Replenishment also runs at start-up, so stock below minimum is acted on without waiting a period.
    scheduler.add_job(periodic_restock, "interval", minutes=restock_every_minutes, max_instances=1, coalesce=True,
                      id="restock", next_run_time=datetime.now(UTC))
    scheduler.add_job(periodic_sla_watch, "interval", minutes=1, max_instances=1, coalesce=True, id="sla-watch")
    scheduler.add_job(periodic_prune, "interval", hours=6, max_instances=1, coalesce=True, id="prune")
    log.info("scheduler %s started", worker)
    scheduler.start()
