"""Where configuration lives: the config file lookup and the default database location.

Kept free of pydantic so that quick paths (an idle cron run) can read them cheaply.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

CONFIG_FILENAME = "bookctl.toml"


def user_config_file() -> Path:
    """``$XDG_CONFIG_HOME/bookctl/bookctl.toml`` on Linux (platformdirs elsewhere)."""
    return user_config_path("bookctl", appauthor=False) / CONFIG_FILENAME


def default_database_url() -> str:
    """A SQLite file in the user data dir."""
    return f"sqlite:///{user_data_path('bookctl', appauthor=False) / 'bookctl.db'}"


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    """The config file in force, or None; a named one (option or variable) may be new."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get("BOOKCTL_CONFIG")
    if from_env:
        return Path(from_env).expanduser()
    for candidate in (Path.cwd() / CONFIG_FILENAME, user_config_file()):
        if candidate.is_file():
            return candidate
    return None
