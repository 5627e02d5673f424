"""One sample outgoing email with its invitation, shared by the MIME and provider tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bookctl.email.ics import build_invitation
from bookctl.email.message import OutgoingEmail

START = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
ICS = build_invitation(
    uid="appt-1@bookctl",
    sequence=0,
    method="REQUEST",
    status="CONFIRMED",
    start=START,
    end=START + timedelta(hours=1),
    summary="Masaje relajante en Estudio Pérez",
    description="Su cita",
    organizer_email="citas@estudio.example",
    organizer_name="Estudio Pérez",
    attendee_email="ana@example.com",
    attendee_name="Ana Núñez",
    dtstamp=START,
)
EMAIL = OutgoingEmail(
    to="ana@example.com",
    to_name="Ana Núñez",
    from_addr="citas@estudio.example",
    from_name="Estudio Pérez",
    subject="Cita confirmada: Masaje, el martes 12 de enero a las 10:00",
    text="Hola, Ana Núñez:\n\nSu cita está confirmada.\n",
    html="<p>Hola, Ana Núñez:</p><p>Su cita está confirmada.</p>",
    ics=ICS,
    ics_method="REQUEST",
    message_id="outbox-42@bookctl",
    idempotency_key="outbox-42",
)
