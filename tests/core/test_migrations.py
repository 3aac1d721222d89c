"""Migrations are the only schema path: they must match the models and undo cleanly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.db import Base, make_engine, ours
from core.migrate import downgrade, upgrade


def test_the_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        options = {"compare_type": True, "include_name": ours}
        differences = compare_metadata(MigrationContext.configure(connection, opts=options),
                                       Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_back_up(database_url):
    downgrade(database_url, "base")
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    if engine.dialect.name == "postgresql":  # Procrastinate's functions and types went with its tables
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%%'"
                                              ).scalar() == 0
    upgrade(database_url)
    assert "jobs" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrading_from_the_first_revision_keeps_each_technicians_shift(database_url):
    from sqlalchemy import text

    downgrade(database_url, "0001")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO regions (code, name, center_lat, center_lon) VALUES ('r', 'R', 31, 120)"))
        connection.execute(text("INSERT INTO users (username, display_name, role, password_hash, active, created_at) "
                                "VALUES ('t', 'T', 'technician', 'x', true, '2026-01-01T00:00:00+00:00')"))
        connection.execute(text("INSERT INTO technicians (user_id, region_id, home_lat, home_lon, shift_start, shift_end, "
                                "daily_job_cap) SELECT u.id, r.id, 31, 120, '09:00:00', '18:00:00', 8 FROM users u, regions r"))
    upgrade(database_url)
    with engine.begin() as connection:
        shifts = connection.execute(text('SELECT weekday, start, "end" FROM technician_shifts ORDER BY weekday')).all()
        for table in ("technician_shifts", "technicians", "users", "regions"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    assert [row[0] for row in shifts] == [0, 1, 2, 3, 4]
    assert {(str(row[1])[:5], str(row[2])[:5]) for row in shifts} == {("09:00", "18:00")}
