"""Database adapter: engines for SQLite and PostgreSQL, the UTC column type, naming rules.

SQLite runs in WAL mode with a busy timeout, and write transactions start with
``BEGIN IMMEDIATE`` so a check-then-insert holds the write lock from its first read.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine

from bookctl.domain.errors import ValidationError

# Named constraints keep Alembic batch mode (SQLite) and PostgreSQL in step.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_S = 30.0
# PostgreSQL connections idle in the pool longer than this are pinged before reuse.
PING_AFTER_IDLE_S = 0.5
_LAST_USED = "bookctl_last_used"
_BEGIN_OPTION = "bookctl_begin"


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An instant: ``timestamptz`` on PostgreSQL, naive-UTC text on SQLite; aware UTC in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime bound to a UTC column")
        value = value.astimezone(UTC)
        # SQLite compares these as text; one fixed naive format keeps the order right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with bookctl's connection settings."""
    url = normalize_url(url)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise ValidationError(f"invalid database URL {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        engine = sa.create_engine(parsed, connect_args={"connect_timeout": 10}, **kwargs)
        _ping_idle_connections(engine)
        return engine
    raise ValidationError(
        f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://"
    )


def _ping_idle_connections(engine: Engine) -> None:
    """Pre-ping pooled connections on checkout, except those checked in moments ago.

    Like ``pool_pre_ping`` (a dead connection is replaced before use), minus the round trip
    for a connection that was just working: that ping would be a sixth of a booking's time.
    HikariCP skips its alive check within the same window.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, -math.inf) <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # Probably a server restart: the pool retries with fresh connections.
                raise sa.exc.InvalidatePoolError() from error
            raise


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, but SQLite transactions take the write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
    return engine
