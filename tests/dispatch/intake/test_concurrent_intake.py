"""Parallel clients over real HTTP against PostgreSQL: racing reports never open two jobs."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests
from sqlalchemy import func, select

from dispatch.jobs.models import EventKind, Job, JobEvent
from tests.builders.dispatch import make_asset

CLIENTS = 12


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency is tested on PostgreSQL; SQLite serialises every writer anyway")


def _race(url: str, bodies: list[dict], headers: list[dict]) -> list[requests.Response]:
    barrier = Barrier(len(bodies))

    def send(i: int) -> requests.Response:
        with requests.Session() as http:
            barrier.wait()  # release every client at the same moment
            return http.post(f"{url}/api/v1/reports", json=bodies[i], headers=headers[i], timeout=30)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, range(len(bodies))))


def _body(asset, **extra) -> dict:
    return {"qr_token": asset.qr_token, "fault_text": "Fridge is not cooling at all", "contact_name": "Zhang Wei",
            "contact_phone": "+86 138 1234 5678", **extra}


def test_the_same_report_sent_by_parallel_clients_opens_exactly_one_job(postgres_only, session, live_url):
    asset = make_asset(session)
    session.commit()
    responses = _race(live_url, [_body(asset)] * CLIENTS, [{}] * CLIENTS)
    assert sorted(r.status_code for r in responses) == [200] * (CLIENTS - 1) + [201]
    assert len({r.json()["number"] for r in responses}) == 1
    assert session.scalar(select(func.count()).select_from(Job)) == 1
    kinds = session.scalars(select(JobEvent.kind)).all()
    assert kinds.count(EventKind.CREATED) == 1
    assert kinds.count(EventKind.REPORT_ATTACHED) == CLIENTS - 1


def test_parallel_retries_with_one_idempotency_key_get_one_answer(postgres_only, session, live_url):
    asset = make_asset(session)
    session.commit()
    responses = _race(live_url, [_body(asset)] * CLIENTS, [{"Idempotency-Key": "retry-storm"}] * CLIENTS)
    statuses = [r.status_code for r in responses]
    # Each retry either replays the stored answer, or (while the first is still running) is told to retry.
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    assert len({r.json()["number"] for r in responses if r.status_code == 201}) == 1
    assert session.scalar(select(func.count()).select_from(Job)) == 1
    assert session.scalar(select(func.count()).select_from(JobEvent)) == 1  # no attachments: retries, not reports


def test_reports_on_different_appliances_in_parallel_all_open_jobs(postgres_only, session, live_url):
    assets = [make_asset(session) for _ in range(CLIENTS)]
    session.commit()
    responses = _race(live_url, [_body(a) for a in assets], [{}] * CLIENTS)
    assert [r.status_code for r in responses] == [201] * CLIENTS
    assert session.scalar(select(func.count()).select_from(Job)) == CLIENTS
