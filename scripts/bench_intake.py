"""Intake benchmark: the public report endpoint against the floor of the same stack, in one run.

Creates a throw-away PostgreSQL database, migrates it and loads the demo city, then serves the app
with gunicorn and drives two endpoints with concurrent clients (threads in separate processes):

  * ``bare insert``     POST /bench/bare-insert: same Flask app, same request-scoped session that
                        commits at the request boundary, same gunicorn and PostgreSQL, but the view
                        only inserts one row. It exists only in this module (``bench_app``), never
                        in the production app.
  * ``intake (report)`` POST /api/v1/reports: a new fault on an appliance drawn from a pool of
                        100,000 (``--pool``), or, for 10 % of reports (``--repeat-share``), the same
                        appliance reported again by a client that reported it before (it joins the
                        open job): the mix consumers really send, not the repeats-only fast path.

Rounds alternate (bare, intake, bare, intake, ...). Each phase has a warm-up that is not counted.
The result is the round with the median intake / bare ratio (all rounds are printed as well).
Exit status: 0 targets met, 1 a request failed (or the server did not start), 2 a target was missed
(0 with --no-fail-on-target), 130 interrupted. The database is dropped in every case.

    .venv/bin/python scripts/bench_intake.py [--clients 16] [--seconds 15] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

BENCH_TABLE_SQL = ("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, body text, "
                   "created_at timestamptz DEFAULT now())")
BARE_PATH = "/bench/bare-insert"
INTAKE_PATH = "/api/v1/reports"
PING_PATH = "/bench/ping"
HUGE_RATE_LIMIT = "1000000 per minute"

TARGET_RATIO = 0.50
TARGET_P99_MS = 250.0
NOISE_CORES = 0.25  # CPU used by processes outside the benchmark before a phase counts as disturbed


# --------------------------------------------------------------------------------------------
# The server side: the production app plus one bench-only route. gunicorn imports this module.
# --------------------------------------------------------------------------------------------

def bench_app():
    """gunicorn entry point (``scripts.bench_intake:bench_app()``): the real app + a bare insert."""
    from flask import request
    from sqlalchemy import text

    from api.app import create_app
    from api.database import db
    from api.extensions import csrf

    app = create_app()
    insert_row = text("INSERT INTO bench_rows (body) VALUES (:body)")

    @app.post(BARE_PATH)
    def bench_bare_insert():
        # Same request-scoped session as every view; api.database commits it after the response
        # is built (status < 400), exactly as for the report endpoint.
        payload = request.get_json(silent=True) or {}
        db().execute(insert_row, {"body": str(payload.get("fault_text", ""))[:500]})
        return {"ok": True}, 201

    @app.get(PING_PATH)
    def bench_ping():
        return {"ok": True}

    csrf.exempt(bench_bare_insert)  # a JSON endpoint, like the API blueprints (which are exempt)
    return app


# --------------------------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------------------------

FAULTS = [
    "The fridge is not cooling since yesterday, food is getting warm.",
    "Washing machine won't drain, water stays in the drum after the cycle.",
    "Air conditioner is leaking water from the indoor unit onto the wall.",
    "Strange noise from the compressor at night, very loud humming.",
    "TV screen stays black, there is sound but no picture.",
    "Water heater shows error code E3 and does not heat.",
    "Dishwasher stopped working in the middle of a program, no power.",
    "Range hood fan is very noisy and vibrates when on high speed.",
    "Dryer is not heating, clothes still wet after two hours.",
    "Induction hob trips the breaker as soon as I switch it on.",
    "How do I set the eco mode on the air conditioner? The manual is unclear.",
    "We moved flat and need the air conditioner relocated and installed again.",
    "The unit arrived damaged, the door is cracked, I want an exchange.",
    "冰箱不制冷了，冷藏室温度很高。",
    "洗衣机不排水，而且有异响。",
    "空调漏水，室内机一直滴水。",
    "热水器显示E1故障，不加热。",
    "电视黑屏，有声音没有图像。",
]
NAMES = ["Wang Wei", "Li Na", "Zhang Min", "Liu Yang", "Chen Jing", "Zhao Lei", "Huang Fang", "Zhou Tao"]


def _body_for(path: str, rng: random.Random, tokens: list[str], used: list[str], repeat_share: float) -> bytes:
    """One consumer's report: a new fault on an appliance from the pool, or (`repeat_share` of the time)
    the same appliance reported again by a client that reported it before (it joins the open job)."""
    report = {"fault_text": rng.choice(FAULTS), "contact_name": rng.choice(NAMES),
              "contact_phone": f"+86 1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"}
    if path == INTAKE_PATH:
        if used and rng.random() < repeat_share:
            report["qr_token"] = rng.choice(used)
        else:
            report["qr_token"] = rng.choice(tokens)
            used.append(report["qr_token"])
    return json.dumps(report, ensure_ascii=False).encode()


# --------------------------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------------------------

def _admin_conninfo(args) -> str:
    return f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname={args.pg_admin_db}"


def create_database(args, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(args), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(args, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(args), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _grow_pool(session, pool: int) -> None:
    """Appliances up to `pool`, in one statement: copies of the demo's (model, owner, region, place
    nearby, purchase date) under new serials and QR tokens, as a brand's installed base would be."""
    from sqlalchemy import text

    have = session.scalar(text("SELECT count(*) FROM assets"))
    if pool <= have:
        return
    session.execute(text(
        "INSERT INTO assets (serial, product_model_id, customer_id, region_id, address, latitude, longitude, "
        "purchase_date, installed_on, qr_token) "
        "SELECT 'BENCH-' || g, a.product_model_id, a.customer_id, a.region_id, a.address, "
        "a.latitude + (random() - 0.5) * 0.01, a.longitude + (random() - 0.5) * 0.01, a.purchase_date, "
        "a.installed_on, md5(g::text || random()::text) "
        "FROM generate_series(1, :extra) AS g "
        "JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM assets) AS a ON a.k = g % :have"),
        {"extra": pool - have, "have": have})
    session.execute(text("ANALYZE assets"))


