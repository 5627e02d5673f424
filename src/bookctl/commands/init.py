"""``bookctl init``: config file, database and migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from bookctl.commands import _common
from bookctl.output import JsonOption, emit_json, emit_record, use_json

app = _common.command_app()


def _write_config(path: Path, timezone: str | None) -> None:
    """A new config file with a database location and a fresh secret key, owner-readable only."""
    import json
    import secrets

    from bookctl.settings import default_database_url

    # The database in use now: $BOOKCTL_DATABASE_URL if set, else the default file.
    # (JSON string syntax is valid TOML basic-string syntax.)
    database_url = os.environ.get("BOOKCTL_DATABASE_URL") or default_database_url()
    lines = [
        "# bookctl configuration. Every key is also a BOOKCTL_<KEY> environment variable,",
        "# which wins over this file. See the README for the full list.",
        f"database_url = {json.dumps(database_url)}",
    ]
    if timezone:
        lines.append(f"timezone = {json.dumps(timezone)}")
    lines.append(f'secret_key = "{secrets.token_urlsafe(32)}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _add_secret(path: Path) -> None:
    """Give an existing config a secret key, keeping its comments."""
    import secrets

    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'secret_key = "{secrets.token_urlsafe(32)}"\n')


def initialise(ctx: typer.Context, timezone: str | None = None) -> dict[str, Any]:
    """Create config and database if missing and migrate to the newest revision."""
    from bookctl.settings import find_config_file, read_config_file, safe_url, user_config_file

    cli = _common.state(ctx)
    path = find_config_file(cli.config) or user_config_file()
    created = not path.exists()
    if created:
        _write_config(path, timezone)
    elif "secret_key" not in read_config_file(path) and not os.environ.get("BOOKCTL_SECRET_KEY"):
        _add_secret(path)
    cli.config = path
    settings = cli.settings()
    from bookctl.store import migrate

    revision = migrate.upgrade(cli.app().engine)
    return {
        "config_file": str(path),
        "config_created": created,
        "database_url": safe_url(settings.database_url),
        "revision": revision,
    }


@app.command("init")
def init(
    ctx: typer.Context,
    json: JsonOption = False,
    config_path: Annotated[
        Path | None,
        typer.Option("--config", help="Write the config here instead of the user config dir."),
    ] = None,
) -> None:
    """Create the config file and database, and migrate it; safe to run again.

    Example: bookctl init
    """
    use_json(json)
    if config_path is not None:
        _common.state(ctx).config = config_path
    result = initialise(ctx)
    if json:
        emit_json(result)
    else:
        emit_record(result)
