"""How long a customer's report waits while a region's day is being re-optimised.

For each code version (this checkout and, with --compare-with REV, an earlier commit checked out beside
it), on the demo city: serve the app with gunicorn, send reports before, during and after an
`aftercare route plan --apply` of the biggest region, and print each report's answer time. A solve that
holds a transaction makes the report during it wait for the solve (on SQLite, the database's one write
lock); one that does not answers as fast as before and after.

    python scripts/bench_report_during_solve.py --compare-with HEAD~3 [--time-limit 20] [--database-url URL]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _aftercare(code: Path, env: dict, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli.commands", *args], cwd=code, env={**env, "PYTHONPATH": str(code)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **options)


def _run(code: Path, env: dict, *args: str) -> None:
    process = _aftercare(code, env, *args)
    _, error = process.communicate(timeout=600)
    if process.returncode:
        raise SystemExit(f"aftercare {' '.join(args)} failed:\n{error.decode()[-2000:]}")


@contextmanager
def _served(code: Path, env: dict, port: int):
    server = _aftercare(code, env, "serve", "--port", str(port), "--workers", "2")
    try:
        for _ in range(600):
            try:
                requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _biggest_region_and_tokens(database_url: str) -> tuple[str, list[str]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        region = connection.execute(text(
            "SELECT r.code FROM regions r JOIN technicians t ON t.region_id = r.id "
            "GROUP BY r.code ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        tokens = list(connection.execute(text(
            "SELECT a.qr_token FROM assets a JOIN regions r ON r.id = a.region_id WHERE r.code = :code "
            "ORDER BY a.id LIMIT 40"), {"code": region}).scalars())
    engine.dispose()
    return region, tokens


def _report(base: str, token: str, n: int) -> float:
    started = time.perf_counter()
    response = requests.post(f"{base}/api/v1/reports", timeout=600, json={
        "qr_token": token, "fault_text": f"The fridge is not cooling, report {n}", "contact_name": "Zhang Wei",
        "contact_phone": f"+86 138 0000 {n:04d}"})
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"report answered {response.status_code}: {response.text[:500]}")
    return elapsed


def measure(code: Path, *, database_url: str | None, time_limit: float, delay: float) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "AFTERCARE_DATA_DIR": data, "AFTERCARE_REPORT_RATE_LIMIT": "10000 per minute"}
        url = database_url or f"sqlite:///{data}/aftercare.db"
        env["AFTERCARE_DATABASE_URL"] = url
        _run(code, env, "db", "upgrade")
        _run(code, env, "demo", "load")
        region, tokens = _biggest_region_and_tokens(url)
        port = _free_port()
        times: dict[str, list[float]] = {"before": [], "during": [], "after": []}
        with _served(code, env, port) as base:
            for n in range(3):
                times["before"].append(_report(base, tokens[n], n))
            solve = _aftercare(code, env, "route", "plan", "--region", region, "--time-limit", str(time_limit),
                               "--apply")
            time.sleep(delay)
            times["during"].append(_report(base, tokens[3], 3))
            solve.communicate(timeout=time_limit + 300)
            for n in range(4, 7):
                times["after"].append(_report(base, tokens[n], n))
        return times


@contextmanager
def _checkout(rev: str):
    folder = Path(tempfile.mkdtemp(prefix="aftercare-peer-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(folder), rev], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare-with", metavar="REV", help="also measure this earlier commit, side by side")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds of the region solve")
    parser.add_argument("--delay", type=float, default=4.0, help="seconds into the solve the report is sent")
    parser.add_argument("--database-url", help="an empty PostgreSQL database; SQLite in a temporary folder by default")
    args = parser.parse_args()
    versions = [("this checkout", None)] + ([(args.compare_with, args.compare_with)] if args.compare_with else [])
    rows = []
    for name, rev in versions:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        if rev is None:
            times = measure(ROOT, database_url=args.database_url, time_limit=args.time_limit, delay=args.delay)
        else:
            with _checkout(rev) as code:
                times = measure(code, database_url=args.database_url, time_limit=args.time_limit, delay=args.delay)
        rows.append((name, times))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nreport answer time (s), {backend}, region solve of {args.time_limit:g} s, report sent "
          f"{args.delay:g} s into it\n")
    print("| code | before (max of 3) | during the solve | after (max of 3) |\n|---|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {max(times['before']):.2f} | {times['during'][0]:.2f} | {max(times['after']):.2f} |")


if __name__ == "__main__":
    main()