def prepare_database(url: str, asset_count: int, pool: int = 0) -> tuple[list[str], dict[str, str]]:
    """Migrate, load the demo city and the bench table; returns the QR tokens and server facts."""
    from datetime import datetime, timezone

    from sqlalchemy import select, text

    from core.db import make_engine, make_session_factory
    from core.migrate import upgrade
    from demo.world import load_demo
    from dispatch.catalog.models import Asset

    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            load_demo(session, today=datetime.now(timezone.utc).date(), asset_count=asset_count)
            session.execute(text(BENCH_TABLE_SQL))
            session.commit()
            _grow_pool(session, pool)
            session.commit()
            tokens = list(session.scalars(select(Asset.qr_token)))
            facts = {name: session.scalar(text(f"SHOW {name}"))
                     for name in ("server_version", "fsync", "synchronous_commit", "max_connections")}
    finally:
        engine.dispose()
    return tokens, facts


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from core.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {table: conn.scalar(text(f"SELECT count(*) FROM {table}"))
                    for table in ("bench_rows", "jobs", "job_events")}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# The server process
# --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    command: list[str]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(args, database_url: str, log_path: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class,
               "--threads", str(args.threads), "--keep-alive", "30", "--backlog", "2048",
               "--worker-tmp-dir", "/dev/shm",
               "--log-level", "warning", "--error-logfile", str(log_path),
               "scripts.bench_intake:bench_app()"]
    env = dict(os.environ)
    env.update({
        "AFTERCARE_DATABASE_URL": database_url,
        "AFTERCARE_REPORT_RATE_LIMIT": HUGE_RATE_LIMIT,
        "AFTERCARE_SECRET_KEY": secrets.token_hex(32),
        "AFTERCARE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    })
    # Own session: a Ctrl-C in the terminal reaches only this script, which stops gunicorn itself.
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", command, log_path)
    _wait_ready(server, timeout=60)
    return server


def _wait_ready(server: Server, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(server.base_url + PING_PATH, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn was not ready after {timeout:.0f} s:\n{server.log_tail()}")


def stop_server(server: Server | None) -> None:
    if server is None or server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)  # graceful: gunicorn stops its own workers
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


# --------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc): who burnt the two cores during a measurement window
# --------------------------------------------------------------------------------------------

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (ppid, comm, cpu seconds) for every visible process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields_ = raw[raw.rindex(")") + 2:].split()
        out[int(entry)] = (int(fields_[1]), comm, (int(fields_[11]) + int(fields_[12])) / _CLK_TCK)
    return out


def _machine_busy() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _CLK_TCK, sum(values) / _CLK_TCK


def _tree_cpu(stats, root: int) -> float:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _comm, _cpu) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            total += stats[pid][2]
        stack.extend(children.get(pid, []))
    return total


def _postgres_cpu(stats, db_name: str) -> dict[int, float]:
    """The PostgreSQL backends serving the bench database, plus the server's shared processes
    (WAL writer, checkpointer, ...); backends of other databases belong to other work."""
    out = {}
    for pid, (_ppid, comm, cpu) in stats.items():
        if not comm.startswith("postgres"):
            continue
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        is_client_backend = "[local]" in title or re.search(r"\(\d+\)", title) is not None
        if db_name in title or not is_client_backend:
            out[pid] = cpu
    return out


@dataclass
class CpuSample:
    at: float
    busy: float
    total: float
    server: float
    postgres: dict[int, float]
    client: float


def cpu_sample(server_pid: int, client_pids: list[int], db_name: str) -> CpuSample:
    stats = _proc_stats()
    busy, total = _machine_busy()
    return CpuSample(time.monotonic(), busy, total, _tree_cpu(stats, server_pid), _postgres_cpu(stats, db_name),
                     sum(stats[pid][2] for pid in client_pids if pid in stats))


def postgres_delta(before: CpuSample, after: CpuSample) -> float:
    """CPU of PostgreSQL processes in the window (backends that exited meanwhile are not seen)."""
    return sum(cpu - before.postgres.get(pid, 0.0) for pid, cpu in after.postgres.items())


# --------------------------------------------------------------------------------------------
# The load generator: client processes, each with threads, each thread one keep-alive session
# --------------------------------------------------------------------------------------------

class _HttpClientSession:
    """The standard library's keep-alive connection: a fraction of requests' CPU cost per call,
    which matters when the load generator shares two cores with the server it measures."""

    def __init__(self, base_url: str):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname, parts.port
        self._conn = None

    def post(self, url_path: str, body: bytes, headers: dict) -> tuple[int, str]:
        import http.client

        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            self._conn.request("POST", url_path, body=body, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except Exception:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, data.decode("utf-8", "replace") if response.status >= 300 else ""

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _RequestsSession:
    def __init__(self, base_url: str):
        import requests

        self._base, self._session = base_url, requests.Session()

    def post(self, url_path: str, body: bytes, headers: dict) -> tuple[int, str]:
        response = self._session.post(self._base + url_path, data=body, headers=headers, timeout=30)
        return response.status_code, response.text if response.status_code >= 300 else ""

    def close(self) -> None:
        self._session.close()


CLIENT_LIBS = {"http.client": _HttpClientSession, "requests": _RequestsSession}


def _client_process(url: str, path: str, threads: int, seed: int, tokens: list[str], start: float,
                    end: float, client_lib: str, results, repeat_share: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    make_session = CLIENT_LIBS[client_lib]
    per_thread: list[list] = [[] for _ in range(threads)]
    failures: list[list] = [[] for _ in range(threads)]

    def run(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        session = make_session(url)  # one keep-alive connection per client
        headers = {"Content-Type": "application/json"}
        records, errors = per_thread[index], failures[index]
        used: list[str] = []
        while time.monotonic() < start:
            time.sleep(0.001)
        while True:
            began = time.monotonic()
            if began >= end:
                break
            body = _body_for(path, rng, tokens, used, repeat_share)
            try:
                status, text_ = session.post(path, body, headers)
                if status >= 300 and len(errors) < 5:
                    errors.append(f"HTTP {status}: {text_[:300]}")
            except Exception as error:  # noqa: BLE001 - any failure to get an answer is an error
                status = 0
                if len(errors) < 5:
                    errors.append(f"{type(error).__name__}: {error}"[:300])
                session.close()
                session = make_session(url)
            finished = time.monotonic()
            records.append((finished, finished - began, status))
        session.close()

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put({"records": [r for rs in per_thread for r in rs],
                 "errors": [e for es in failures for e in es]})


@dataclass
class PhaseResult:
    name: str
    round: int
    clients: int
    seconds: float
    statuses: dict[int, int]
    latencies: list[float]
    errors: int
    errors_total: int  # including warm-up and requests finishing after the window
    error_samples: list[str]
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        """Successful requests per second (failed ones are counted as errors, not throughput)."""
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)  # nearest-rank percentile
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))] * 1000


def run_phase(name: str, path: str, ok_statuses: set[int], round_no: int, args, server: Server,
              tokens: list[str]) -> PhaseResult:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = max(1, min(args.client_procs, args.clients))
    shares = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
    start = time.monotonic() + 0.5  # time for the client processes to start
    window_start = start + args.warmup
    window_end = window_start + args.seconds
    processes = [ctx.Process(target=_client_process, daemon=True,
                             args=(server.base_url, path, share, round_no * 100 + i + (0 if path == BARE_PATH else 50),
                                   tokens, start, window_end, args.client_lib, results, args.repeat_share))
                 for i, share in enumerate(shares)]
    try:
        for process in processes:
            process.start()
        pids = [p.pid for p in processes]
        time.sleep(max(0.0, window_start - time.monotonic()))
        before = cpu_sample(server.process.pid, pids, args.db_name)
        time.sleep(max(0.0, window_end - time.monotonic()))
        after = cpu_sample(server.process.pid, pids, args.db_name)
        collected = [results.get(timeout=60 + args.seconds) for _ in processes]
        for process in processes:
            process.join(timeout=10)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)

    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = errors_total = 0
    for chunk in collected:
        for finished, latency, status in chunk["records"]:
            failed = status not in ok_statuses
            errors_total += failed
            if window_start <= finished < window_end:
                statuses[status] = statuses.get(status, 0) + 1
                if failed:
                    errors += 1
                else:
                    latencies.append(latency)
    span = after.at - before.at
    capacity = after.total - before.total  # all cores' jiffies in the window, in seconds
    cpu = {"cores busy": (after.busy - before.busy) / span,
           "gunicorn": (after.server - before.server) / span,
           "postgres": postgres_delta(before, after) / span,
           "clients": (after.client - before.client) / span,
           "capacity": capacity / span}
    return PhaseResult(name, round_no, args.clients, args.seconds, statuses, latencies, errors, errors_total,
                       [e for chunk in collected for e in chunk["errors"]][:5], cpu)


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

