"""``bookctl emails list | show | retry | preview``: the outbox, and the templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bookctl.commands import _common
from bookctl.output import (
    JsonOption,
    emit,
    emit_json,
    emit_rows,
    info,
    local_time,
    short_id,
    use_json,
)

if TYPE_CHECKING:
    from bookctl.bootstrap import App
    from bookctl.email.compose import AppointmentFacts

app = _common.command_app("The email outbox: list, show, retry, preview.")

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Email id or unique prefix.")]
COLUMNS = [
    ("id", "ID"),
    ("send_at", "Due"),
    ("template", "Template"),
    ("recipient", "Recipient"),
    ("status", "Status"),
    ("attempts", "Tries"),
    ("note", "Note"),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="queued, sent, failed or canceled.")
    ] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="welcome, booking_confirmation, …")
    ] = None,
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Only emails to this address.")
    ] = None,
    appointment: Annotated[
        str | None, typer.Option("--appointment", help="Only emails of this appointment.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    json: JsonOption = False,
) -> None:
    """List outbox emails, by due time; every match unless --limit is given.

    Example: bookctl emails list --status failed
    """
    from bookctl.services import booking, outbox
    from bookctl.views import email_event_json

    use_json(json)
    application = _common.app(ctx)
    appointment_id = None
    if appointment is not None:
        appointment_id = booking.get(application.uow(write=False), appointment).id
    filters = outbox.EmailFilter(
        status=outbox.parse_email_status(status).value if status else None,
        template=outbox.parse_template(template).value if template else None,
        recipient=recipient,
        appointment_id=appointment_id,
        limit=limit,
    )
    events = [
        email_event_json(e) for e in outbox.list_events(application.uow(write=False), filters)
    ]
    zone = application.settings.timezone

    def shown(row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **row,
            "id": short_id(row["id"]),
            "send_at": local_time(row["send_at"], zone),
            "note": row["last_error"] or row["status_reason"] or "",
        }

    emit_rows(events, COLUMNS, json=json, empty="no emails", display=shown)


@app.command("show")
def show(ctx: typer.Context, event_id: IdArg, json: JsonOption = False) -> None:
    """Show one outbox email, with its attempts and last error.

    Example: bookctl emails show 3f2a
    """
    from bookctl.services import outbox
    from bookctl.views import email_event_json

    use_json(json)
    event = outbox.get_event(_common.app(ctx).uow(write=False), event_id)
    emit(email_event_json(event), json=json)


@app.command("retry")
def retry(ctx: typer.Context, event_id: IdArg, json: JsonOption = False) -> None:
    """Queue a failed or canceled email again, due now (a sent one is never resent).

    Example: bookctl emails retry 3f2a
    """
    from bookctl.services import outbox
    from bookctl.views import email_event_json

    use_json(json)
    application = _common.app(ctx)
    event = outbox.retry_event(application.uow(), event_id)
    info(f"Queued {event.id} again; it goes out now or with the next send-reminders run.")
    if event.appointment_id is not None:
        _common.send_now(application, event.appointment_id)
        event = outbox.get_event(application.uow(write=False), str(event.id))
    emit(email_event_json(event), json=json)


@app.command("preview")
def preview(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(metavar="TEMPLATE", help="welcome, reminder_1h, …")],
    appointment: Annotated[
        str | None,
        typer.Option("--appointment", help="Render for this appointment (default a sample)."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="es or en (default the appointment's).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or html.")] = "text",
    json: JsonOption = False,
) -> None:
    """Render one email template, for a real appointment or a sample one.

    Example: bookctl emails preview booking_confirmation --lang es --format html
    """
    from bookctl.domain.errors import ValidationError
    from bookctl.domain.validation import clean_language
    from bookctl.email.compose import Sender, compose
    from bookctl.services import outbox

    use_json(json)
    chosen = outbox.parse_template(template).value
    if fmt not in ("text", "html"):
        raise ValidationError(f"unknown format {fmt!r}: use text or html")
    application = _common.app(ctx)
    settings = application.settings
    facts, language, recipient = _preview_facts(application, appointment)
    email = compose(
        event_id="preview",
        template=chosen,
        language=clean_language(lang) if lang else language,
        recipient=recipient,
        idempotency_key="preview",
        payload=_sample_payload(facts) if chosen == "reschedule" else None,
        facts=facts,
        sender=Sender(settings.business_name, settings.email_from, settings.templates_dir),
        now=application.clock(),
    )
    if json:
        emit_json(
            {
                "template": chosen,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "ics": email.ics.decode() if email.ics else None,
            }
        )
        return
    import sys

    if fmt == "html":
        sys.stdout.write(email.html)
    else:
        sys.stdout.write(f"Subject: {email.subject}\n\n{email.text}")


def _preview_facts(application: App, appointment: str | None) -> tuple[AppointmentFacts, str, str]:
    """The appointment to render: a real one, or a sample in the business's zone."""
    from datetime import timedelta

    from bookctl.domain.tokens import manage_url
    from bookctl.email.compose import AppointmentFacts, appointment_facts
    from bookctl.email.providers import secret_value
    from bookctl.store import repository
    from bookctl.store.models import Appointment

    settings = application.settings
    secret = secret_value(settings.secret_key) or "preview"
    if appointment is not None:
        uow = application.uow(write=False)
        with uow:
            found = repository.get_by_prefix(uow.session, Appointment, appointment, "appointment")
            service = repository.get_service(uow.session, found.service_id)
        link = manage_url(settings.public_url, secret, found.id)
        facts = appointment_facts(found, found.id, service.name, link)
        return facts, found.language, found.customer_email
    import uuid

    from bookctl.domain.slots import day_start
    from bookctl.domain.timeparse import zone

    sample_id = uuid.UUID(int=0)
    today = application.clock().astimezone(zone(settings.timezone)).date()
    start = day_start(today + timedelta(days=1), settings.timezone) + timedelta(hours=10)
    facts = AppointmentFacts(
        id=str(sample_id),
        service_name="Consulta",
        customer_name="Ana García",
        start=start,
        end=start + timedelta(hours=1),
        timezone=settings.timezone,
        ics_sequence=0,
        cancel_reason=None,
        manage_url=manage_url(settings.public_url, secret, sample_id),
    )
    return facts, settings.language, "ana@example.com"


def _sample_payload(facts: AppointmentFacts) -> dict[str, str]:
    from datetime import timedelta

    return {
        "old_start": (facts.start - timedelta(days=1)).isoformat(),
        "old_end": (facts.end - timedelta(days=1)).isoformat(),
    }
