"""Concurrent stock reservations on PostgreSQL: the ledger's conditional update beside a naive
read-then-write, on the same small stock, in the same run.

32 client threads, each with its own connection, try to reserve 2,000 single units spread over
20 parts × 2 warehouses holding 200 units in all. For each way of reserving it reports throughput,
p50/p95 latency, oversells (counted two ways: units reserved beyond what was received, from the final
levels, and successful reservations beyond what was received) and the ledger check.

The naive peer reads the available quantity, then writes `reserved = <what it read> + 1` if there was
enough — no row lock, no condition — which is what the conditional UPDATE in inventory/ledger.py exists
to prevent. Usage: python scripts/bench_stock.py [--clients 32] [--attempts 2000] [--url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.db import make_engine, make_session_factory  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from inventory import ledger  # noqa: E402
from inventory.ledger import InsufficientStock  # noqa: E402
from inventory.models import MovementKind, Part, StockLevel, StockMovement, Warehouse, WarehouseKind  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@dataclass
class Result:
    name: str
    attempts: int
    succeeded: int
    seconds: float
    latencies_ms: list[float]
    received: int
    reserved_final: int
    oversold_levels: int
    ledger_differences: int

    @property
    def oversold_by_count(self) -> int:
        return max(0, self.succeeded - self.received)


def conditional_reserve(factory, warehouse_id: int, part_id: int, actor: str) -> bool:
    """The ledger's way: one conditional UPDATE; the database decides who gets the last unit."""
    with factory() as session:
        try:
            ledger.reserve(session, warehouse=session.get(Warehouse, warehouse_id), part=session.get(Part, part_id),
                           quantity=1, actor=actor, now=NOW)
            session.commit()
            return True
        except InsufficientStock:
            session.rollback()
            return False


def naive_reserve(factory, warehouse_id: int, part_id: int, actor: str) -> bool:
    """Read, decide, write what was read plus one: two clients reading the same row both 'succeed'."""
    with factory() as session:
        on_hand, reserved = session.execute(select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.warehouse_id == warehouse_id, StockLevel.part_id == part_id)).one()
        if on_hand - reserved < 1:
            session.rollback()
            return False
        session.execute(update(StockLevel).where(StockLevel.warehouse_id == warehouse_id,
                                                 StockLevel.part_id == part_id).values(reserved=reserved + 1))
        session.add(StockMovement(warehouse_id=warehouse_id, part_id=part_id, kind=MovementKind.RESERVATION,
                                  quantity=1, reserved_delta=1, actor=actor, created_at=NOW))
        session.commit()
        return True


def seed(factory, *, parts: int, warehouses: int, units: int) -> list[tuple[int, int]]:
    """Fresh stock: `units` spread evenly over parts × warehouses. Returns the (warehouse, part) keys."""
    with factory() as session:
        session.execute(text("TRUNCATE stock_movements, stock_levels, parts, warehouses RESTART IDENTITY CASCADE"))
        houses = [Warehouse(code=f"BENCH-{n}", name=f"Bench {n}", kind=WarehouseKind.REGIONAL)
                  for n in range(warehouses)]
        items = [Part(sku=f"B-{n:04d}", name=f"Bench part {n}", unit_cost=Decimal("10")) for n in range(parts)]
        session.add_all(houses + items)
        session.flush()
        keys = [(w.id, p.id) for w in houses for p in items]
        for n, (w, p) in enumerate(keys):
            share = units // len(keys) + (1 if n < units % len(keys) else 0)
            ledger.receive(session, warehouse=session.get(Warehouse, w), part=session.get(Part, p), quantity=share,
                           actor="bench", now=NOW)
        session.commit()
    return keys


def run(name: str, reserve, factory, keys, *, clients: int, attempts: int) -> Result:
    rng = random.Random(42)
    plan = [rng.choice(keys) for _ in range(attempts)]  # the same plan for both peers
    latencies: list[float] = []
    succeeded = 0
    done = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    per_client = [plan[n::clients] for n in range(clients)]

    def client(n: int) -> None:
        nonlocal succeeded, done
        barrier.wait()
        for warehouse_id, part_id in per_client[n]:
            started = time.perf_counter()
            ok = reserve(factory, warehouse_id, part_id, f"client{n}")
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                succeeded += ok
                done += 1

    stop = threading.Event()

    def progress() -> None:
        while not stop.wait(0.5):
            print(f"\r  {name}: {done}/{attempts} attempts, {succeeded} reserved", end="", file=sys.stderr, flush=True)

    reporter = threading.Thread(target=progress, daemon=True)
    reporter.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    seconds = time.perf_counter() - started
    stop.set()
    reporter.join()
    print(f"\r  {name}: {done}/{attempts} attempts, {succeeded} reserved — done in {seconds:.1f} s", file=sys.stderr)

    with factory() as session:
        levels = session.execute(select(StockLevel.on_hand, StockLevel.reserved)).all()
        received = session.scalar(select(func.sum(StockMovement.quantity))
                                  .where(StockMovement.kind == MovementKind.RECEIPT))
        differences = len(ledger.ledger_differences(session))
    reserved_final = sum(r for _, r in levels)
    oversold_levels = sum(max(0, r - h) for h, r in levels)
    return Result(name, attempts, succeeded, seconds, latencies, int(received), reserved_final, oversold_levels,
                  differences)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def table(results: list[Result], *, clients: int) -> str:
    head = ["way of reserving", "attempts", "reserved", "res/s", "attempts/s", "p50 ms", "p95 ms",
            "oversold (levels)", "oversold (count)", "ledger diffs"]
    rows = [[r.name, str(r.attempts), str(r.succeeded), f"{r.succeeded / r.seconds:.0f}",
             f"{r.attempts / r.seconds:.0f}", f"{percentile(r.latencies_ms, 50):.1f}",
             f"{percentile(r.latencies_ms, 95):.1f}", str(r.oversold_levels), str(r.oversold_by_count),
             str(r.ledger_differences)] for r in results]
    widths = [max(len(row[i]) for row in rows + [head]) for i in range(len(head))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(row) for row in rows]
    return "\n".join(out) + (f"\n{clients} clients; received {results[0].received} units in all. res/s = successful reservations per second "
                             f"of the whole run (the stock runs out early); 'oversold (levels)'"
                             f" = units reserved beyond on hand in the final levels; 'oversold (count)' = successful "
                             f"reservations beyond the units received.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL server URL (a throw-away database is made)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--parts", type=int, default=20)
    parser.add_argument("--warehouses", type=int, default=2)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()

    admin_url = make_url(args.url)
    if admin_url.get_backend_name() != "postgresql":
        parser.error("the race needs PostgreSQL (SQLite serialises every writer)")
    name = f"aftercare_bench_stock_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        print(f"migrating throw-away database {name} ...", file=sys.stderr)
        upgrade(url)
        # One pooled connection per client, so no client waits for a connection instead of a row.
        engine = make_engine(url, pool_size=args.clients + 2, max_overflow=0)
        factory = make_session_factory(engine)
        results = []
        for label, reserve in (("conditional UPDATE (ledger)", conditional_reserve),
                               ("naive read-then-write", naive_reserve)):
            keys = seed(factory, parts=args.parts, warehouses=args.warehouses, units=args.units)
            results.append(run(label, reserve, factory, keys, clients=args.clients, attempts=args.attempts))
        engine.dispose()
        print(table(results, clients=args.clients))
        return 0 if results[0].oversold_levels == results[0].oversold_by_count == results[0].ledger_differences == 0 \
            else 1
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
