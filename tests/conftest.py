"""Test fixtures: one database per backend per pytest worker (`make test` runs one worker per core
with pytest-xdist), emptied before each test.

Every test that takes `database_url` runs twice, on SQLite and on PostgreSQL. The PostgreSQL leg is
skipped with a clear message when no server answers, unless AFTERCARE_REQUIRE_POSTGRES=1 (CI), in
which case it fails.
"""
from __future__ import annotations

import dataclasses
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import care.models  # noqa: F401
import core.admin_audit
import core.idempotency
import core.rate_limits  # noqa: F401
import core.sign_in
import core.work_queue  # noqa: F401
import dispatch.jobs.models
import dispatch.planning.models  # noqa: F401
import dispatch.quotes.models  # noqa: F401
import fieldwork.models  # noqa: F401
import inventory.models  # noqa: F401
from core.clock import FixedClock
from core.db import Base, make_engine, make_session_factory, sqlite_begin_mode
from core.migrate import upgrade
from core.settings import Settings
from tests.builders.core import TEST_SECRET_KEY
from tests.s3_server import s3_server  # noqa: F401 - one S3 server for the whole run

POSTGRES_URL = os.environ.get("AFTERCARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("AFTERCARE_REQUIRE_POSTGRES") == "1"
# Monday 23 November 2026, 10:00 in Suzhou.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _postgres_database() -> str:
    """Create a throw-away database for this run on the configured server; return its URL."""
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"aftercare_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # noqa: BLE001 - any failure to reach the server means "no PostgreSQL here"
        message = f"PostgreSQL leg skipped: no server at {admin_url.render_as_string(hide_password=True)} ({error.__class__.__name__})"
        if REQUIRE_POSTGRES:
            pytest.fail(message.replace("skipped", "REQUIRED but unavailable"), pytrace=False)
        pytest.skip(message)
    return admin_url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory):
    """Processes a test starts from the environment (the CLI, a worker) keep their generated secrets
    in a throw-away data folder, never in the repository's var/."""
    path = tmp_path_factory.mktemp("data")
    previous = os.environ.get("AFTERCARE_DATA_DIR")
    os.environ["AFTERCARE_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("AFTERCARE_DATA_DIR", None)
    else:
        os.environ["AFTERCARE_DATA_DIR"] = previous


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'aftercare.db'}"
        upgrade(url)
        yield url
        return
    url = _postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def _engines():
    engines = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def engine(database_url, _engines):
    if database_url not in _engines:
        _engines[database_url] = make_engine(database_url)
    engine = _engines[database_url]
    _empty_database(engine)
    return engine


def _empty_database(engine) -> None:
    # DELETE, not TRUNCATE, on PostgreSQL too: a test's tables hold a handful of rows, and TRUNCATE's
    # fixed cost per table (new files, an exclusive lock) is paid by a thousand tests.
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("; ".join(f"DELETE FROM {table}" for table in tables)))
            # Ids start at 1 again, as they do in a fresh database.
            connection.execute(text(
                "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        # Reference data the migration seeds, put back after emptying.
        connection.execute(text(
            "INSERT INTO sla_policies (code, name, category, respond_minutes, repair_minutes, satisfaction_target) "
            "VALUES ('default', 'Respond in 2 h, repair in 3 days', NULL, 120, 4320, 0.95)"))


@pytest.fixture
def session(engine):
    # DEFERRED: a test's own reads must not hold SQLite's write lock while the app serves a request.
    with sqlite_begin_mode("DEFERRED"), make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """Uploads (photos, receipts, signatures) go to this test's own folder, never the repository's var/."""
    return Settings(database_url=database_url, public_base_url="http://aftercare.test",
                    secret_key=TEST_SECRET_KEY, report_rate_limit="1000 per minute",
                    login_rate_limit="1000 per minute", upload_dir=tmp_path / "uploads")


@pytest.fixture(scope="session")
def _apps():
    """Built apps by their settings: building one registers every blueprint and its OpenAPI
    description, a noticeable cost when paid by each of thousands of tests."""
    apps: dict[str, object] = {}
    yield apps
    for built in apps.values():
        built.extensions["aftercare_engine"].dispose()


@pytest.fixture
def app(settings, engine, clock, _apps):
    """The app for these settings with this test's clock and fresh rate-limit counts. A test that
    changes the app itself (adds a route) builds its own with api.app.create_app."""
    from api.app import create_app, file_storage
    from api.extensions import limiter
    from care import message_settings

    # Tests that keep uploads in their own tmp_path differ only there: they share one built app, given
    # this test's folder (the app reads it through its services at each request).
    key = repr(dataclasses.replace(settings, upload_dir=Path("/uploads-of-each-test")))
    if key not in _apps:
        _apps[key] = create_app(settings, clock=clock, testing=True)
    app = _apps[key]
    app.extensions["aftercare"] = dataclasses.replace(app.extensions["aftercare"], clock=clock, settings=settings,
                                                      storage=file_storage(settings))
    message_settings.configure(settings)
    with app.app_context():
        limiter.reset()
    yield app
    # Connections are not kept between tests: the next test empties the tables.
    app.extensions["aftercare_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_url(app):
    """Base URL of the app served over real HTTP on loopback."""
    from tests.live_server import serve

    with serve(app) as url:
        yield url


def pytest_collection_modifyitems(config, items):
    """A boundary matrix (who may call what, which field is refused) is decided at the web boundary
    and in the services' own checks, whose tests run on both backends; its PostgreSQL copies add
    minutes to the run and no evidence."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (dropped if on_postgres and item.get_closest_marker("boundary_matrix") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
