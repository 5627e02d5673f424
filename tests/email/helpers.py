"""Shared set-up for email flow tests: an App on a real database and a sample business."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bookctl.bootstrap import App
from bookctl.jobs.send import Delivery, Summary
from bookctl.services import booking, catalog
from bookctl.services.outbox import EmailFilter, list_events
from bookctl.settings import Settings
from bookctl.store.models import EmailEvent
from tests.conftest import Cli
from tests.fakes.senders import RecordingSender

SERVICE = "consulta"


def make_app(db_url: str, **settings: Any) -> App:
    """The application on ``db_url``, business in Europe/Madrid, open around the clock."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "timezone": "Europe/Madrid",
        "business_name": "Clínica Sol",
        "secret_key": "test-secret-key",
        "email_from": "citas@clinica.example",
        "public_url": "https://citas.example",
    }
    values.update(settings)
    app = App(settings=Settings(**values))
    catalog.add_service(
        app.uow(),
        SERVICE,
        catalog.ServiceChanges(name="Consulta", duration=60, min_notice=0, max_advance_days=365),
    )
    for weekday in range(7):
        catalog.add_rule(app.uow(), weekday, time(0), None, "Europe/Madrid")
    return app


def book(app: App, start: datetime, email: str = "ana@example.com", **options: Any) -> Any:
    values: dict[str, Any] = {
        "service_id": SERVICE,
        "start": start,
        "customer_name": "Ana García",
        "customer_email": email,
        "timezone": "Europe/Madrid",
        "language": "es",
    }
    values.update(options)
    return booking.book(app.uow(), booking.BookingRequest(**values))


def run(app: App, sender: RecordingSender, **options: Any) -> Summary:
    return Delivery(app, sender_factory=lambda: sender, **options).run()


def events(app: App, **filters: Any) -> list[EmailEvent]:
    return list_events(app.uow(write=False), EmailFilter(**filters))


def by_template(app: App, appointment_id: Any = None) -> dict[str, list[str]]:
    """{template: [status, ...]} of the outbox, optionally for one appointment."""
    found: dict[str, list[str]] = {}
    for event in events(app, appointment_id=appointment_id):
        found.setdefault(event.template, []).append(event.status)
    return found


def sent_templates(sender: RecordingSender) -> list[str]:
    """The templates the sender received, in order (read from each idempotency key)."""
    return [template_of(email.idempotency_key or "") for email in sender.sent]


def template_of(key: str) -> str:
    """``welcome:<address>`` or ``<appointment id>:<template>[:<sequence>]``."""
    return "welcome" if key.startswith("welcome:") else key.split(":")[1]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


HOUR = timedelta(hours=1)


def open_shop(cli: Cli) -> Cli:
    """Through the CLI: the 60-minute ``consulta``, open 09:00–20:00 Madrid every day."""
    added = cli("services", "add", SERVICE, "--name", "Consulta", "--duration", "60")
    assert added.exit_code == 0, added.stderr
    for day in range(7):
        rule = cli("rules", "add", "--weekday", str(day), "--start", "09:00", "--end", "20:00")
        assert rule.exit_code == 0, rule.stderr
    return cli
