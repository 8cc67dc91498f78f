"""Alembic builds the schema from an empty PostgreSQL database, as it does on SQLite."""

from __future__ import annotations

from tests.unit.core.test_migrations import check_fresh_migration


def test_migrations_from_empty_postgres(postgres_server):
    postgres_server.create_database("fresh_migration")
    try:
        check_fresh_migration(postgres_server.url("fresh_migration"))
    finally:
        postgres_server.drop_database("fresh_migration")
