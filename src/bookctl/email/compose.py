"""Turn one outbox row and its appointment into the message a provider sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bookctl.email.ics import build_invitation
from bookctl.email.message import OutgoingEmail
from bookctl.email.render import EmailContext, render

# Which emails carry an invitation, and with which iTIP method and event status.
INVITATIONS = {
    "booking_confirmation": ("REQUEST", "CONFIRMED"),
    "reschedule": ("REQUEST", "CONFIRMED"),
    "cancellation": ("CANCEL", "CANCELLED"),
}
# Emails whose reader may still want to change the appointment.
WITH_MANAGE_LINK = frozenset({"booking_confirmation", "reminder_24h", "reminder_1h", "reschedule"})


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the business's emails come from, and where its templates live."""

    business_name: str
    from_addr: str
    templates_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    """What an email says about an appointment (a detached snapshot, safe across threads)."""

    id: str
    service_name: str
    customer_name: str
    start: datetime
    end: datetime
    timezone: str
    ics_sequence: int
    cancel_reason: str | None
    manage_url: str | None


def appointment_facts(
    appointment: Any, appointment_id: Any, service_name: str, manage_url: str | None
) -> AppointmentFacts:
    """The facts of an appointment model or of a row with its column names."""
    return AppointmentFacts(
        id=str(appointment_id),
        service_name=service_name,
        customer_name=appointment.customer_name,
        start=appointment.scheduled_start,
        end=appointment.scheduled_end,
        timezone=appointment.timezone,
        ics_sequence=appointment.ics_sequence,
        cancel_reason=appointment.cancel_reason,
        manage_url=manage_url,
    )


def invitation_uid(appointment_id: str) -> str:
    """The VEVENT UID: the same for every message about one appointment."""
    return f"{appointment_id}@bookctl"


def compose(
    *,
    event_id: str,
    template: str,
    language: str,
    recipient: str,
    idempotency_key: str,
    payload: dict[str, Any] | None,
    facts: AppointmentFacts,
    sender: Sender,
    now: datetime,
) -> OutgoingEmail:
    """The message for one outbox row; raises ValueError when it cannot be built."""
    payload = payload or {}
    old_start = _instant(payload.get("old_start"))
    old_end = _instant(payload.get("old_end"))
    context = EmailContext(
        template=template,
        language=language,
        business_name=sender.business_name,
        service_name=facts.service_name,
        customer_name=facts.customer_name,
        customer_email=recipient,
        start=facts.start,
        end=facts.end,
        timezone=facts.timezone,
        manage_url=facts.manage_url if template in WITH_MANAGE_LINK else None,
        old_start=old_start,
        old_end=old_end,
        cancel_reason=facts.cancel_reason if template == "cancellation" else None,
    )
    rendered = render(context, sender.templates_dir)
    ics = None
    method = None
    if template in INVITATIONS:
        method, status = INVITATIONS[template]
        ics = build_invitation(
            uid=invitation_uid(facts.id),
            sequence=facts.ics_sequence,
            method=method,
            status=status,
            start=facts.start,
            end=facts.end,
            summary=f"{facts.service_name} · {sender.business_name}",
            description=rendered.text,
            organizer_email=sender.from_addr,
            organizer_name=sender.business_name,
            attendee_email=recipient,
            attendee_name=facts.customer_name,
            dtstamp=now,
            url=facts.manage_url if method == "REQUEST" else None,
        )
    return OutgoingEmail(
        to=recipient,
        to_name=facts.customer_name,
        from_addr=sender.from_addr,
        from_name=sender.business_name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        ics=ics,
        ics_method=method,
        message_id=f"{event_id}@bookctl",
        idempotency_key=idempotency_key,
    )


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
