"""Scale-out benchmark on PostgreSQL: 1, 2 and 4 Procrastinate worker processes (beside gunicorn web
workers) under a burst of consumer reports spread over 10 regions while every region's re-plan runs,
then the same with one worker killed (SIGKILL) in the middle of the burst.

Each run gets a fresh database (a copy of one seeded template): 10 regions of technicians on shift
around the clock, appliances spread over them, and a re-plan of every region's day queued when the
burst starts. Reports go to the public report API from concurrent clients at an even pace; every one
is for another appliance, so each opens a job. Outgoing messages go to a local webhook receiver that
counts each message id it is sent.

The counted worker processes serve the dispatch, messages and periodic queues; one more process serves
the routing queue (one solve at a time) in every run. Printed per run: reports accepted per second,
report-to-assignment latency (the job's report time to its first live placement, both written by the
server) p50 / p95 / p99, how long the dispatch job waited in the queue (p95), plans done, messages
delivered, items still queued when the drain gave up, items lost (a report accepted without a job; once
the queues are drained, a job needing a visit never dispatched or a message never delivered) and items
done twice (a job placed twice by live dispatch, a message delivered twice). The last line reads
`lost 0 duplicated 0` when every run drained and kept every promise.

    .venv/bin/python scripts/bench_scale.py            # 2,000 reports in 60 s per run; 1, 2, 4 workers
    .venv/bin/python scripts/bench_scale.py --quick    # a smaller burst, 2 workers then one of them killed: under 2 minutes
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts.bench_intake import FAULTS, NAMES, drop_database, start_server, stop_server

REGIONS = 10
TECHNICIANS_PER_REGION = 20
# Each counted worker process serves the latency-bound queues; the region solves have their own pool
# (one process, one solve at a time), so a solve never holds up a new job's dispatch.
QUEUES = "dispatch,messages,periodic"
ROUTING_QUEUES = "routing"


@dataclass(frozen=True)
class Run:
    workers: int
    kill_one: bool = False

    @property
    def label(self) -> str:
        return f"{self.workers} worker{'s' if self.workers > 1 else ''}" + (", one killed" if self.kill_one else "")


@dataclass
class Outcome:
    run: Run
    accepted: int
    refused: int
    per_second: float
    latencies: list[float]
    plans_done: int
    plans_asked: int
    delivered: int
    lost: int
    duplicated: int
    notes: list[str]
    # From the report's dispatch job deferred to a worker starting it: time spent waiting in the queue.
    queue_waits: list[float]
    backlog: int  # dispatches and messages still queued when the drain gave up


def create_database(args, name: str, *, template: str | None = None) -> None:
    import psycopg

    conninfo = f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname={args.pg_admin_db}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


# --- the world ------------------------------------------------------------------------------------

def seed_template(url: str, *, assets: int) -> None:
    """The demo catalogue, parts and warehouses, then 10 regions with technicians on shift at any hour
    (so the benchmark measures the same day whenever it runs) and the appliances spread over them."""
    from sqlalchemy import select

    from core.db import make_engine, make_session_factory
    from core.migrate import upgrade
    from core.regions import Region
    from core.users import Role, create_user
    from demo.world import load_demo
    from dispatch.catalog.models import Asset, ProductModel
    from dispatch.technicians.models import Technician, TechnicianSkill

    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(11)
    with make_session_factory(engine)() as session:
        load_demo(session, today=datetime.now(UTC).date(), asset_count=assets)
        regions = list(session.scalars(select(Region).order_by(Region.id)))
        base_lat, base_lon = regions[0].center_lat, regions[0].center_lon
        for n in range(len(regions), REGIONS):
            regions.append(Region(code=f"bench{n}", name=f"Bench region {n}", center_lat=base_lat + 0.4 * (n // 4),
                                  center_lon=base_lon + 0.4 * (n % 4)))
        session.add_all(regions)
        session.flush()
        skills = sorted({m.repair_skill for m in session.scalars(select(ProductModel))})
        for technician in session.scalars(select(Technician)):
            technician.shifts = _all_day()
        for region in regions:
            have = session.scalar(select(Technician.id).where(Technician.region_id == region.id).limit(1))
            for k in range(TECHNICIANS_PER_REGION - (10 if have else 0)):
                user = create_user(session, username=f"bench-{region.code}-{k}", display_name=f"Tech {region.code} {k}",
                                   role=Role.TECHNICIAN, password=secrets.token_urlsafe(16))
                session.add(Technician(user=user, region=region, daily_job_cap=12,
                                       home_lat=region.center_lat + rng.gauss(0, 0.03),
                                       home_lon=region.center_lon + rng.gauss(0, 0.03), shifts=_all_day(),
                                       skills=[TechnicianSkill(skill=s, level=2) for s in rng.sample(skills, k=4)]))
        for n, asset in enumerate(session.scalars(select(Asset).order_by(Asset.id))):
            region = regions[n % REGIONS]
            asset.region = region
            asset.latitude = region.center_lat + rng.gauss(0, 0.03)
            asset.longitude = region.center_lon + rng.gauss(0, 0.03)
        session.commit()
    engine.dispose()


def _all_day():
    from dispatch.technicians.models import TechnicianShift

    return [TechnicianShift(weekday=d, start=clock_time(0, 0), end=clock_time(23, 59), break_minutes=0)
            for d in range(7)]


def qr_tokens(url: str) -> list[str]:
    from sqlalchemy import select

    from core.db import make_engine
    from dispatch.catalog.models import Asset

    engine = make_engine(url)
    with engine.connect() as connection:
        tokens = list(connection.scalars(select(Asset.qr_token).order_by(Asset.id)))
    engine.dispose()
    return tokens


# --- the message receiver --------------------------------------------------------------------------

class Receiver:
    """A webhook gateway that answers 200 and counts each message id (webhook-id) it is sent."""

    def __init__(self) -> None:
        self.ids: Counter = Counter()
        lock = threading.Lock()
        ids = self.ids

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    ids[self.headers.get("webhook-id", "")] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


# --- one run ---------------------------------------------------------------------------------------

def child_env(url: str, receiver: Receiver) -> dict[str, str]:
    return {**os.environ, "AFTERCARE_DATABASE_URL": url, "AFTERCARE_TASK_QUEUE": "procrastinate",
            "AFTERCARE_SECRET_KEY": secrets.token_hex(32), "AFTERCARE_WEBHOOK_URL": receiver.url,
            "AFTERCARE_WEBHOOK_SECRET": secrets.token_hex(32), "AFTERCARE_QUIET_HOURS": "00:00-00:00",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}


def start_worker(env: dict[str, str], name: str, log: Path, concurrency: int, queues: str = QUEUES) -> subprocess.Popen:
    aftercare = Path(sys.executable).with_name("aftercare")
    return subprocess.Popen([str(aftercare), "worker", "--queues", queues, "--concurrency", str(concurrency),
                             "--name", name], cwd=REPO_ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def request_replans(url: str, *, time_limit_s: float) -> int:
    from sqlalchemy import select

    from core.background import PROCRASTINATE
    from core.db import make_engine, make_session_factory
    from core.regions import Region
    from dispatch.planning.services import request_plan

    engine = make_engine(url)
    now = datetime.now(UTC)
    with make_session_factory(engine, task_queue=PROCRASTINATE)() as session:
        regions = list(session.scalars(select(Region)))
        for region in regions:
            request_plan(session, region=region, day=now.date(), time_limit_s=time_limit_s, apply_when_done=True,
                         requested_by="bench", now=now)
        session.commit()
    engine.dispose()
    return len(regions)


def send_burst(base_url: str, tokens: list[str], *, reports: int, seconds: float, clients: int,
               halfway=None) -> tuple[int, int]:
    """`reports` reports at an even pace over `seconds`; `halfway()` is called once, in the middle."""
    import requests

    rng = random.Random(5)
    started = time.monotonic()
    results: list[int] = []
    lock = threading.Lock()
    fired = threading.Event()

    def send(n: int) -> None:
        delay = started + n * seconds / reports - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if halfway and n >= reports // 2 and not fired.is_set():
            fired.set()
            halfway()
        body = {"qr_token": tokens[n], "fault_text": rng.choice(FAULTS[:10]), "contact_name": rng.choice(NAMES),
                "contact_phone": f"+86 139{n:08d}"}
        try:
            status = requests.post(base_url + "/api/v1/reports", json=body, timeout=30).status_code
        except requests.RequestException:
            status = 0
        with lock:
            results.append(status)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(send, range(reports)))
    accepted = sum(1 for s in results if s in (200, 201))
    return accepted, len(results) - accepted


def drain(url: str, *, timeout: float) -> bool:
    """Wait until no dispatch, message or routing job is waiting or running."""
    import psycopg

    from core.background import conninfo

    deadline = time.monotonic() + timeout
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        while time.monotonic() < deadline:
            busy = connection.execute("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                                      "AND queue_name <> 'periodic'").fetchone()[0]
            if busy == 0:
                return True
            time.sleep(1)
    return False


def measure(url: str, run: Run, receiver: Receiver, *, accepted: int, refused: int, seconds: float,
            reports: int, drained: bool) -> Outcome:
    """`drained`: no dispatch, message or routing job was left waiting. Until then a job not yet
    dispatched or a message not yet delivered is backlog (its task is still queued, or its claim's
    lease has not run out), not lost; only a drained run can show a loss."""
    import psycopg

    from core.background import conninfo

    with psycopg.connect(conninfo(url)) as connection:
        jobs = connection.execute("SELECT count(*) FROM jobs").fetchone()[0]
        pending = connection.execute("SELECT count(*) FROM jobs WHERE dispatch_state = 'pending'").fetchone()[0]
        latencies = [row[0] for row in connection.execute(
            "SELECT extract(epoch FROM min(e.at) - j.reported_at) FROM jobs j JOIN job_events e ON e.job_id = j.id "
            "WHERE e.kind = 'planned' AND e.note_code = 'live_insertion' GROUP BY j.id, j.reported_at")]
        placed_twice = connection.execute(
            "SELECT count(*) FROM (SELECT job_id FROM job_events WHERE kind = 'planned' AND note_code = "
            "'live_insertion' GROUP BY job_id HAVING count(*) > 1) twice").fetchone()[0]
        outbox = dict(connection.execute("SELECT state, count(*) FROM outbox_messages GROUP BY state").fetchall())
        plans = dict(connection.execute("SELECT status, count(*) FROM plan_runs GROUP BY status").fetchall())
        waits = sorted(row[0] for row in connection.execute(
            "SELECT extract(epoch FROM s.at - d.at) FROM procrastinate_jobs j "
            "JOIN procrastinate_events d ON d.job_id = j.id AND d.type = 'deferred' "
            "JOIN procrastinate_events s ON s.job_id = j.id AND s.type = 'started' "
            "WHERE j.task_name = 'dispatch_job'"))
        report_messages_twice = connection.execute(
            "SELECT count(*) FROM (SELECT job_id FROM outbox_messages WHERE purpose = 'report_received' "
            "GROUP BY job_id HAVING count(*) > 1) twice").fetchone()[0]
    delivered_ids = {k for k in receiver.ids if k}
    delivered_twice = sum(1 for k, n in receiver.ids.items() if k and n > 1)
    undelivered = sum(n for state, n in outbox.items() if state not in ("sent", "superseded"))
    notes = []
    if jobs < accepted:
        notes.append(f"{accepted - jobs} accepted reports without a job")
    if pending:
        notes.append(f"{pending} jobs {'never' if drained else 'not yet'} dispatched")
    if undelivered:
        notes.append(f"{undelivered} messages {'never' if drained else 'not yet'} delivered ({outbox})")
    lost = max(0, accepted - jobs) + ((pending + undelivered) if drained else 0)
    backlog = 0 if drained else pending + undelivered
    duplicated = placed_twice + delivered_twice + report_messages_twice
    for count, what in ((placed_twice, "jobs placed twice by live dispatch"),
                        (delivered_twice, "messages the gateway received twice under one webhook-id"),
                        (report_messages_twice, "jobs with two 'report received' messages")):
        if count:
            notes.append(f"{count} {what}")
    latencies.sort()
    finished = sum(n for status, n in plans.items() if status in ("done", "applied", "stale"))
    return Outcome(run, accepted, refused, accepted / seconds, latencies, finished, sum(plans.values()),
                   len(delivered_ids), lost, duplicated, notes, waits, backlog)


def one_run(template: str, run: Run, args, number: int, logs: Path) -> Outcome:
    name = f"aftercare_bench_scale_{os.getpid()}_{number}"
    create_database(args, name, template=template)
    url = f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{name}"
    receiver = Receiver()
    server, workers = None, []
    try:
        env = child_env(url, receiver)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AFTERCARE_")})
        server = start_server(argparse.Namespace(workers=args.web_workers, worker_class="gthread", threads=4),
                              url, logs / f"web-{number}.log")
        workers = [start_worker(env, f"w{k}", logs / f"worker-{number}-{k}.log", args.concurrency)
                   for k in range(run.workers)]
        workers.append(start_worker(env, "routing", logs / f"worker-{number}-routing.log", 1, ROUTING_QUEUES))
        tokens = qr_tokens(url)
        plans = request_replans(url, time_limit_s=args.solve_seconds)

        def kill_one() -> None:
            workers[0].send_signal(signal.SIGKILL)

        accepted, refused = send_burst(server.base_url, tokens, reports=args.reports, seconds=args.seconds,
                                       clients=args.clients, halfway=kill_one if run.kill_one else None)
        drained = drain(url, timeout=args.drain_seconds)
        outcome = measure(url, run, receiver, accepted=accepted, refused=refused, seconds=args.seconds,
                          reports=args.reports, drained=drained)
        if not drained:
            outcome.notes.append(f"work still queued after {args.drain_seconds:.0f} s")
        outcome.plans_asked = plans
        return outcome
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        stop_server(server)
        receiver.close()
        drop_database(args, name)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller burst with 2 workers, then one killed (under 2 min)")
    parser.add_argument("--workers", default=None, help="worker process counts, e.g. 1,2,4")
    parser.add_argument("--reports", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="length of the burst")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at once per worker process")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--solve-seconds", type=float, default=None, help="each region's re-plan time limit")
    parser.add_argument("--drain-seconds", type=float, default=None)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-admin-db", default="test")
    args = parser.parse_args(argv)
    quick = args.quick
    counts = [int(n) for n in (args.workers or ("2" if quick else "1,2,4")).split(",")]
    args.reports = args.reports or (150 if quick else 2000)
    args.seconds = args.seconds or (12.0 if quick else 60.0)
    args.solve_seconds = args.solve_seconds or (1.0 if quick else 20.0)
    args.drain_seconds = args.drain_seconds or (75.0 if quick else 240.0)
    runs = [Run(n) for n in counts] + [Run(max(counts), kill_one=True)]

    logs = REPO_ROOT / "out" / "bench_scale"
    logs.mkdir(parents=True, exist_ok=True)
    template = f"aftercare_bench_scale_template_{os.getpid()}"
    started = time.monotonic()
    print(f"seeding {REGIONS} regions x {TECHNICIANS_PER_REGION} technicians, {args.reports} appliances ...",
          flush=True)
    create_database(args, template)
    outcomes: list[Outcome] = []
    try:
        seed_template(f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{template}",
                      assets=args.reports + 50)
        for number, run in enumerate(runs, 1):
            print(f"[{number}/{len(runs)}] {run.label}: {args.reports} reports in {args.seconds:.0f} s while "
                  f"{REGIONS} re-plans run ...", flush=True)
            outcomes.append(one_run(template, run, args, number, logs))
    except KeyboardInterrupt:
        return 130
    finally:
        drop_database(args, template)

    print()
    print("| run | reports/s accepted | refused | report->assignment p50 / p95 / p99 s | dispatch queue wait p95 s "
          "| plans done | messages delivered | still queued | lost | done twice |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        p = [percentile(o.latencies, s) for s in (0.5, 0.95, 0.99)]
        print(f"| {o.run.label} | {o.per_second:.1f} | {o.refused} | {p[0]:.2f} / {p[1]:.2f} / {p[2]:.2f} | "
              f"{percentile(o.queue_waits, 0.95):.2f} | {o.plans_done}/{o.plans_asked} | {o.delivered} | {o.backlog} "
              f"| {o.lost} | {o.duplicated} |")
    for o in outcomes:
        for note in o.notes:
            print(f"  {o.run.label}: {note}")
    print(f"(wall time {time.monotonic() - started:.0f} s; logs in {logs})")
    lost, duplicated = sum(o.lost for o in outcomes), sum(o.duplicated for o in outcomes)
    queued = sum(o.backlog for o in outcomes)
    if queued:
        # Not drained: what is still queued may yet be delivered or lost; no claim either way.
        print(f"lost {lost} or more ({queued} still queued; raise --drain-seconds) duplicated {duplicated}")
        return 1
    print(f"lost {lost} duplicated {duplicated}")
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
