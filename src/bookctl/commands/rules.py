"""``bookctl rules add | list | remove``: weekly opening hours."""

from __future__ import annotations

from typing import Annotated

import typer

from bookctl.commands import _common
from bookctl.commands._common import TzOption
from bookctl.output import (
    JsonOption,
    emit,
    emit_rows,
    info,
    use_json,
    with_short_id,
)

app = _common.command_app("Weekly availability rules, in local wall-clock time.")

COLUMNS = [
    ("id", "ID"),
    ("weekday_name", "Day"),
    ("start_time", "From"),
    ("end_time", "To"),
    ("timezone", "Zone"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    weekday: Annotated[
        str, typer.Option("--weekday", help="0 (Monday) … 6 (Sunday), or mon … sun.")
    ],
    start: Annotated[str, typer.Option("--start", help="Opening time, HH:MM.")],
    end: Annotated[str, typer.Option("--end", help="Closing time, HH:MM (24:00 for midnight).")],
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """Open a window every week on one weekday.

    Example: bookctl rules add --weekday mon --start 09:00 --end 13:30 --tz Europe/Madrid
    """
    from bookctl.domain.timeparse import parse_closing, parse_hhmm, parse_weekday
    from bookctl.services import catalog
    from bookctl.views import rule_json

    use_json(json)
    day = parse_weekday(weekday)
    opens, closes = parse_hhmm(start), parse_closing(end)
    rule = catalog.add_rule(_common.app(ctx).uow(), day, opens, closes, _common.zone(ctx, tz))
    info(f"Added rule {rule.id}.")
    data = rule_json(rule)
    emit(data, json=json)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the weekly rules by weekday.

    Example: bookctl rules list
    """
    from bookctl.services import catalog
    from bookctl.views import rule_json

    use_json(json)
    rows = [rule_json(rule) for rule in catalog.list_rules(_common.app(ctx).uow(write=False))]
    emit_rows(rows, COLUMNS, json=json, empty="no rules yet", display=with_short_id)


@app.command("remove")
def remove(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(metavar="RULE_ID", help="Id or unique prefix.")],
    json: JsonOption = False,
) -> None:
    """Remove a weekly rule.

    Example: bookctl rules remove 3f2a
    """
    from bookctl.services import catalog
    from bookctl.views import rule_json

    use_json(json)
    rule = catalog.remove_rule(_common.app(ctx).uow(), rule_id)
    info(f"Removed rule {rule.id}.")
    data = rule_json(rule)
    emit(data, json=json)