HEADER = (f"{'endpoint':<17} {'clients':>7} {'requests':>9} {'errors':>7} {'req/s':>8} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")


def row(result: PhaseResult, label: str | None = None) -> str:
    return (f"{label or result.name:<17} {result.clients:>7} {result.requests:>9} {result.errors:>7} "
            f"{result.rps:>8.1f} {result.pct(50):>8.1f} {result.pct(95):>8.1f} {result.pct(99):>8.1f}")


def cpu_line(result: PhaseResult) -> str:
    c = result.cpu
    return (f"cores busy {c['cores busy']:.2f}/{c['capacity']:.0f}  (gunicorn {c['gunicorn']:.2f}, "
            f"postgres {c['postgres']:.2f}, load generator {c['clients']:.2f}, other {other_cpu(result):.2f})")


def other_cpu(result: PhaseResult) -> float:
    """Cores used by processes outside this benchmark (kernel, other work on the machine)."""
    c = result.cpu
    return max(0.0, c["cores busy"] - c["gunicorn"] - c["postgres"] - c["clients"])


def status_text(result: PhaseResult) -> str:
    return ", ".join(f"{'exception' if s == 0 else s}: {n}" for s, n in sorted(result.statuses.items()))


def server_ms_per_request(result: PhaseResult) -> tuple[float, float]:
    """Milliseconds of gunicorn and of PostgreSQL CPU per answered request in the window."""
    done = max(1, result.requests)
    return (result.cpu["gunicorn"] * result.seconds / done * 1000,
            result.cpu["postgres"] * result.seconds / done * 1000)


