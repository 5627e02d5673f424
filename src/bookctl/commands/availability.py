"""``bookctl availability SERVICE_ID --date D [--days N] [--tz TZ]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bookctl.commands import _common
from bookctl.commands._common import TzOption
from bookctl.output import JsonOption, emit_json, emit_table, local_time, use_json

if TYPE_CHECKING:
    from bookctl.services.availability import Availability

app = _common.command_app()


def availability_json(found: Availability) -> dict[str, Any]:
    """The contract's availability shape, slots in the requested zone."""
    from bookctl.domain.timeparse import iso

    return {
        "service_id": found.service.id,
        "timezone": found.timezone,
        "slots": [
            {"start": iso(slot.start, found.timezone), "end": iso(slot.end, found.timezone)}
            for slot in found.slots
        ],
    }


def render_slots(found: Availability, *, limit: int | None = None) -> None:
    """Slots as a table on a TTY, ``start<TAB>end`` lines when piped."""
    shown = found.slots[:limit] if limit else found.slots
    rows = [
        {
            "start": local_time(slot.start, found.timezone),
            "end": local_time(slot.end, found.timezone),
        }
        for slot in shown
    ]
    emit_table(rows, [("start", "Start"), ("end", "End")], empty="no open slots")


@app.command("availability")
def availability(
    ctx: typer.Context,
    service_id: Annotated[str, typer.Argument(metavar="SERVICE_ID")],
    day: Annotated[str, typer.Option("--date", help="First local date, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="How many dates to cover.")] = 1,
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """Show open slots of a service whose start falls on the given local dates.

    Example: bookctl availability consulta --date 2027-03-01 --days 7 --tz America/Mexico_City
    """
    from bookctl.domain.timeparse import parse_date
    from bookctl.services.availability import find_slots

    use_json(json)
    zone_name = _common.zone(ctx, tz)
    found = find_slots(
        _common.app(ctx).uow(write=False), service_id, parse_date(day), days, zone_name
    )
    if json:
        emit_json(availability_json(found))
    else:
        render_slots(found)
