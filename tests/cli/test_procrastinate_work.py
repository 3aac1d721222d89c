"""Background work on Procrastinate (PostgreSQL): a job is deferred in the transaction of the change that
causes it, workers run the same task functions as the embedded scheduler, periodic work is deferred once
per tick whatever the number of workers, and a worker killed mid-job has its job retried by another."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from care.models import OutboxMessage
from cli.tasks import run_worker as run_procrastinate_worker
from cli.tasks import worker_app
from core.clock import FixedClock
from core.db import make_session_factory
from core.settings import PROJECT_ROOT, Settings
from core.work_queue import DEFAULT_LEASE
from dispatch.jobs.models import DispatchState, EventKind, Job, JobEvent
from dispatch.planning.models import PlanRun, PlanStatus
from dispatch.planning.services import request_plan
from tests.builders.care import make_open_job
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

SOLVE_SECONDS = 6


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("Procrastinate is the PostgreSQL engine of background work; SQLite runs the embedded queue")
    return database_url


@pytest.fixture
def queued(postgres_url, engine):
    """A session whose background work goes to Procrastinate, on an empty Procrastinate queue."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM procrastinate_periodic_defers; DELETE FROM procrastinate_events; "
                                "DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_workers"))
    with make_session_factory(engine, task_queue="procrastinate")() as session:
        yield session


def _jobs(session, **where) -> list[dict]:
    session.commit()  # a fresh snapshot: the workers write in their own transactions
    rows = session.execute(text("SELECT task_name, queue_name, status::text AS status, args, lock, attempts "
                                "FROM procrastinate_jobs ORDER BY id")).mappings().all()
    return [dict(row) for row in rows if all(row[k] == v for k, v in where.items())]


def _settings(url: str) -> Settings:
    return Settings(database_url=url, task_queue="procrastinate", secret_key="x" * 40, webhook_secret="y" * 40)


def test_a_report_s_dispatch_is_deferred_with_it_or_not_at_all(queued):
    asset = make_asset(queued, region=make_region(queued))
    make_open_job(queued, asset=asset, owner=None, now=NOW)
    queued.rollback()
    assert _jobs(queued) == [] and queued.scalar(select(func.count()).select_from(Job)) == 0

    asset = make_asset(queued, region=make_region(queued))
    job = make_open_job(queued, asset=asset, owner=None, now=NOW)
    queued.commit()
    assert [(j["task_name"], j["queue_name"], j["args"]) for j in _jobs(queued, task_name="dispatch_job")] == [
        ("dispatch_job", "dispatch", {"payload": {"job": job.number}})]
    assert _jobs(queued, queue_name="messages")  # the customer's "report received"


def test_a_pool_takes_dispatch_before_the_messages_queued_ahead_of_it(queued):
    """A report queues its dispatch and its customer's message; the next report's dispatch still goes
    before the first one's message: the order a pool serving both takes them in."""
    region = make_region(queued)
    for _ in range(2):
        make_open_job(queued, asset=make_asset(queued, region=region), owner=None, now=NOW)
        queued.commit()
    order = queued.execute(text("SELECT queue_name FROM procrastinate_jobs WHERE status = 'todo' "
                                "ORDER BY priority DESC, id ASC")).scalars().all()
    assert order[:2] == ["dispatch", "dispatch"] and set(order[2:]) == {"messages"}


def test_a_worker_plans_the_reported_job_and_delivers_its_messages(queued, postgres_url):
    region = make_region(queued)
    make_technician(queued, region=region)
    job = make_open_job(queued, asset=make_asset(queued, region=region), owner=None, now=NOW)
    queued.commit()
    # Until the queues are empty: a job's follow-up work (the "technician assigned" message) comes after it.
    while [j for j in _jobs(queued) if j["queue_name"] in ("dispatch", "messages") and j["status"] == "todo"]:
        run_procrastinate_worker(_settings(postgres_url), queues=["dispatch", "messages"], concurrency=2,
                                 wait=False, clock=FixedClock(NOW))
    queued.expire_all()
    assert queued.get(Job, job.id).dispatch_state == DispatchState.PLANNED
    served = [j for j in _jobs(queued) if j["queue_name"] in ("dispatch", "messages")]
    assert {j["status"] for j in served} == {"succeeded"} and len(served) == 3
    # Messages without a configured channel end undeliverable, each attempted once.
    assert queued.scalar(select(func.count()).select_from(OutboxMessage)) >= 2


def test_plans_of_a_region_share_a_lock_and_only_one_waits(queued):
    region = make_region(queued)
    day = NOW.date()
    first = request_plan(queued, region=region, day=day, time_limit_s=1, apply_when_done=True, requested_by="t",
                         now=NOW)
    again = request_plan(queued, region=region, day=day, time_limit_s=1, apply_when_done=True, requested_by="t",
                         now=NOW)
    queued.commit()
    assert again.id == first.id
    [plan] = _jobs(queued, task_name="plan_region")
    assert plan["queue_name"] == "routing" and plan["lock"] == f"region-{region.id}"