def median_round(bares: list[PhaseResult], intakes: list[PhaseResult]) -> tuple[PhaseResult, PhaseResult]:
    """The round (a bare phase and the intake phase right after it, so under the same conditions)
    with the median intake / bare throughput ratio; the lower median when the count is even."""
    pairs = sorted(zip(bares, intakes), key=lambda pair: pair[1].rps / pair[0].rps if pair[0].rps else 0.0)
    return pairs[(len(pairs) - 1) // 2]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def server_config(args) -> str:
    if args.worker_class == "sync":
        return f"{args.workers} sync workers (one request at a time each, no keep-alive)"
    return f"{args.workers} workers x {args.threads} threads (gthread, keep-alive 30 s)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark POST /api/v1/reports against a bare one-row insert on the same stack "
                    "(Flask app, request-scoped session, gunicorn, PostgreSQL), in one run.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients, one connection each")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted warm-up seconds per phase")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (bare, intake); the result is the round with the median ratio")
    # Default: the production worker class (`aftercare serve` runs gunicorn's sync workers), sized for
    # two cores. Tried on 2 cores / 16 clients: sync 2, 3, 4 and gthread 2x8, 3x6, 4x4, 5x4, 6x3, 8x2;
    # sync 4 gave the steadiest intake p99, gthread 4x4 about the same intake req/s and a higher bare
    # req/s (keep-alive). Both endpoints always share whatever is chosen here.
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync",
                        help="gunicorn worker class (sync: one request at a time per worker, no keep-alive)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread only)")
    parser.add_argument("--client-procs", type=int, default=2,
                        help="load-generator processes the clients are spread over (threads inside)")
    parser.add_argument("--client-lib", choices=sorted(CLIENT_LIBS), default="http.client",
                        help="HTTP client of the load generator (requests costs ~4x the client CPU per call)")
    parser.add_argument("--assets", type=int, default=500, help="demo appliances to load (each has a QR token)")
    parser.add_argument("--pool", type=int, default=100_000,
                        help="appliances reported on: the demo's, copied up to this many")
    parser.add_argument("--repeat-share", type=float, default=0.10,
                        help="share of reports that repeat an appliance the same client reported before")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-admin-db", default="test",
                        help="existing database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    parser.add_argument("--no-fail-on-target", action="store_true",
                        help="exit 0 when a target is missed (request errors still exit 1)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.rounds < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--clients, --seconds, --rounds, --workers and --threads must be positive")
    return args


