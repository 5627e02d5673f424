"""Run the Alembic chain programmatically (``bookctl init`` / ``db upgrade`` / ``db current``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from bookctl.resources import data_path


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(data_path("migrations")))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate to ``revision``; returns the revision now in force."""
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Migrate down to ``revision`` (``base`` for empty)."""
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return current(engine)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head(engine: Engine) -> str | None:
    """The newest revision this installation ships."""
    return ScriptDirectory.from_config(_config(engine)).get_current_head()
