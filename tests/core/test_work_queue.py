"""Work items are claimed by one worker at a time, survive a crashed worker, and back off on failure."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import select

from core.db import make_session_factory
from core.work_queue import MAX_ATTEMPTS, WorkItem, claim, complete, enqueue, fail, run_due_items
from tests.conftest import NOW


def test_a_due_item_is_claimed_once_and_completed(session):
    enqueue(session, kind="ping", payload={"n": 1}, now=NOW)
    enqueue(session, kind="ping", payload={"n": 2}, now=NOW, due_at=NOW + timedelta(hours=1))
    session.commit()
    [item] = claim(session, worker="w1", now=NOW)
    assert item.payload == {"n": 1} and item.claimed_by == "w1" and item.attempts == 1
    assert claim(session, worker="w2", now=NOW) == []  # leased to w1
    complete(session, item, now=NOW)
    session.commit()
    assert claim(session, worker="w2", now=NOW + timedelta(minutes=30)) == []  # done stays done


def test_an_item_whose_worker_died_is_claimed_again_after_the_lease(session):
    enqueue(session, kind="ping", payload={}, now=NOW)
    session.commit()
    [item] = claim(session, worker="crashed", now=NOW, lease=timedelta(minutes=5))
    session.commit()
    assert claim(session, worker="w2", now=NOW + timedelta(minutes=4)) == []
    [again] = claim(session, worker="w2", now=NOW + timedelta(minutes=6))
    assert again.id == item.id and again.claimed_by == "w2" and again.attempts == 2


def test_a_failing_item_backs_off_then_gives_up(session):
    item = enqueue(session, kind="ping", payload={}, now=NOW)
    session.commit()
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [claimed] = claim(session, worker="w", now=moment)
        fail(session, claimed, now=moment, error=ValueError(f"boom {attempt}"))
        session.commit()
        if attempt < MAX_ATTEMPTS:
            assert claimed.due_at > moment
            moment = claimed.due_at
    assert item.failed_at is not None and "boom" in item.last_error
    assert claim(session, worker="w", now=moment + timedelta(days=1)) == []


def test_run_due_items_runs_each_in_its_own_transaction(engine, session):
    for n in range(3):
        enqueue(session, kind="job", payload={"n": n}, now=NOW)
    session.commit()
    seen = []

    def handler(s, item, now):
        if item.payload["n"] == 1:
            raise RuntimeError("this one fails")
        seen.append(item.payload["n"])

    ran = run_due_items(make_session_factory(engine), handlers={"job": handler}, worker="w", now=lambda: NOW)
    assert ran == 3 and sorted(seen) == [0, 2]
    session.expire_all()
    rows = {i.payload["n"]: i for i in session.scalars(select(WorkItem))}
    assert rows[0].done_at and rows[2].done_at and rows[1].done_at is None and "this one fails" in rows[1].last_error


def test_two_workers_claiming_at_once_never_share_an_item(database_url, engine, session):
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED concurrency is a PostgreSQL matter; SQLite serialises writers")
    for n in range(40):
        enqueue(session, kind="ping", payload={"n": n}, now=NOW)
    session.commit()
    factory = make_session_factory(engine)
    barrier = Barrier(4)

    def worker(name: str) -> list[int]:
        got = []
        with factory() as s:
            barrier.wait()
            while batch := claim(s, worker=name, now=NOW, limit=3):
                got += [i.id for i in batch]
                s.commit()
        return got

    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(worker, ["a", "b", "c", "d"]))
    every = [item for got in claims for item in got]
    assert len(every) == 40 and len(set(every)) == 40
    assert sum(1 for got in claims if got) >= 2  # the work really was spread, not serialised into one
