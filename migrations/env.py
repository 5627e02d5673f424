"""Alembic environment: one chain for SQLite (batch mode) and PostgreSQL.

bookctl runs migrations programmatically (``bookctl db upgrade``) and passes its own
connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from bookctl.store import models  # noqa: F401  (registers the tables on the metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from bookctl.store.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
