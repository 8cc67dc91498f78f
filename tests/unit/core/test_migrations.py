"""Alembic builds the schema from an empty database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from core import models  # noqa: F401
from core.db import Base
from core.migrate import upgrade_database

TABLES = {*Base.metadata.tables, "alembic_version"}


def check_fresh_migration(url: str) -> None:
    upgrade_database(url)
    upgrade_database(url)  # a second run is a no-op
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_migrations_from_empty_sqlite(tmp_path):
    check_fresh_migration(f"sqlite:///{tmp_path / 'fresh.db'}")
