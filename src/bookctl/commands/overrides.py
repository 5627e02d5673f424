"""``bookctl overrides add | list | remove``: special hours or closures on one date."""

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

app = _common.command_app(
    "Per-date overrides: different hours, or closed, replacing the weekly rules that date."
)

COLUMNS = [
    ("id", "ID"),
    ("date", "Date"),
    ("closed", "Closed"),
    ("start_time", "From"),
    ("end_time", "To"),
    ("timezone", "Zone"),
    ("reason", "Reason"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The local date, YYYY-MM-DD.")],
    start: Annotated[str | None, typer.Option("--start", help="Opening time, HH:MM.")] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Closing time, HH:MM (24:00 for midnight).")
    ] = None,
    closed: Annotated[bool, typer.Option("--closed", help="Closed all day.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="A note for staff.")] = None,
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """Set the hours of one date (add several for several windows), or close it.

    Examples: bookctl overrides add --date 2027-12-24 --start 09:00 --end 13:00
              bookctl overrides add --date 2027-12-25 --closed --reason Navidad
    """
    from bookctl.domain.errors import ValidationError
    from bookctl.domain.timeparse import parse_closing, parse_date, parse_hhmm
    from bookctl.services import catalog
    from bookctl.views import override_json

    use_json(json)
    if not closed and (start is None or end is None):
        raise ValidationError("give --start and --end, or --closed")
    if closed and (start is not None or end is not None):
        raise ValidationError("give either --closed or --start/--end, not both")
    item = catalog.add_override(
        _common.app(ctx).uow(),
        parse_date(day),
        _common.zone(ctx, tz),
        start=parse_hhmm(start) if start is not None else None,
        end=parse_closing(end) if end is not None else None,
        closed=closed,
        reason=reason,
    )
    info(f"Added override {item.id}.")
    data = override_json(item)
    emit(data, json=json)


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include past dates.")] = False,
    json: JsonOption = False,
) -> None:
    """List overrides from today on (business zone).

    Example: bookctl overrides list --all
    """
    from bookctl.domain.timeparse import zone
    from bookctl.services import catalog
    from bookctl.views import override_json

    use_json(json)
    application = _common.app(ctx)
    since = (
        None if all_ else application.clock().astimezone(zone(application.settings.timezone)).date()
    )
    rows = [
        override_json(item) for item in catalog.list_overrides(application.uow(write=False), since)
    ]
    emit_rows(rows, COLUMNS, json=json, empty="no overrides", display=with_short_id)


@app.command("remove")
def remove(
    ctx: typer.Context,
    override_id: Annotated[str, typer.Argument(metavar="OVERRIDE_ID", help="Id or unique prefix.")],
    json: JsonOption = False,
) -> None:
    """Remove an override; the weekly rules apply to that date again.

    Example: bookctl overrides remove 7c1e
    """
    from bookctl.services import catalog
    from bookctl.views import override_json

    use_json(json)
    item = catalog.remove_override(_common.app(ctx).uow(), override_id)
    info(f"Removed override {item.id}.")
    data = override_json(item)
    emit(data, json=json)
