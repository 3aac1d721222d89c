"""Every number of the dashboard opens exactly the jobs it counted: on a varied history (regions and
none, two technicians of one name, breaches of several causes), the drill-down of each headline, each
table row, each model's faults and each breach cause lists as many rows as the dashboard shows."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from care.dashboard import build_dashboard, period_bounds
from care.drilldown import Group, UnknownNumber, jobs_behind, list_jobs
from tests.builders.dashboard import build_dashboard_world

EVERY = Group()


@pytest.fixture
def world(session):
    return build_dashboard_world(session, jobs=120, seed=11, start=date(2026, 10, 1), days=30)


def _count(session, world, what, group=EVERY, **more) -> int:
    lo, hi = period_bounds(world.start, world.end, world.tz)
    total, lines = list_jobs(session, jobs_behind(session, what=what, lo=lo, hi=hi, now=world.now, group=group,
                                                  **more))
    assert total == len(lines)
    return total


def test_each_headline_opens_the_jobs_it_counted(session, world):
    board = build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
    for metric, (counted, kept) in zip(board.metrics, [("response", "response_kept"), ("repair", "repair_kept"),
                                                       ("answered", "satisfied")], strict=True):
        assert (_count(session, world, kept), _count(session, world, counted)) == (metric.rate.hit, metric.rate.total)
    missed = {"response_missed": board.metrics[0], "repair_missed": board.metrics[1]}
    for what, metric in missed.items():
        assert _count(session, world, what) == metric.rate.total - metric.rate.hit > 0


def test_each_region_technician_and_model_row_opens_its_jobs(session, world):
    board = build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
    assert any(None in row.ids for row in board.regions)      # the jobs of no region are a row too
    assert any(len(row.ids) > 1 for row in board.technicians)  # two technicians of one name are one row
    for kind, rows in (("regions", board.regions + board.worst_regions),
                       ("technicians", board.technicians + board.worst_technicians),
                       ("models", board.worst_models)):
        for row in rows:
            group = Group(**{kind: row.ids})
            assert _count(session, world, "jobs", group) == row.jobs
            assert _count(session, world, "response_missed", group) == row.response_missed
            assert _count(session, world, "repair_missed", group) == row.repair_missed
            assert _count(session, world, "low", group) == row.low_scores
            assert _count(session, world, "answered", group) == row.answers
    for fault in board.faults:
        group = Group(models=[fault.model_id])
        assert _count(session, world, "faults", group) == fault.jobs
        assert _count(session, world, "fault_repeats", group) == fault.repeat_jobs
    assert any(fault.repeat_jobs for fault in board.faults)


def test_each_breach_cause_opens_its_breaches(session, world):
    board = build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
    assert len(board.breach_causes) >= 2
    for clock, cause, n in board.breach_causes:
        assert _count(session, world, "breaches", clock=clock, cause=cause) == n


def test_an_unknown_number_is_refused(session, world):
    lo, hi = period_bounds(world.start, world.end, world.tz)
    with pytest.raises(UnknownNumber):
        jobs_behind(session, what="everything", lo=lo, hi=hi, now=world.now)


def test_a_drill_down_is_two_statements_a_count_and_the_list(session, world):
    lo, hi = period_bounds(world.start, world.end, world.tz)
    seen = []
    engine = session.get_bind()

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for what in ("jobs", "response_missed", "ftf_counted", "repeat_visits", "breaches"):
            before = len(seen)
            list_jobs(session, jobs_behind(session, what=what, lo=lo, hi=hi, now=world.now,
                                                           group=Group(regions=[None])))
            assert len(seen) - before == 2, what
    finally:
        event.remove(engine, "before_cursor_execute", count)
