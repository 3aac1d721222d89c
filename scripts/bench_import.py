"""Import benchmark: the example world plus N generated appliances (each with its own customer),
imported into a fresh database on SQLite and on PostgreSQL, then imported again (every row
unchanged: the cost of checking and comparing alone). Prints a table of seconds per phase.

    python scripts/bench_import.py                          # 1,000, 10,000 and 100,000 on both
    python scripts/bench_import.py --sizes 100000 --backends sqlite
    AFTERCARE_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python scripts/bench_import.py
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import care.models  # noqa: F401  (every table on the metadata)
import dispatch.jobs.models
import dispatch.planning.models  # noqa: F401
import fieldwork.models  # noqa: F401
from core.db import make_engine, make_session_factory
from core.migrate import upgrade
from setup_files.example import FILES, write_example
from setup_files.importing import import_files
from setup_files.reading import read_directory

POSTGRES_URL = os.environ.get("AFTERCARE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LIMIT_S = 60.0


def write_world(folder: Path, assets: int, seed: int = 1) -> None:
    write_example(folder)
    rng = random.Random(seed)
    header = FILES["assets"][0]
    models = [row[0] for row in FILES["product_models"][1:]]
    start = date(2022, 1, 1)
    with (folder / "assets.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(assets):
            bought = start + timedelta(days=rng.randrange(0, 1700))
            writer.writerow([f"BENCH-{n:07d}", rng.choice(models), f"客户 {n}", f"+86 13{n:09d}", "", "gusu",
                             f"苏州市姑苏区人民路 {n % 900 + 1} 号 {n % 30 + 1} 幢 {n % 28 + 1}01 室",
                             f"{31.30 + rng.random() * 0.03:.5f}", f"{120.60 + rng.random() * 0.04:.5f}",
                             bought.isoformat(), (bought + timedelta(days=2)).isoformat(), ""])


def _fresh_database(backend: str, scratch: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        url = f"sqlite:///{scratch / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        return url, lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(POSTGRES_URL)
    name = f"aftercare_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def run(backend: str, assets: int, scratch: Path) -> dict[str, float]:
    folder = scratch / f"world-{assets}"
    if not folder.exists():
        write_world(folder, assets)
    url, drop = _fresh_database(backend, scratch)
    try:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        now = datetime.now(UTC)
        timings = {}
        for phase in ("first", "again"):
            started = time.perf_counter()
            read = read_directory(folder)
            with factory() as session:
                report = import_files(session, read, actor="bench", now=now, apply=True)
                assert report.ok, report.problems[:5]
                session.commit()
            timings[phase] = time.perf_counter() - started
        engine.dispose()
        return timings
    finally:
        drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'backend':<11} {'assets':>8} {'first import s':>15} {'again (unchanged) s':>20} {'< 60 s':>7}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for backend in args.backends.split(","):
            for size in sizes:
                timings = run(backend, size, Path(scratch))
                worst = max(worst, *timings.values()) if size >= 100_000 else worst
                ok = "yes" if max(timings.values()) < LIMIT_S else "NO"
                print(f"{backend:<11} {size:>8} {timings['first']:>15.1f} {timings['again']:>20.1f} {ok:>7}",
                      flush=True)
    return 0 if worst < LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
