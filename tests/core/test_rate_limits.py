"""Rate limits counted in the database: every worker process (and host) shares one count."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from core.db import make_engine
from core.rate_limits import DatabaseStorage


def test_two_processes_worth_of_limiters_share_one_count(engine, database_url):
    # Two storages on two engines stand for two gunicorn workers: each alone would allow 3.
    limit = parse("3 per minute")
    first = FixedWindowRateLimiter(DatabaseStorage(engine=engine))
    other_engine = make_engine(database_url)
    try:
        second = FixedWindowRateLimiter(DatabaseStorage(engine=other_engine))
        answers = [first.hit(limit, "report", "10.0.0.1"), second.hit(limit, "report", "10.0.0.1"),
                   first.hit(limit, "report", "10.0.0.1"), second.hit(limit, "report", "10.0.0.1")]
        assert answers == [True, True, True, False]
        assert second.hit(limit, "report", "10.0.0.2")  # another address has its own count
    finally:
        other_engine.dispose()


def test_parallel_hits_are_each_counted_once(engine, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; racing hits are a PostgreSQL matter")
    limit = parse("10 per minute")
    storage = DatabaseStorage(engine=engine)
    limiter = FixedWindowRateLimiter(storage)
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda _: limiter.hit(limit, "login", "10.0.0.9"), range(16)))
    assert allowed.count(True) == 10


def test_a_lapsed_window_starts_again_and_clear_forgets(engine):
    storage = DatabaseStorage(engine=engine)
    assert storage.incr("k", expiry=60) == 1 and storage.incr("k", expiry=60) == 2
    assert storage.get("k") == 2 and storage.get_expiry("k") > 0
    assert storage.incr("lapsed", expiry=-1) == 1 and storage.incr("lapsed", expiry=60) == 1
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()
