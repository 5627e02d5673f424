"""``bookctl config show``."""

from __future__ import annotations

import typer

from bookctl.commands import _common
from bookctl.output import JsonOption, emit, use_json

app = _common.command_app("Configuration.")


@app.command("show")
def show(ctx: typer.Context, json: JsonOption = False) -> None:
    """Show the settings in force, with secrets masked, and the config file they came from.

    Example: bookctl config show --json
    """
    from bookctl.settings import display_values

    use_json(json)
    settings = _common.state(ctx).settings()
    values = {"config_file": str(settings.config_file) if settings.config_file else None}
    values.update(display_values(settings))
    emit(values, json=json)
