"""Bulk-load due outbox rows (with their appointments) straight into a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bookctl.store.db import make_engine
from bookctl.store.models import Appointment, EmailEvent, Service


def seed_due_emails(url: str, count: int, *, now: datetime | None = None) -> list[str]:
    """``count`` confirmed appointments, each with one booking confirmation due now.

    Returns the rows' idempotency keys. The appointments lie in the future and apart, so
    the rows stay valid whatever the wall clock says while the test runs.
    """
    now = now or datetime.now(UTC)
    first = (now + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    engine = make_engine(url)
    appointments, emails = [], []
    for i in range(count):
        appointment_id = uuid.uuid4()
        start = first + timedelta(hours=i)
        appointments.append(
            {
                "id": appointment_id,
                "status": "confirmed",
                "service_id": "seed",
                "customer_name": f"Cliente {i}",
                "customer_email": f"c{i}@example.com",
                "scheduled_start": start,
                "scheduled_end": start + timedelta(minutes=30),
                "blocked_start": start,
                "blocked_end": start + timedelta(minutes=30),
                "timezone": "Europe/Madrid",
                "language": "es" if i % 2 else "en",
                "created_at": now,
                "updated_at": now,
                "ics_sequence": 0,
            }
        )
        emails.append(
            {
                "id": uuid.uuid4(),
                "recipient": f"c{i}@example.com",
                "template": "booking_confirmation",
                "status": "queued",
                "created_at": now,
                "updated_at": now,
                "appointment_id": appointment_id,
                "language": "es" if i % 2 else "en",
                "send_at": now - timedelta(seconds=count - i),
                "attempts": 0,
                "idempotency_key": f"{appointment_id}:booking_confirmation",
            }
        )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Service.__table__),  # type: ignore[attr-defined]
            [
                {
                    "id": "seed",
                    "name": "Sesión",
                    "duration_minutes": 30,
                    "buffer_before_minutes": 0,
                    "buffer_after_minutes": 0,
                    "slot_interval_minutes": 30,
                    "min_notice_minutes": 0,
                    "max_advance_days": 3650,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        conn.execute(sa.insert(Appointment.__table__), appointments)  # type: ignore[attr-defined]
        conn.execute(sa.insert(EmailEvent.__table__), emails)  # type: ignore[attr-defined]
    engine.dispose()
    return [row["idempotency_key"] for row in emails]


def statuses(url: str) -> dict[str, int]:
    """{status: count} of the outbox."""
    engine = make_engine(url)
    table = EmailEvent.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
        ).all()
    engine.dispose()
    return {status: count for status, count in rows}
