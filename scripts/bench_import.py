"""Import benchmark: the example world plus N generated appliances (each with its own customer),
imported into a fresh database on SQLite and on PostgreSQL, then imported again (every row
unchanged: the cost of checking and comparing alone). Prints a table of seconds per phase.

In the same run, two peers load the same assets.csv into a fresh database holding the same world
(loaded first and not timed), so the import's price for checking every row first is seen beside:
- naive ORM: what a first import script looks like — per row, look up the model, the region and the
  customer with a query each, add the objects and flush; no checks, no report, no second run;
- bulk insert: the lower bound — the csv module, the lookups in dicts, and two multi-row INSERTs
  through SQLAlchemy Core; no checks either.

    python scripts/bench_import.py                          # 1,000, 10,000 and 100,000 on both
    python scripts/bench_import.py --sizes 100000 --backends sqlite
    AFTERCARE_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python scripts/bench_import.py
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select

import care.models  # noqa: F401  (every table on the metadata)
import dispatch.jobs.models
import dispatch.planning.models  # noqa: F401
import fieldwork.models  # noqa: F401
from core.db import make_engine, make_session_factory
from core.migrate import upgrade
from core.regions import Region
from dispatch.catalog.models import Asset, Customer, ProductModel
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


def _world(scratch: Path, assets: int) -> Path:
    folder = scratch / f"world-{assets}"
    if not folder.exists():
        write_world(folder, assets)
    return folder


def run(backend: str, assets: int, scratch: Path) -> dict[str, float]:
    folder = _world(scratch, assets)
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


def _asset_values(row: dict[str, str]) -> dict:
    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text else None

    return {"serial": row["serial"], "address": row["address"], "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]), "purchase_date": day(row["purchase_date"]),
            "installed_on": day(row["installed_on"]), "qr_token": row["qr_token"] or secrets.token_urlsafe(18)}


def naive_orm(factory, assets_csv: Path) -> int:
    """Per row: three lookups, the objects added, a flush."""
    n = 0
    with factory() as session, assets_csv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            model = session.scalar(select(ProductModel).where(ProductModel.code == row["model"]))
            region = session.scalar(select(Region).where(Region.code == row["region"]))
            customer = session.scalar(select(Customer).where(Customer.name == row["customer_name"],
                                                             Customer.phone == row["customer_phone"]))
            if customer is None:
                customer = Customer(name=row["customer_name"], phone=row["customer_phone"],
                                    email=row["customer_email"] or None)
                session.add(customer)
            session.add(Asset(product_model=model, region=region, customer=customer, **_asset_values(row)))
            session.flush()
            n += 1
        session.commit()
    return n


def bulk_insert(factory, assets_csv: Path) -> int:
    """The csv module, lookups in dicts, one multi-row INSERT for the customers and one for the assets."""
    with assets_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with factory() as session:
        models = dict(session.execute(select(ProductModel.code, ProductModel.id)).all())
        regions = dict(session.execute(select(Region.code, Region.id)).all())
        people = list(dict.fromkeys((r["customer_name"], r["customer_phone"], r["customer_email"] or None)
                                    for r in rows))
        ids = session.execute(insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                              [{"name": name, "phone": phone, "email": email} for name, phone, email in people]
                              ).scalars().all()
        customer_ids = {(name, phone): i for (name, phone, _email), i in zip(people, ids, strict=True)}
        session.execute(insert(Asset), [
            {**_asset_values(r), "product_model_id": models[r["model"]], "region_id": regions[r["region"]],
             "customer_id": customer_ids[(r["customer_name"], r["customer_phone"])]} for r in rows])
        session.commit()
    return len(rows)


PEERS = {"naive ORM": naive_orm, "bulk insert": bulk_insert}


def run_peer(peer: str, backend: str, assets: int, scratch: Path) -> float:
    """Seconds for `peer` to load the world's assets.csv into a fresh database that already holds the
    rest of the world (imported first, not timed)."""
    folder = _world(scratch, assets)
    rest = scratch / f"world-{assets}-without-assets"
    if not rest.exists():
        shutil.copytree(folder, rest)
        (rest / "assets.csv").write_text(",".join(FILES["assets"][0]) + "\n", encoding="utf-8")
    url, drop = _fresh_database(backend, scratch)
    try:
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            report = import_files(session, read_directory(rest), actor="bench", now=datetime.now(UTC), apply=True)
            assert report.ok, report.problems[:5]
            session.commit()
        started = time.perf_counter()
        loaded = PEERS[peer](factory, folder / "assets.csv")
        seconds = time.perf_counter() - started
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Asset)) == loaded == assets
        engine.dispose()
        return seconds
    finally:
        drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--peers", default=",".join(PEERS),
                        help="peers to run beside the import, comma-separated, or 'none'")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    peers = [] if args.peers == "none" else args.peers.split(",")
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        parser.error(f"unknown peer(s) {unknown}; choose from {list(PEERS)}")
    print(f"{'backend':<11} {'assets':>8} {'first import s':>15} {'again (unchanged) s':>20}"
          + "".join(f" {peer + ' s':>14}" for peer in peers) + f" {'< 60 s':>7}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for backend in args.backends.split(","):
            for size in sizes:
                timings = run(backend, size, Path(scratch))
                worst = max(worst, *timings.values()) if size >= 100_000 else worst
                ok = "yes" if max(timings.values()) < LIMIT_S else "NO"
                peer_seconds = [run_peer(peer, backend, size, Path(scratch)) for peer in peers]
                print(f"{backend:<11} {size:>8} {timings['first']:>15.1f} {timings['again']:>20.1f}"
                      + "".join(f" {s:>14.1f}" for s in peer_seconds) + f" {ok:>7}", flush=True)
    return 0 if worst < LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
