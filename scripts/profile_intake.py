"""Per-request cost of the public report endpoint against the bench's bare insert, in one process.

Wall-clock benchmarks on a shared two-core machine are noisy; Python calls and SQL round trips per
request are not, and CPU time much less so. This drives the endpoints through Flask's test client
(no HTTP server, no gunicorn) against a throw-away PostgreSQL database loaded with the demo city, and
prints per request: the application's CPU (fastest batch and median), PostgreSQL's CPU, Python
function calls and SQL statements; optionally the statements and a profile. Three endpoints: the
bench's bare insert, a report that opens a new job, and a report that joins the appliance's open job
(the benchmark's steady state once every demo appliance has been reported once).

    .venv/bin/python scripts/profile_intake.py [--requests 800] [--sql] [--profile intake-join]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import bench_intake  # noqa: E402


def _count_statements(engine, counter: Counter) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _params, _context, _executemany):
        counter[" ".join(statement.split())[:110]] += 1


def _postgres_cpu_seconds(engine) -> Callable[[], float]:
    """CPU time so far of the server process behind the app's (only, reused) pooled connection."""
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return read


def _drive(client, path: str, bodies: list[bytes]) -> list[int]:
    statuses = []
    for body in bodies:
        response = client.post(path, data=body, headers={"Content-Type": "application/json"})
        statuses.append(response.status_code)
    return statuses


def _body(path: str, rng: random.Random, token: str) -> bytes:
    return bench_intake._body_for(path, rng, [token], [], 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--requests", type=int, default=800, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=50, help="uncounted requests per endpoint first")
    parser.add_argument("--batches", type=int, default=8, help="measure in this many batches; print the fastest")
    parser.add_argument("--assets", type=int, default=1200,
                        help="demo appliances to load (more than requests + warm-up: new jobs need unreported ones)")
    parser.add_argument("--profile", choices=["intake-new", "intake-join", "bare"],
                        help="print a cProfile of this endpoint")
    parser.add_argument("--top", type=int, default=35, help="profile lines to print")
    parser.add_argument("--dump", help="also save that profile to this file (for pstats, snakeviz, ...)")
    parser.add_argument("--counted", type=int, default=100,
                        help="further requests per endpoint run under cProfile to count Python calls")
    parser.add_argument("--sql", action="store_true", help="print the statements of each endpoint")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="an existing database to connect to for CREATE/DROP DATABASE")
    args = parser.parse_args(argv)

    from sqlalchemy.engine import make_url

    admin = make_url(args.pg_url)
    bench_args = argparse.Namespace(pg_host=admin.host, pg_port=admin.port or 5432, pg_user=admin.username,
                                    pg_admin_db=admin.database)
    name = f"aftercare_profile_{secrets.token_hex(4)}"
    url = admin.set(database=name).render_as_string(hide_password=False)
    bench_intake.create_database(bench_args, name)
    try:
        tokens, _facts = bench_intake.prepare_database(url, args.assets)
        os.environ.update({"AFTERCARE_DATABASE_URL": url, "AFTERCARE_REPORT_RATE_LIMIT": bench_intake.HUGE_RATE_LIMIT,
                           "AFTERCARE_SECRET_KEY": secrets.token_hex(32)})
        app = bench_intake.bench_app()
        client = app.test_client()
        counter: Counter = Counter()
        _count_statements(app.extensions["aftercare_engine"], counter)
        # Requests run one at a time, so the pool keeps reusing one connection: one server process.
        postgres_cpu = _postgres_cpu_seconds(app.extensions["aftercare_engine"])
        rng = random.Random(7)
        # New jobs use appliances nobody reported yet; joins use the others, which by then all have
        # an open job (the benchmark's steady state once every appliance was reported once).
        new_count = args.warmup + args.requests + args.counted
        fresh, used = tokens[:new_count], tokens[new_count:]
        phases = {"bare": (bench_intake.BARE_PATH, tokens), "intake-new": (bench_intake.INTAKE_PATH, fresh),
                  "intake-join": (bench_intake.INTAKE_PATH, used)}
        _drive(client, bench_intake.INTAKE_PATH, [_body(bench_intake.INTAKE_PATH, rng, token) for token in used])
        print(f"{'endpoint':<12} {'requests':>8} {'CPU ms min':>10} {'CPU median':>10} {'wall ms/req':>11} "
              f"{'PG CPU ms':>9} {'calls/req':>9} {'SQL/req':>8}  statuses")
        for label, (path, pool) in phases.items():
            if label == "intake-new":
                bodies = [_body(path, rng, token) for token in pool]
                _drive(client, path, bodies[:args.warmup])
                bodies = bodies[args.warmup:]
            else:
                _drive(client, path, [bench_intake._body_for(path, rng, pool, [], 0.0) for _ in range(args.warmup)])
                bodies = [bench_intake._body_for(path, rng, pool, [], 0.0) for _ in range(args.requests + args.counted)]
            # The last requests run under cProfile only to count Python calls: unlike CPU time, that
            # count does not move with whatever else the machine is doing.
            bodies, counted = bodies[:-args.counted], bodies[-args.counted:]
            counter.clear()
            # Batches, reporting the fastest: other work on a shared machine only ever adds time.
            batch = max(1, len(bodies) // args.batches)
            cpu_per_batch, statuses, wall, pg0 = [], [], 0.0, postgres_cpu()
            for start in range(0, len(bodies), batch):
                cpu0, wall0 = time.process_time(), time.perf_counter()
                statuses += _drive(client, path, bodies[start:start + batch])
                cpu_per_batch.append((time.process_time() - cpu0) / len(bodies[start:start + batch]))
                wall += time.perf_counter() - wall0
            n, statements, pg = len(bodies), counter.copy(), postgres_cpu() - pg0
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            statuses += _drive(client, path, counted)
            profiler.disable()
            stats = pstats.Stats(profiler)
            print(f"{label:<12} {n:>8} {min(cpu_per_batch) * 1000:>10.2f} "
                  f"{statistics.median(cpu_per_batch) * 1000:>10.2f} {wall / n * 1000:>11.2f} "
                  f"{pg / n * 1000:>9.2f} {stats.total_calls / len(counted):>9.0f} "
                  f"{sum(statements.values()) / n:>8.2f}  {dict(Counter(statuses))}")
            if args.sql:
                for statement, count in statements.most_common():
                    print(f"    {count / n:5.2f}  {statement}")
            if args.profile == label:
                if args.dump:
                    stats.dump_stats(args.dump)
                stats.sort_stats("cumulative").print_stats(args.top)
        app.extensions["aftercare_engine"].dispose()
    finally:
        bench_intake.drop_database(bench_args, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