def test_periodic_work_is_deferred_once_per_tick_whatever_the_number_of_workers(queued, postgres_url):
    async def three_workers_for_a_while() -> None:
        apps = [worker_app(_settings(postgres_url)) for _ in range(3)]
        async with contextlib.AsyncExitStack() as stack:
            for app in apps:
                await stack.enter_async_context(app.open_async())
            # They serve no queue: only their periodic deferrers are at work.
            workers = [asyncio.create_task(app.run_worker_async(queues=["none"], install_signal_handlers=False))
                       for app in apps]
            await asyncio.sleep(7)
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    asyncio.run(three_workers_for_a_while())
    ticks = Counter((j["task_name"], j["args"]["timestamp"]) for j in _jobs(queued) if j["queue_name"] == "periodic")
    assert ticks and set(ticks.values()) == {1}
    # The minute's SLA sweep and the stalled-job check every 5 s are due at any hour the test runs.
    assert {name for name, _ in ticks} >= {"periodic.sla-watch", "periodic.retry_stalled_jobs"}


def test_a_worker_killed_mid_solve_has_its_plan_solved_by_another(queued, postgres_url):
    region = make_region(queued)
    for _ in range(3):
        make_technician(queued, region=region)
    now = datetime.now(UTC)
    for _ in range(6):
        make_open_job(queued, asset=make_asset(queued, region=region), owner=None, now=now)
    # Tomorrow: a whole working day to plan, whatever the hour the test runs at.
    plan = request_plan(queued, region=region, day=now.date() + timedelta(days=1), time_limit_s=SOLVE_SECONDS,
                        apply_when_done=False, requested_by="t", now=now)
    queued.commit()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "AFTERCARE_DATABASE_URL": postgres_url,
           "AFTERCARE_TASK_QUEUE": "procrastinate", "AFTERCARE_SECRET_KEY": "x" * 40,
           "AFTERCARE_WEBHOOK_SECRET": "y" * 40}
    command = [os.path.join(os.path.dirname(sys.executable), "aftercare"), "worker"]
    doomed = subprocess.Popen(command + ["--queues", "routing", "--name", "doomed"], cwd=PROJECT_ROOT, env=env)
    try:
        _wait_for(lambda: _jobs(queued, task_name="plan_region", status="doing"), timeout=30)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        survivor = subprocess.Popen(command + ["--queues", "routing,periodic", "--name", "survivor"],
                                    cwd=PROJECT_ROOT, env=env)
        try:
            _wait_for(lambda: _plan_status(queued, plan.id) == PlanStatus.DONE, timeout=90)
        finally:
            survivor.terminate()
            survivor.wait(timeout=30)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    # Only this plan's job (the clock's own re-plan of every region may fall inside the test, too).
    [job] = [j for j in _jobs(queued, task_name="plan_region") if j["args"]["payload"]["plan_id"] == plan.id]
    assert job["status"] == "succeeded" and job["attempts"] >= 1


def _plan_status(session, plan_id: int) -> PlanStatus:
    session.commit()
    return session.scalar(select(PlanRun.status).where(PlanRun.id == plan_id))


def _wait_for(condition, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout} s")


def test_both_runners_run_the_same_task_functions(postgres_url):
    from cli.worker import work_handlers

    settings = _settings(postgres_url)
    registered = set(worker_app(settings).tasks)
    assert set(work_handlers(settings)) <= registered


def test_two_workers_racing_for_the_same_jobs_run_each_once(queued, postgres_url):
    region = make_region(queued)
    for _ in range(4):
        make_technician(queued, region=region)
    jobs = [make_open_job(queued, asset=make_asset(queued, region=region), owner=None, now=NOW) for _ in range(12)]
    queued.commit()

    async def two_workers() -> None:
        apps = [worker_app(_settings(postgres_url), clock=FixedClock(NOW)) for _ in range(2)]
        async with contextlib.AsyncExitStack() as stack:
            for app in apps:
                await stack.enter_async_context(app.open_async())
            await asyncio.gather(*(app.run_worker_async(queues=["dispatch"], wait=False, concurrency=3,
                                                        install_signal_handlers=False) for app in apps))

    asyncio.run(two_workers())
    dispatched = _jobs(queued, task_name="dispatch_job")
    assert len(dispatched) == len(jobs) and all(j["status"] == "succeeded" and j["attempts"] == 1
                                                for j in dispatched)
    placed = Counter(queued.scalars(select(JobEvent.job_id).where(JobEvent.kind == EventKind.PLANNED,
                                                                 JobEvent.note_code == "live_insertion")))
    assert sorted(placed) == sorted(j.id for j in jobs) and set(placed.values()) == {1}


def test_a_message_being_sent_stays_its_worker_s_for_a_minute_not_the_embedded_queue_s_lease(monkeypatch,
                                                                                           postgres_url):
    """A killed worker's job is retried within seconds; the message it was sending must not then wait
    for the embedded queue's long lease before it goes again."""
    import cli.worker

    seen = {}
    real = cli.worker.work_handlers

    def watching(settings, **options):
        seen.update(options)
        return real(settings, **options)

    monkeypatch.setattr(cli.worker, "work_handlers", watching)
    worker_app(_settings(postgres_url))
    assert seen["message_lease"] == timedelta(minutes=1) < DEFAULT_LEASE
