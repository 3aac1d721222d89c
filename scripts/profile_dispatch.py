"""CPU and SQL statements per live dispatch, in one process, on a copy of the demo city (SQLite by
default, or a throw-away PostgreSQL database).

Wall-clock time on a shared machine is noise; the CPU time of this process and the statements it
sends are not. The demo city is loaded once at a fixed Monday morning; then `--jobs` new faults are
reported on appliances with no open job, and each is dispatched in its own transaction, as the
worker does (cli.worker's handler, which calls dispatch.planning.assignment.dispatch_job). Printed: CPU ms per dispatch (fastest
batch and median), statements per dispatch, how many jobs each dispatch placed (the new one and
those whose route moved), and optionally the statements and a profile.

    .venv/bin/python scripts/profile_dispatch.py [--jobs 120] [--sql] [--profile] [--postgres]
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# A Monday, 09:00 in Suzhou: every weekday shift has begun.
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def _models() -> None:
    """Every model a dispatch touches, and the subscribers that tell the customer of each plan."""
    for module in ("care.models", "care.subscriptions", "core.work_queue", "dispatch.parts.subscriptions",
                   "dispatch.planning.models", "dispatch.quotes.models", "fieldwork.models", "inventory.models"):
        importlib.import_module(module)


def _prepare(url: str) -> None:
    from core.db import make_engine, make_session_factory
    from core.migrate import upgrade
    from demo.world import load_demo

    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_demo(session, today=NOW.astimezone(TZ).date(), seed=7, now=NOW, tz=TZ)
        session.commit()
    engine.dispose()


def _report_new_faults(session_factory, count: int) -> list[str]:
    """Job numbers of `count` new faults on appliances without an open job, spread over the regions."""
    from sqlalchemy import select

    from dispatch.catalog.models import Asset
    from dispatch.intake.services import FaultReport, report_fault
    from dispatch.jobs.audit import CUSTOMER
    from dispatch.jobs.models import JOB_IS_OPEN, Channel, Job

    with session_factory() as session:
        busy = set(session.scalars(select(Job.asset_id).where(JOB_IS_OPEN)))
        assets = [a for a in session.scalars(select(Asset).order_by(Asset.id)) if a.id not in busy][:count]
        numbers = [report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                                report=FaultReport(channel=Channel.QR, fault_text="It stopped working, no power",
                                                   contact_name=asset.customer.name,
                                                   contact_phone=asset.customer.phone)).job.number
                   for asset in assets]
        session.commit()
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--jobs", type=int, default=120, help="new jobs dispatched, one transaction each")
    parser.add_argument("--batches", type=int, default=6, help="measure in this many batches; print the fastest")
    parser.add_argument("--sql", action="store_true", help="print the statements per dispatch")
    parser.add_argument("--trace", action="store_true", help="print the statements of the last dispatch in order")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the dispatches")
    parser.add_argument("--top", type=int, default=40, help="profile lines to print")
    parser.add_argument("--dump", help="also save that profile to this file")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL database instead of SQLite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="an existing PostgreSQL database to connect to for CREATE/DROP DATABASE")
    args = parser.parse_args(argv)
    _models()

    from sqlalchemy import create_engine, event, select, text
    from sqlalchemy.engine import make_url

    from cli.tasks import QueuedWork
    from cli.worker import work_handlers
    from core.db import make_engine, make_session_factory
    from core.settings import Settings
    from dispatch.jobs.models import Job
    from dispatch.jobs.work import DISPATCH_JOB
    from dispatch.planning import assignment, services

    folder = Path(tempfile.mkdtemp(prefix="aftercare_dispatch_"))
    admin = name = None
    if args.postgres:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        name = f"aftercare_profile_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'aftercare.db'}"
    try:
        _prepare(url)
        engine = make_engine(url)
        # As in production: on PostgreSQL, follow-up work (each message's delivery) is a Procrastinate job.
        factory = make_session_factory(engine, task_queue="procrastinate" if args.postgres else "database")
        numbers = _report_new_faults(factory, args.jobs)
        # The worker's own handler: it reads the job as the worker does, then calls dispatch_job.
        dispatch = work_handlers(Settings(database_url=url, timezone=str(TZ),
                                          task_queue="procrastinate" if args.postgres else "database"))[DISPATCH_JOB]

        statements: Counter = Counter()
        last: list[str] = []

        @event.listens_for(engine, "before_cursor_execute")
        def _count(_conn, _cursor, statement, *_rest):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                statements[" ".join(statement.split())[:120]] += 1
                last.append(" ".join(statement.split())[:200])

        placements = [0]
        # Jobs written per dispatch: the new one and those of its route whose place or time changed.
        module, name = (services, "_place") if hasattr(services, "_place") else (assignment, "place_job")
        place = getattr(module, name)

        def counted_place(*a, **k):
            placements[0] += 1
            return place(*a, **k)

        setattr(module, name, counted_place)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        batch = max(1, len(numbers) // args.batches)
        cpu_per_batch = []
        for start in range(0, len(numbers), batch):
            chunk = numbers[start:start + batch]
            cpu0 = time.process_time()
            if profiler:
                profiler.enable()
            for number in chunk:
                last.clear()
                with factory() as session:
                    dispatch(session, QueuedWork({"job": number}, kind=DISPATCH_JOB), NOW)
                    session.commit()
            if profiler:
                profiler.disable()
            cpu_per_batch.append((time.process_time() - cpu0) / len(chunk))
        n = len(numbers)
        with factory() as session:
            outcomes = Counter(state.value for state in session.scalars(
                select(Job.dispatch_state).where(Job.number.in_(numbers))))
        print(f"{'backend':<10} {'dispatches':>10} {'CPU ms min':>10} {'CPU median':>10} {'SQL/dispatch':>12} "
              f"{'placed/dispatch':>15}  outcomes")
        print(f"{engine.dialect.name:<10} {n:>10} {min(cpu_per_batch) * 1000:>10.2f} "
              f"{statistics.median(cpu_per_batch) * 1000:>10.2f} {sum(statements.values()) / n:>12.2f} "
              f"{placements[0] / n:>15.2f}  {dict(outcomes)}")
        if args.sql:
            for statement, count in statements.most_common():
                print(f"    {count / n:6.2f}  {statement}")
        if args.trace:
            for statement in last:
                print(f"    {statement}")
        if profiler:
            stats = pstats.Stats(profiler)
            if args.dump:
                stats.dump_stats(args.dump)
            stats.sort_stats("cumulative").print_stats(args.top)
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
