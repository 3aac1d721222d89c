"""The statements of the intake hot path: what they do to the session, and how PostgreSQL plans them."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from psycopg.sql import Literal
from sqlalchemy import event, text

from dispatch.intake.services import FaultReport, report_fault, report_fault_by_qr
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, EventKind
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")


def _report(text_: str = "The fridge is not cooling at all") -> FaultReport:
    return FaultReport(Channel.QR, text_, "Li Lei", "13800000000")


def test_joining_refreshes_the_job_and_history_the_session_already_holds(session):
    asset = make_asset(session)
    job = report_fault(session, asset=asset, report=_report(), actor=CUSTOMER, now=NOW, tz=TZ).job
    assert [e.kind for e in job.events] == [EventKind.CREATED]  # the history is now loaded in the session
    later = NOW + timedelta(hours=1)
    joined = report_fault_by_qr(session, qr_token=asset.qr_token, report=_report("Now it leaks too"),
                                actor=CUSTOMER, now=later, tz=TZ)
    assert joined.created is False and joined.number == job.number and joined.status == job.status
    assert job.updated_at == later  # the UPDATE's RETURNING row refreshed the object in the session
    assert [e.kind for e in job.events] == [EventKind.CREATED, EventKind.REPORT_ATTACHED]


def test_a_join_does_not_geocode_and_a_new_job_does(session):
    asset = make_asset(session)
    located = []

    def locate(report, located_asset):
        located.append(located_asset.id)
        return report

    first = report_fault_by_qr(session, qr_token=asset.qr_token, report=_report(), actor=CUSTOMER, now=NOW, tz=TZ,
                               locate=locate)
    second = report_fault_by_qr(session, qr_token=asset.qr_token, report=_report(), actor=CUSTOMER, now=NOW, tz=TZ,
                                locate=locate)
    assert (first.created, second.created) == (True, False)
    assert located == [asset.id]  # only the new job needed to know where the visit goes


def test_the_open_job_look_up_uses_the_one_open_job_index_in_a_cached_plan(session, engine):
    """psycopg prepares a statement after a few runs and PostgreSQL may then use one generic plan
    for any parameters. The open statuses are literals in the SQL, so that plan can still prove the
    partial one-open-job-per-asset index applies (with bound statuses it scans every job)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("plans are PostgreSQL's; SQLite has no prepared-plan cache to get wrong")
    asset = make_asset(session)
    report_fault(session, asset=asset, report=_report(), actor=CUSTOMER, now=NOW, tz=TZ)
    sent: list[tuple[str, dict]] = []
    listener = lambda _c, _cur, statement, params, *_rest: sent.append((statement, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        report_fault_by_qr(session, qr_token=asset.qr_token, report=_report(), actor=CUSTOMER, now=NOW, tz=TZ)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # The join may also append the event in the same statement (a data-modifying CTE on PostgreSQL).
    statement, params = next((s, p) for s, p in sent if "UPDATE jobs" in s)
    names = re.findall(r"%\((\w+)\)s", statement)
    numbered = statement
    for n, name in enumerate(names, start=1):
        numbered = numbered.replace(f"%({name})s", f"${n}", 1)
    session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    session.connection().exec_driver_sql(f"PREPARE touch_open_job AS {numbered}")
    try:
        driver = session.connection().connection.driver_connection
        arguments = ", ".join(Literal(params[name]).as_string(driver) for name in names)
        plan = "\n".join(session.connection().exec_driver_sql(f"EXPLAIN EXECUTE touch_open_job({arguments})")
                         .scalars())
    finally:
        session.connection().exec_driver_sql("DEALLOCATE touch_open_job")
    assert "uq_jobs_one_open_per_asset" in plan, plan
    assert "Seq Scan on jobs" not in plan, plan
