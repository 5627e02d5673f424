"""``bookctl db upgrade | current``."""

from __future__ import annotations

import typer

from bookctl.commands import _common
from bookctl.output import JsonOption, emit, use_json

app = _common.command_app("Database migrations.")


@app.command("upgrade")
def upgrade(ctx: typer.Context, json: JsonOption = False) -> None:
    """Migrate the database to the newest revision this version ships.

    Example: bookctl db upgrade
    """
    from bookctl.store import migrate

    use_json(json)
    engine = _common.app(ctx).engine
    before = migrate.current(engine)
    after = migrate.upgrade(engine)
    result = {"previous": before, "current": after, "changed": before != after}
    emit(result, json=json)


@app.command("current")
def current(ctx: typer.Context, json: JsonOption = False) -> None:
    """Show the database's revision and whether it is up to date.

    Example: bookctl db current --json
    """
    from bookctl.store import migrate

    use_json(json)
    engine = _common.app(ctx).engine
    now, newest = migrate.current(engine), migrate.head(engine)
    result = {"current": now, "head": newest, "up_to_date": now == newest}
    emit(result, json=json)
