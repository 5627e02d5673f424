"""``bookctl demo``: a sample business, its availability, one booking."""

from __future__ import annotations

from datetime import timedelta

import typer

from bookctl.commands import _common
from bookctl.commands.init import initialise
from bookctl.output import info

app = _common.command_app()

SAMPLE_SERVICE = "consulta"
SAMPLE_ZONE = "Europe/Madrid"


def _load_sample(ctx: typer.Context) -> None:
    from datetime import time

    from bookctl.domain.errors import ConflictError
    from bookctl.services import catalog

    application = _common.app(ctx)
    try:
        catalog.add_service(
            application.uow(),
            SAMPLE_SERVICE,
            catalog.ServiceChanges(
                name="Consulta individual", duration=60, buffer_after=15, slot_interval=75
            ),
        )
    except ConflictError:
        return  # already loaded by an earlier run
    for weekday in range(5):
        catalog.add_rule(application.uow(), weekday, time(9), time(14), SAMPLE_ZONE)
        catalog.add_rule(application.uow(), weekday, time(16), time(20), SAMPLE_ZONE)
    catalog.add_rule(application.uow(), 5, time(10), time(14), SAMPLE_ZONE)


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Set up a sample business, show its availability, book and list an appointment.

    Uses the default config and database (created by `bookctl init` if missing): a
    "consulta" service with weekly hours in Europe/Madrid.

    Example: bookctl demo
    """
    from bookctl.commands.appointments import render_appointments
    from bookctl.commands.availability import render_slots
    from bookctl.domain.timeparse import zone
    from bookctl.services import availability, booking

    initialise(ctx, timezone=SAMPLE_ZONE)
    _load_sample(ctx)
    application = _common.app(ctx)
    today = application.clock().astimezone(zone(SAMPLE_ZONE)).date()
    found = availability.find_slots(
        application.uow(write=False), SAMPLE_SERVICE, today, 7, SAMPLE_ZONE
    )
    info(f"Open slots for {SAMPLE_SERVICE!r} in the next 7 days ({SAMPLE_ZONE}):")
    render_slots(found, limit=12)
    if not found.slots:
        return
    slot = found.slots[0]
    booked = booking.book(
        application.uow(),
        booking.BookingRequest(
            service_id=SAMPLE_SERVICE,
            start=slot.start,
            customer_name="Ana García",
            customer_email="ana@example.com",
            timezone=SAMPLE_ZONE,
            language="es",
        ),
    )
    _common.send_now(application, booked.id)
    info(f"\nBooked {booked.id} for Ana García; upcoming appointments:")
    upcoming = booking.list_appointments(
        application.uow(write=False),
        booking.AppointmentFilter(start=application.clock() - timedelta(days=1)),
    )
    render_appointments(upcoming, SAMPLE_ZONE)
    settings = application.settings
    if settings.email_provider == "file":
        info(f"\nHer confirmation and welcome emails are in {settings.outbox_dir.resolve()}/")
