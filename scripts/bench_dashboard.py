"""Dashboard benchmark: the dashboard counted in SQL (care.dashboard) against the Python version it
replaced (tests/care/dashboard_reference.py), on the same history.

A throw-away SQLite file (and, with --postgresql, a throw-away database on that server) is filled
with --jobs jobs by tests/builders/dashboard.py (regions, technicians, models, pauses, answers, parts),
spread so that most fall in a period of --days days. Each version builds that period's dashboard
--repeat times in a fresh session; the table shows the best wall-clock time, then the peak of Python's
own memory (tracemalloc, a separate run, since tracing slows the code it watches) and the number of SQL
statements. The two versions must agree on the numbers, or the script says so and fails. Run by hand,
not a test:

    .venv/bin/python scripts/bench_dashboard.py [--jobs 20000] [--seed 1] [--postgresql URL]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# First, before this folder (which has a tests/ of its own): the builders come from the project's tests.
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

import care.models  # noqa: F401  (every table known to the session)
from care.dashboard import build_dashboard
from core.db import make_engine, make_session_factory
from core.migrate import upgrade
from tests.builders.dashboard import as_reference, build_dashboard_world, comparable
from tests.care import dashboard_reference

VERSIONS = {"old": dashboard_reference.build_dashboard, "new": build_dashboard}


def _measure(factory, world, version: str, repeat: int) -> tuple[float, float, int, dict]:
    """(best ms, peak MiB, statements, numbers) of one version."""
    build = VERSIONS[version]
    asked = {"start": world.start, "end": world.end, "tz": world.tz, "now": world.now}
    best = float("inf")
    for _ in range(repeat):
        with factory() as session:
            began = time.perf_counter()
            board = build(session, **asked)
            best = min(best, time.perf_counter() - began)
    with factory() as session:
        statements = []
        engine = session.get_bind()

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        tracemalloc.start()
        try:
            board = build(session, **asked)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            event.remove(engine, "before_cursor_execute", count)
    return best * 1000, peak / 2**20, len(statements), comparable(board)


def _fill(url: str, *, jobs: int, seed: int, days: int):
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        world = build_dashboard_world(session, jobs=jobs, seed=seed, start=date(2026, 1, 1), days=days)
        session.commit()
    # The planner's statistics, as autovacuum keeps them on a live database; SQLite plans without any.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return engine, factory, world


def _run(backend: str, url: str, args, rows: list) -> bool:
    began = time.perf_counter()
    engine, factory, world = _fill(url, jobs=args.jobs, seed=args.seed, days=args.days)
    print(f"# {backend}: {args.jobs} jobs written in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    try:
        results = {version: _measure(factory, world, version, args.repeat) for version in VERSIONS}
    finally:
        engine.dispose()
    same = as_reference(results["new"][3], results["old"][3]) == results["old"][3]
    rows.append((backend, args.jobs, *results["old"][:3], *results["new"][:3], "yes" if same else "NO"))
    return same


def _postgres_database(server_url: str) -> tuple[str, object]:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"aftercare_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False), admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20000, help="jobs in the history (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=366, help="the period's length in days (at most 366)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per version; the best is shown")
    parser.add_argument("--postgresql", metavar="URL",
                        help="also on this PostgreSQL server (a throw-away database is created on it and dropped)")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 366 or args.jobs < 1 or args.repeat < 1:
        parser.error("--days must be 1 to 366, --jobs and --repeat at least 1")
    rows: list[tuple] = []
    agree = True
    with tempfile.TemporaryDirectory() as folder:
        agree &= _run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args, rows)
    if args.postgresql:
        url, admin = _postgres_database(args.postgresql)
        try:
            agree &= _run("postgresql", url, args, rows)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()
    print(f"{'backend':<11}{'jobs':>7}{'old ms':>10}{'old MiB':>9}{'old SQL':>9}"
          f"{'new ms':>10}{'new MiB':>9}{'new SQL':>9}  same")
    for backend, jobs, old_ms, old_mib, old_sql, new_ms, new_mib, new_sql, same in rows:
        print(f"{backend:<11}{jobs:>7}{old_ms:>10.0f}{old_mib:>9.1f}{old_sql:>9}"
              f"{new_ms:>10.0f}{new_mib:>9.1f}{new_sql:>9}  {same}")
    if not agree:
        print("the two versions disagree: see tests/care/test_dashboard_sql.py", file=sys.stderr)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
