"""The public report is the hottest write path: its round trips to the database are counted here,
so a change that adds a look-up (or an ORM flush that re-reads something) fails a test instead of
quietly slowing every QR report down."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from dispatch.jobs.models import EventKind, Job, JobEvent
from tests.api.conftest import report_body
from tests.conftest import NOW


@contextmanager
def statements_of(app):
    """The SQL statements the app sends while the block runs, without transaction control (SQLite's
    BEGIN IMMEDIATE is sent as a statement, PostgreSQL's BEGIN and COMMIT are not)."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            sent.append(" ".join(statement.split()))

    engine = app.extensions["aftercare_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_report_joining_the_open_job_costs_one_round_trip_on_postgresql(app, client, world, session):
    first = client.post("/api/v1/reports", json=report_body(world.asset))
    assert first.status_code == 201
    clock = app.extensions["aftercare"].clock
    clock.advance(timedelta(minutes=5))
    with statements_of(app) as sent:
        joined = client.post("/api/v1/reports", json=report_body(world.asset, fault_text="Now it is also noisy"))
    assert joined.status_code == 200 and joined.json["number"] == first.json["number"]
    if _dialect(app) == "postgresql":
        # Finding the open job by QR token, marking it updated and appending the event: one
        # statement (an UPDATE and an INSERT in data-modifying CTEs).
        assert len(sent) == 1 and sent[0].startswith("WITH touched AS (UPDATE jobs"), sent
        assert "INSERT INTO job_events" in sent[0]
    else:
        # SQLite has no data-modifying CTEs: the touch is one statement, the event another.
        assert [s.split()[0] for s in sent] == ["UPDATE", "INSERT"], sent
        assert "job_events" in sent[1]
    job = session.scalar(select(Job))
    assert job.updated_at == NOW + timedelta(minutes=5)
    kinds = session.scalars(select(JobEvent.kind).order_by(JobEvent.id)).all()
    assert kinds == [EventKind.CREATED, EventKind.REPORT_ATTACHED]


def test_a_report_opening_a_job_costs_eight_statements(app, client, world):
    with statements_of(app) as sent:
        response = client.post("/api/v1/reports", json=report_body(world.asset))
    assert response.status_code == 201
    # No open job (UPDATE matches nothing), the appliance with its warranty terms and its customer, the
    # SLA policy, the job, its event, the dispatch work item, and the customer's "report received"
    # message with the work item that sends it.
    first = "WITH" if _dialect(app) == "postgresql" else "UPDATE"
    assert [s.split()[0] for s in sent] == [first, "SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "INSERT",
                                            "INSERT"], sent
    assert "outbox_messages" in sent[6] and "work_items" in sent[7]


def _dialect(app) -> str:
    return app.extensions["aftercare_engine"].dialect.name


def test_an_unknown_qr_token_writes_nothing_and_names_the_field(app, client, world, counts):
    before = counts()
    with statements_of(app) as sent:
        response = client.post("/api/v1/reports", json=report_body(world.asset, qr_token="no-such-token"))
    assert response.status_code == 422 and "qr_token" in response.json["errors"]["json"]
    assert counts() == before
    assert not [s for s in sent if s.startswith("INSERT")]


def test_a_report_reads_nothing_of_the_shared_rate_limit_but_counts_itself_once(app, world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the database:// limit storage is PostgreSQL's default; SQLite counts per process")
    from api.app import create_app
    from core.settings import Settings

    settings = Settings(**{**app.extensions["aftercare"].settings.__dict__, "rate_limit_storage_uri": "database://"})
    shared = create_app(settings, clock=app.extensions["aftercare"].clock, testing=True)
    try:
        with statements_of(shared) as sent:
            response = shared.test_client().post("/api/v1/reports", json=report_body(world.asset))
        assert response.status_code == 201
        # The hit, one upsert; no reads of the count for X-RateLimit-* headers.
        counted = [s for s in sent if "rate_limit_counters" in s]
        assert len(counted) == 1 and counted[0].startswith("INSERT INTO rate_limit_counters"), counted
    finally:
        shared.extensions["aftercare_engine"].dispose()