def _raise_keyboard_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)  # clean up on kill as on Ctrl-C
    db_name = args.db_name = f"aftercare_bench_{secrets.token_hex(4)}"
    url = f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{db_name}"
    log_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-"))
    server: Server | None = None
    created = False
    log_tail = ""
    t0 = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - t0:6.1f}s] {message}", flush=True)

    try:
        progress(f"creating database {db_name} on {args.pg_host}:{args.pg_port}")
        create_database(args, db_name)
        created = True
        progress("migrating, loading the demo city, creating bench_rows")
        tokens, facts = prepare_database(url, args.assets, args.pool)
        progress(f"{len(tokens)} appliances with QR tokens; PostgreSQL {facts['server_version']}")
        progress(f"report rate limit raised to {HUGE_RATE_LIMIT!r} for the benchmark "
                 f"(production default 20 per minute per client address would throttle it)")
        server = start_server(args, url, log_dir / "gunicorn.log")
        progress(f"gunicorn ready at {server.base_url}: {server_config(args)}")

        # 201 new job and 200 joined an open job are both successful intakes; anything else fails.
        phases = [("bare insert", BARE_PATH, {201}), ("intake (report)", INTAKE_PATH, {200, 201})]
        results: dict[str, list[PhaseResult]] = {name: [] for name, _, _ in phases}
        for round_no in range(1, args.rounds + 1):
            for name, path, ok in phases:
                progress(f"round {round_no}/{args.rounds}: {name}, {args.clients} clients, "
                         f"{args.warmup:g} s warm-up + {args.seconds:g} s ...")
                result = run_phase(name, path, ok, round_no, args, server, tokens)
                results[name].append(result)
                progress(f"  {result.rps:7.1f} req/s  p50 {result.pct(50):6.1f}  p95 {result.pct(95):6.1f}  "
                         f"p99 {result.pct(99):6.1f} ms  errors {result.errors_total}  [{status_text(result)}]  "
                         f"{cpu_line(result)}")
                if server.process.poll() is not None:
                    raise RuntimeError(f"gunicorn died:\n{server.log_tail()}")
        rows = count_rows(url)
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    except RuntimeError as error:  # gunicorn did not start or died: its log says why
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            log_tail = server.log_tail()
        stop_server(server)
        shutil.rmtree(log_dir, ignore_errors=True)
        if created and not args.keep_db:
            try:
                drop_database(args, db_name)
                print(f"dropped database {db_name}", flush=True)
            except Exception as error:  # noqa: BLE001 - report, never mask the original error
                print(f"could not drop database {db_name}: {error}", file=sys.stderr)
        elif created:
            print(f"kept database {db_name}")

    bare, intake = median_round(results["bare insert"], results["intake (report)"])
    all_results = [r for rs in results.values() for r in rs]
    errors_total = sum(r.errors_total for r in all_results)

    print()
    print("All rounds (measured window only):")
    print("round " + HEADER + "  other-cores")
    for result in sorted(all_results, key=lambda r: (r.round, r.name != "bare insert")):
        print(f"{result.round:>5} " + row(result) + f"  {other_cpu(result):11.2f}")
    print()
    print(f"Result: round {bare.round}, the median of {args.rounds} rounds by intake / bare throughput "
          f"(each round: bare, then intake right after it)")
    print(HEADER)
    print(row(bare))
    print(row(intake))
    ratio = intake.rps / bare.rps if bare.rps else 0.0
    p99 = intake.pct(99)
    ratio_ok, p99_ok = ratio >= TARGET_RATIO, p99 < TARGET_P99_MS
    print(f"intake / bare throughput: {ratio * 100:.0f} %   (target >= {TARGET_RATIO * 100:.0f} %: "
          f"{'met' if ratio_ok else 'MISSED'})   p99 intake: {p99:.0f} ms "
          f"(target < {TARGET_P99_MS:.0f} ms: {'met' if p99_ok else 'MISSED'})")
    bare_cpu, intake_cpu = server_ms_per_request(bare), server_ms_per_request(intake)
    print(f"server CPU per request (gunicorn + postgres): bare {bare_cpu[0]:.2f} + {bare_cpu[1]:.2f} ms, "
          f"intake {intake_cpu[0]:.2f} + {intake_cpu[1]:.2f} ms -> CPU-normalised intake / bare: "
          f"{sum(bare_cpu) / sum(intake_cpu) * 100:.0f} %")
    noisy = [r for r in all_results if other_cpu(r) > NOISE_CORES]
    if noisy:
        print(f"WARNING: other processes on this machine used > {NOISE_CORES:g} cores during "
              f"{len(noisy)} of {len(all_results)} measured phases (max {max(other_cpu(r) for r in noisy):.2f}); "
              f"req/s and latency are then understated, the CPU-normalised ratio is the steadier figure")
    print()
    print(f"intake outcomes (round {intake.round}): {intake.statuses.get(201, 0)} x 201 new job, "
          f"{intake.statuses.get(200, 0)} x 200 joined an open job; all rounds: "
          f"{sum(r.statuses.get(201, 0) for r in results['intake (report)'])} x 201, "
          f"{sum(r.statuses.get(200, 0) for r in results['intake (report)'])} x 200")
    print(f"rows at the end: {rows['bench_rows']} bench_rows, {rows['jobs']} jobs, {rows['job_events']} job_events")
    print(f"CPU bare   (round {bare.round}): {cpu_line(bare)}")
    print(f"CPU intake (round {intake.round}): {cpu_line(intake)}")
    print(f"server: gunicorn {server_config(args)}, access log off; "
          f"app scripts.bench_intake:bench_app() = api.app.create_app() + {BARE_PATH}")
    print(f"        report rate limit {HUGE_RATE_LIMIT!r} (raised for the benchmark)")
    print(f"clients: {args.clients} {args.client_lib} client threads (one connection each, reused while the "
          f"server keeps it open) over "
          f"{min(args.client_procs, args.clients)} process(es); warm-up {args.warmup:g} s + "
          f"{args.seconds:g} s measured per phase; {len(tokens)} appliances, {args.repeat_share:.0%} repeats")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; PostgreSQL {facts['server_version']} "
          f"(fsync={facts['fsync']}, synchronous_commit={facts['synchronous_commit']}, "
          f"max_connections={facts['max_connections']}) on {args.pg_host}:{args.pg_port}")

    if errors_total:
        print(f"\nFAILED: {errors_total} request(s) failed (non-2xx or no response). Samples:", file=sys.stderr)
        for sample in [s for r in all_results for s in r.error_samples][:10]:
            print(f"  {sample}", file=sys.stderr)
        if log_tail:
            print("gunicorn log tail:\n" + log_tail, file=sys.stderr)
        return 1
    if not (ratio_ok and p99_ok) and not args.no_fail_on_target:
        print("\nFAILED: target missed", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
