"""The one Alembic chain upgrades from empty to head and downgrades back, on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from bookctl.store import migrate
from bookctl.store.db import make_engine

TABLES = {
    "services",
    "availability_rules",
    "availability_overrides",
    "time_off_blocks",
    "busy_times",
    "appointments",
}


def test_upgrade_downgrade_upgrade(empty_db_url) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert migrate.current(engine) is None
        assert migrate.upgrade(engine) == migrate.head(engine)
        names = set(sa.inspect(engine).get_table_names())
        assert names >= TABLES
        # Idempotent: a second upgrade changes nothing.
        assert migrate.upgrade(engine) == migrate.head(engine)

        assert migrate.downgrade(engine, "base") is None
        left = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set()

        assert migrate.upgrade(engine) == migrate.head(engine)
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_range_query_indexes_exist(db_url) -> None:
    engine = make_engine(db_url)
    try:
        inspector = sa.inspect(engine)

        def indexed(table: str) -> list[list[str]]:
            return [index["column_names"] for index in inspector.get_indexes(table)]

        assert ["blocked_start", "blocked_end"] in indexed("appointments")
        assert ["scheduled_start"] in indexed("appointments")
        assert ["start_at", "end_at"] in indexed("time_off_blocks")
        assert ["start_at", "end_at"] in indexed("busy_times")
    finally:
        engine.dispose()


def test_models_match_the_migrated_schema(db_url) -> None:
    """The SQLModel tables and the Alembic chain describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import bookctl.store.models  # noqa: F401 (registers the tables)

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []
