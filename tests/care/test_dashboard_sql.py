"""The dashboard counted in SQL gives what the Python version it replaced gave (kept verbatim in
tests/care/dashboard_reference.py), on SQLite and on PostgreSQL, for varied histories: moments on both
sides of the region's midnights at the period's and the trend buckets' edges, daily and weekly trends,
a time zone with a daylight-saving change, both languages. And it asks the database the same number
of questions for ten jobs as for two hundred."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from care.dashboard import build_dashboard
from core.i18n import use_locale
from tests.builders.dashboard import as_reference, build_dashboard_world, comparable
from tests.care import dashboard_reference

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("jobs", "seed", "start", "days", "zone", "locale"), [
    (160, 1, date(2026, 10, 1), 60, "Asia/Shanghai", "en"),        # weekly trend
    (120, 2, date(2026, 11, 9), 14, "Asia/Shanghai", "zh_CN"),     # daily trend, Chinese names
    (60, 3, date(2026, 11, 23), 1, "Asia/Shanghai", "en"),         # one day
    (120, 4, date(2026, 10, 20), 21, "America/New_York", "en"),    # across a daylight-saving change
])
def test_the_sql_dashboard_is_the_python_one(session, jobs, seed, start, days, zone, locale):
    world = build_dashboard_world(session, jobs=jobs, seed=seed, start=start, days=days, tz=ZoneInfo(zone))
    with use_locale(locale):
        new = build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
        old = dashboard_reference.build_dashboard(session, start=world.start, end=world.end, tz=world.tz,
                                                  now=world.now)
    assert new.trend and new.faults and new.at_risk and new.worst_regions  # something to compare
    assert as_reference(comparable(new), comparable(old)) == comparable(old)


def test_a_period_with_no_jobs_is_the_same_empty_dashboard(session):
    world = build_dashboard_world(session, jobs=30)  # nothing reported before the summer
    asked = {"start": date(2026, 1, 1), "end": date(2026, 1, 30), "tz": SHANGHAI, "now": world.now}
    new, old = build_dashboard(session, **asked), dashboard_reference.build_dashboard(session, **asked)
    assert not new.faults and not new.at_risk and new.metrics[0].rate.total == 0
    assert as_reference(asdict(new), asdict(old)) == asdict(old)


def _statements(session, world) -> int:
    engine = session.get_bind()
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_number_of_statements_does_not_grow_with_the_jobs(session):
    few = _statements(session, build_dashboard_world(session, jobs=10, seed=5))
    many = _statements(session, build_dashboard_world(session, jobs=190, seed=6))  # 200 jobs in all
    assert few == many
    assert few <= 40  # the period, and the previous one for comparison
