"""``bookctl services add | list | show | update | remove``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from bookctl.commands import _common
from bookctl.output import JsonOption, emit, emit_rows, info, use_json

if TYPE_CHECKING:
    from bookctl.store.models import Service

app = _common.command_app("Services: what customers can book, with durations and buffers.")

NameOpt = Annotated[str | None, typer.Option("--name", help="Name shown to customers.")]
DurationOpt = Annotated[int | None, typer.Option("--duration", help="Session length in minutes.")]
BeforeOpt = Annotated[
    int | None, typer.Option("--buffer-before", help="Free minutes needed before.")
]
AfterOpt = Annotated[int | None, typer.Option("--buffer-after", help="Free minutes needed after.")]
IntervalOpt = Annotated[
    int | None,
    typer.Option("--slot-interval", help="Minutes between slot starts (default: duration)."),
]
NoticeOpt = Annotated[
    int | None, typer.Option("--min-notice", help="Minutes of notice a booking needs (default 60).")
]
AdvanceOpt = Annotated[
    int | None,
    typer.Option("--max-advance-days", help="How many days ahead bookings open (default 60)."),
]

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("duration_minutes", "Minutes"),
    ("buffer_before_minutes", "Before"),
    ("buffer_after_minutes", "After"),
    ("slot_interval_minutes", "Interval"),
    ("min_notice_minutes", "Notice"),
    ("max_advance_days", "Days ahead"),
    ("active", "Active"),
]


def _render(service: Service, json: bool) -> None:
    from bookctl.views import service_json

    data = service_json(service)
    emit(data, json=json)


@app.command("add")
def add(
    ctx: typer.Context,
    service_id: Annotated[
        str, typer.Argument(metavar="SERVICE_ID", help="Short id, e.g. consulta.")
    ],
    name: Annotated[str, typer.Option("--name", help="Name shown to customers.")],
    duration: Annotated[int, typer.Option("--duration", help="Session length in minutes.")],
    buffer_before: BeforeOpt = None,
    buffer_after: AfterOpt = None,
    slot_interval: IntervalOpt = None,
    min_notice: NoticeOpt = None,
    max_advance_days: AdvanceOpt = None,
    json: JsonOption = False,
) -> None:
    """Add a service.

    Example: bookctl services add consulta --name "Consulta" --duration 50 --buffer-after 10
    """
    from bookctl.services import catalog

    use_json(json)
    service = catalog.add_service(
        _common.app(ctx).uow(),
        service_id,
        catalog.ServiceChanges(
            name=name,
            duration=duration,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            slot_interval=slot_interval,
            min_notice=min_notice,
            max_advance_days=max_advance_days,
        ),
    )
    info(f"Added service {service.id}.")
    _render(service, json)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List services, active and inactive.

    Example: bookctl services list --json
    """
    from bookctl.services import catalog
    from bookctl.views import service_json

    use_json(json)
    rows: list[dict[str, Any]] = [
        service_json(item) for item in catalog.list_services(_common.app(ctx).uow(write=False))
    ]
    emit_rows(rows, COLUMNS, json=json, empty="no services yet")


@app.command("show")
def show(
    ctx: typer.Context,
    service_id: Annotated[str, typer.Argument(metavar="ID")],
    json: JsonOption = False,
) -> None:
    """Show one service.

    Example: bookctl services show consulta
    """
    from bookctl.services import catalog

    use_json(json)
    _render(catalog.get_service(_common.app(ctx).uow(write=False), service_id), json)


@app.command("update")
def update(
    ctx: typer.Context,
    service_id: Annotated[str, typer.Argument(metavar="ID")],
    name: NameOpt = None,
    duration: DurationOpt = None,
    buffer_before: BeforeOpt = None,
    buffer_after: AfterOpt = None,
    slot_interval: IntervalOpt = None,
    min_notice: NoticeOpt = None,
    max_advance_days: AdvanceOpt = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Open or close the service for booking."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Change a service; existing appointments keep their times.

    Example: bookctl services update consulta --duration 60 --inactive
    """
    from bookctl.services import catalog

    use_json(json)
    service = catalog.update_service(
        _common.app(ctx).uow(),
        service_id,
        catalog.ServiceChanges(
            name=name,
            duration=duration,
            buffer_before=buffer_before,
            buffer_after=buffer_after,
            slot_interval=slot_interval,
            min_notice=min_notice,
            max_advance_days=max_advance_days,
            active=active,
        ),
    )
    info(f"Updated service {service.id}.")
    _render(service, json)


@app.command("remove")
def remove(
    ctx: typer.Context,
    service_id: Annotated[str, typer.Argument(metavar="ID")],
    json: JsonOption = False,
) -> None:
    """Remove a service that has no appointments (deactivate it otherwise).

    Example: bookctl services remove consulta
    """
    from bookctl.services import catalog

    use_json(json)
    service = catalog.remove_service(_common.app(ctx).uow(), service_id)
    info(f"Removed service {service.id}.")
    _render(service, json)
