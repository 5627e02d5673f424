"""``bookctl blocks add | list | remove``: time off."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from bookctl.commands import _common
from bookctl.commands._common import TzOption
from bookctl.output import (
    JsonOption,
    emit,
    emit_rows,
    info,
    local_time,
    short_id,
    use_json,
    warn,
)

app = _common.command_app("Time off: blocks of time nobody can book.")

COLUMNS = [("id", "ID"), ("start", "From"), ("end", "To"), ("reason", "Reason")]


def _local(row: Mapping[str, Any], tz: str) -> dict[str, Any]:
    return dict(
        row,
        id=short_id(row["id"]),
        start=local_time(row["start"], tz),
        end=local_time(row["end"], tz),
    )


@app.command("add")
def add(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--start", help="Start, YYYY-MM-DDTHH:MM[+offset].")],
    end: Annotated[str, typer.Option("--end", help="End, YYYY-MM-DDTHH:MM[+offset].")],
    reason: Annotated[str | None, typer.Option("--reason", help="A note for staff.")] = None,
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """Block time off; appointments already inside it are kept (and reported).

    Example: bookctl blocks add --start 2027-08-02T00:00 --end 2027-08-16T00:00 --reason Vacaciones
    """
    from bookctl.domain.timeparse import parse_datetime
    from bookctl.services import catalog
    from bookctl.views import block_json

    use_json(json)
    zone_name = _common.zone(ctx, tz)
    result = catalog.add_block(
        _common.app(ctx).uow(),
        parse_datetime(start, zone_name),
        parse_datetime(end, zone_name),
        reason,
    )
    if result.overlapping_appointments:
        warn(
            f"{result.overlapping_appointments} active appointment(s) fall inside this block; "
            "they stay booked until you cancel or reschedule them"
        )
    info(f"Added block {result.block.id}.")
    data = block_json(result.block)
    emit(data, json=json)


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include blocks that have ended.")] = False,
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """List time off that has not ended yet.

    Example: bookctl blocks list --json
    """
    from bookctl.services import catalog
    from bookctl.views import block_json

    use_json(json)
    application = _common.app(ctx)
    blocks = catalog.list_blocks(
        application.uow(write=False), ending_after=None if all_ else application.clock()
    )
    rows = [block_json(block) for block in blocks]
    zone_name = _common.zone(ctx, tz)
    emit_rows(
        rows, COLUMNS, json=json, empty="no time off", display=lambda row: _local(row, zone_name)
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    block_id: Annotated[str, typer.Argument(metavar="BLOCK_ID", help="Id or unique prefix.")],
    json: JsonOption = False,
) -> None:
    """Remove a block of time off.

    Example: bookctl blocks remove 9d0b
    """
    from bookctl.services import catalog
    from bookctl.views import block_json

    use_json(json)
    block = catalog.remove_block(_common.app(ctx).uow(), block_id)
    info(f"Removed block {block.id}.")
    data = block_json(block)
    emit(data, json=json)
