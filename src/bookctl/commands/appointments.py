"""``bookctl appointments book | list | show | confirm | complete | cancel | reschedule``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from bookctl.commands import _common
from bookctl.commands._common import TzOption
from bookctl.output import (
    JsonOption,
    emit,
    emit_json,
    emit_table,
    info,
    local_time,
    short_id,
    use_json,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bookctl.store.models import Appointment

app = _common.command_app("Appointments: book, list, confirm, complete, cancel, reschedule.")

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Appointment id or unique prefix.")]
COLUMNS = [
    ("id", "ID"),
    ("scheduled_start", "Start"),
    ("service_id", "Service"),
    ("status", "Status"),
    ("customer_name", "Customer"),
    ("customer_email", "Email"),
]


def render_appointments(items: Sequence[Appointment], tz: str) -> None:
    """Appointments as a table (times in ``tz``) or tab-separated lines."""
    from bookctl.views import appointment_json

    rows = []
    for item in items:
        data = appointment_json(item)
        data["id"] = short_id(data["id"])
        data["scheduled_start"] = local_time(item.scheduled_start, tz)
        rows.append(data)
    emit_table(rows, COLUMNS, empty="no appointments")


def _render_one(appointment: Appointment, json: bool) -> None:
    from bookctl.views import appointment_json

    data = appointment_json(appointment)
    emit(data, json=json)


@app.command("book")
def book(
    ctx: typer.Context,
    service_id: Annotated[str, typer.Argument(metavar="SERVICE_ID")],
    start: Annotated[str, typer.Option("--start", help="Slot start, YYYY-MM-DDTHH:MM[+offset].")],
    name: Annotated[str, typer.Option("--name", help="Customer's name.")],
    email: Annotated[str, typer.Option("--email", help="Customer's email.")],
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="Zone of --start and the customer's zone (default BOOKCTL_TIMEZONE)."
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Customer's email language, es or en.")
    ] = None,
    pending: Annotated[
        bool, typer.Option("--pending", help="Hold the slot as pending (e.g. awaiting payment).")
    ] = False,
    order_id: Annotated[
        str | None, typer.Option("--order-id", help="Your order or payment id.")
    ] = None,
    no_email: Annotated[
        bool, typer.Option("--no-email", help="Send no confirmation email.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Staff override: ignore hours, notice and time off (never overlaps)."
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Book a slot for a customer.

    Example: bookctl appointments book consulta --start 2027-03-01T10:00 --name "Ana García"
    --email ana@example.com --tz Europe/Madrid --lang es
    """
    from bookctl.domain.timeparse import parse_datetime
    from bookctl.services import booking

    use_json(json)
    application = _common.app(ctx)
    zone_name = _common.zone(ctx, tz)
    appointment = booking.book(
        application.uow(),
        booking.BookingRequest(
            service_id=service_id,
            start=parse_datetime(start, zone_name),
            customer_name=name,
            customer_email=email,
            timezone=zone_name,
            language=lang or application.settings.language,
            pending=pending,
            order_id=order_id,
            force=force,
            notify=not no_email,
        ),
    )
    info(f"Booked {appointment.id} ({appointment.status.value}).")
    _common.send_now(application, appointment.id)
    _render_one(appointment, json)


@app.command("list")
def list_(
    ctx: typer.Context,
    from_: Annotated[
        str | None, typer.Option("--from", help="First date, YYYY-MM-DD (default today).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last date, YYYY-MM-DD, inclusive.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, confirmed, completed or canceled.")
    ] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service id.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Only this customer.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many.")] = None,
    tz: TzOption = None,
    json: JsonOption = False,
) -> None:
    """List appointments from today on (every status), in start order.

    Example: bookctl appointments list --from 2027-03-01 --to 2027-03-31 --status confirmed
    """
    from bookctl.domain import slots
    from bookctl.domain.timeparse import parse_date
    from bookctl.services import booking
    from bookctl.views import appointment_json

    use_json(json)
    application = _common.app(ctx)
    zone_name = _common.zone(ctx, tz)
    today = application.clock().astimezone(_zone(zone_name)).date()
    first, after_last = booking.date_range(
        parse_date(from_) if from_ else today, parse_date(to) if to else None
    )
    filters = booking.AppointmentFilter(
        start=slots.day_start(first, zone_name) if first else None,
        end=slots.day_start(after_last, zone_name) if after_last else None,
        status=booking.parse_status(status) if status else None,
        service_id=service,
        email=email,
        limit=limit,
    )
    items = booking.list_appointments(application.uow(write=False), filters)
    if json:
        emit_json([appointment_json(item) for item in items])
    else:
        render_appointments(items, zone_name)


def _zone(name: str) -> ZoneInfo:
    from bookctl.domain.timeparse import zone

    return zone(name)


@app.command("show")
def show(ctx: typer.Context, appointment_id: IdArg, json: JsonOption = False) -> None:
    """Show one appointment.

    Example: bookctl appointments show 5b1c
    """
    from bookctl.services import booking

    use_json(json)
    _render_one(booking.get(_common.app(ctx).uow(write=False), appointment_id), json)


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    appointment_id: IdArg,
    no_email: Annotated[
        bool, typer.Option("--no-email", help="Send no confirmation email.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Confirm a pending appointment (e.g. once paid); sends the confirmation.

    Example: bookctl appointments confirm 5b1c
    """
    from bookctl.services import booking

    use_json(json)
    application = _common.app(ctx)
    appointment = booking.confirm(application.uow(), appointment_id, notify=not no_email)
    info(f"Confirmed {appointment.id}.")
    _common.send_now(application, appointment.id)
    _render_one(appointment, json)


@app.command("complete")
def complete(ctx: typer.Context, appointment_id: IdArg, json: JsonOption = False) -> None:
    """Mark a confirmed appointment that has started as completed.

    Example: bookctl appointments complete 5b1c
    """
    from bookctl.services import booking

    use_json(json)
    appointment = booking.complete(_common.app(ctx).uow(), appointment_id)
    info(f"Completed {appointment.id}.")
    _render_one(appointment, json)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    appointment_id: IdArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Shown to the customer.")] = None,
    no_email: Annotated[
        bool, typer.Option("--no-email", help="Send no cancellation email.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Cancel an appointment and free its slot.

    Example: bookctl appointments cancel 5b1c --reason "Enfermedad"
    """
    from bookctl.services import booking

    use_json(json)
    application = _common.app(ctx)
    appointment = booking.cancel(application.uow(), appointment_id, reason, notify=not no_email)
    info(f"Canceled {appointment.id}.")
    _common.send_now(application, appointment.id)
    _render_one(appointment, json)


@app.command("reschedule")
def reschedule(
    ctx: typer.Context,
    appointment_id: IdArg,
    start: Annotated[str, typer.Option("--start", help="New start, YYYY-MM-DDTHH:MM[+offset].")],
    tz: TzOption = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="Send no reschedule email.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Staff override: ignore hours, notice and time off.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Move an appointment to another free slot, keeping its id.

    Example: bookctl appointments reschedule 5b1c --start 2027-03-02T11:00
    """
    from bookctl.domain.timeparse import parse_datetime
    from bookctl.services import booking

    use_json(json)
    zone_name = _common.zone(ctx, tz)
    application = _common.app(ctx)
    appointment = booking.reschedule(
        application.uow(),
        appointment_id,
        parse_datetime(start, zone_name),
        force=force,
        notify=not no_email,
    )
    info(f"Rescheduled {appointment.id}.")
    _common.send_now(application, appointment.id)
    _render_one(appointment, json)
