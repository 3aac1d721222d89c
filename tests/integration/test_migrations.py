"""Migrations are the only schema path: they must match the models and undo cleanly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.db import Base, make_engine
from core.migrate import downgrade, upgrade


def test_the_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_back_up(database_url):
    downgrade(database_url, "base")
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(database_url)
    assert "jobs" in inspect(engine).get_table_names()
    engine.dispose()
