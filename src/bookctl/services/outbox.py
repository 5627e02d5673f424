"""The transactional outbox: which emails an appointment change queues, and when they are due.

Every function here runs inside the caller's unit of work, so the email rows commit or roll
back with the appointment change that caused them. Sending is a separate step
(:mod:`bookctl.jobs.send`). Scheduling decisions use the application's clock
(``uow.clock``), never the database server's.

Rules (README "Email"):

- a confirmed booking queues ``booking_confirmation`` (due now), ``welcome`` (once per
  address, case-insensitively), ``reminder_24h`` / ``reminder_1h`` at start − 24 h / − 1 h
  unless that moment has already passed, and ``post_session_feedback`` a delay after the end;
- a pending appointment queues nothing until it is confirmed;
- cancelling cancels every queued email of the appointment and queues ``cancellation``
  when the customer had been told about the booking;
- rescheduling cancels the queued reminders and feedback, queues new ones for the new time,
  and queues ``reschedule``;
- ``notify=False`` (``--no-email``) suppresses only the notice of that action.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, case, cast, func, select, update
from sqlmodel import col
from sqlmodel import select as sqlmodel_select

from bookctl.domain.errors import ConflictError, ValidationError
from bookctl.domain.policy import EmailPolicy
from bookctl.store import repository
from bookctl.store.models import Appointment, AppointmentStatus, EmailEvent, EmailStatus
from bookctl.store.models import EmailTemplate as T

if TYPE_CHECKING:
    from bookctl.store.uow import SqlUnitOfWork

REMINDERS = ((T.REMINDER_24H, timedelta(hours=24)), (T.REMINDER_1H, timedelta(hours=1)))
FOLLOW_UPS = (T.REMINDER_24H, T.REMINDER_1H, T.POST_SESSION_FEEDBACK)


@dataclass(frozen=True, slots=True)
class _Planned:
    template: T
    send_at: datetime
    key: str
    payload: dict[str, str] | None = None


def welcome_key(email: str) -> str:
    """One welcome per address, whatever its case: the unique key makes "once" hold."""
    return f"welcome:{email.casefold()}"


def _key(appointment: Appointment, template: T, *, versioned: bool = True) -> str:
    suffix = f":{appointment.ics_sequence}" if versioned else ""
    return f"{appointment.id}:{template.value}{suffix}"


def _follow_ups(appointment: Appointment, now: datetime, policy: EmailPolicy) -> list[_Planned]:
    """Reminders not yet due, and the feedback request, for the appointment's current time."""
    planned = [
        _Planned(template, appointment.scheduled_start - ahead, _key(appointment, template))
        for template, ahead in REMINDERS
        if appointment.scheduled_start - ahead > now
    ]
    feedback_at = appointment.scheduled_end + policy.feedback_delay
    planned.append(
        _Planned(T.POST_SESSION_FEEDBACK, feedback_at, _key(appointment, T.POST_SESSION_FEEDBACK))
    )
    return planned


def _insert(uow: SqlUnitOfWork, appointment: Appointment, planned: Sequence[_Planned]) -> None:
    """Insert the rows in one statement; a row whose key exists already is left alone."""
    if not planned:
        return
    now = uow.clock()
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "recipient": appointment.customer_email,
            "template": item.template.value,
            "status": EmailStatus.QUEUED.value,
            "created_at": now,
            "updated_at": now,
            "appointment_id": appointment.id,
            "language": appointment.language,
            "send_at": item.send_at,
            "attempts": 0,
            "idempotency_key": item.key,
            "payload": item.payload,
        }
        for item in planned
    ]
    from sqlalchemy.dialects import postgresql, sqlite

    table = EmailEvent.__table__  # type: ignore[attr-defined]
    dialect = postgresql if uow.dialect == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
    uow.session.execute(statement, rows)


def _cancel_queued(
    uow: SqlUnitOfWork,
    appointment_id: uuid.UUID,
    reason: str,
    templates: Iterable[T] | None = None,
) -> None:
    """Mark the appointment's queued emails canceled, with the reason, never to be sent.

    A canceled welcome gives its key back (the address has not been welcomed yet), so the
    customer's next confirmed booking queues one again.
    """
    table = EmailEvent.__table__  # type: ignore[attr-defined]
    condition = (table.c.appointment_id == appointment_id) & (
        table.c.status == EmailStatus.QUEUED.value
    )
    if templates is not None:
        condition &= table.c.template.in_([template.value for template in templates])
    uow.session.execute(
        update(table)
        .where(condition)
        .values(
            status=EmailStatus.CANCELED.value,
            status_reason=reason,
            claimed_by=None,
            claimed_until=None,
            updated_at=uow.clock(),
            idempotency_key=case(
                (
                    table.c.template == T.WELCOME.value,
                    table.c.idempotency_key + ":canceled:" + cast(table.c.id, String),
                ),
                else_=table.c.idempotency_key,
            ),
        )
    )


def on_confirmed(
    uow: SqlUnitOfWork, appointment: Appointment, policy: EmailPolicy, *, notify: bool
) -> None:
    """A booking was made confirmed, or a pending one confirmed."""
    now = uow.clock()
    planned = _follow_ups(appointment, now, policy)
    if notify:
        planned += [
            _Planned(
                T.BOOKING_CONFIRMATION,
                now,
                _key(appointment, T.BOOKING_CONFIRMATION, versioned=False),
            ),
            _Planned(T.WELCOME, now, welcome_key(appointment.customer_email)),
        ]
    _insert(uow, appointment, planned)


def on_canceled(
    uow: SqlUnitOfWork, appointment: Appointment, *, was_confirmed: bool, notify: bool
) -> None:
    """An appointment was canceled (``appointment`` already carries the new status)."""
    _cancel_queued(uow, appointment.id, "appointment canceled")
    if notify and (was_confirmed or _confirmation_sent(uow, appointment.id)):
        _insert(
            uow,
            appointment,
            [
                _Planned(
                    T.CANCELLATION,
                    uow.clock(),
                    _key(appointment, T.CANCELLATION, versioned=False),
                )
            ],
        )


def on_rescheduled(
    uow: SqlUnitOfWork,
    appointment: Appointment,
    policy: EmailPolicy,
    *,
    old_start: datetime,
    old_end: datetime,
    notify: bool,
) -> None:
    """An appointment moved; ``appointment`` has the new times and the new sequence."""
    _cancel_queued(uow, appointment.id, "appointment rescheduled", FOLLOW_UPS)
    if appointment.status != AppointmentStatus.CONFIRMED:
        return
    now = uow.clock()
    planned = _follow_ups(appointment, now, policy)
    if notify:
        payload = {"old_start": old_start.isoformat(), "old_end": old_end.isoformat()}
        planned.append(
            _Planned(T.RESCHEDULE, now, _key(appointment, T.RESCHEDULE), payload=payload)
        )
    _insert(uow, appointment, planned)


def _confirmation_sent(uow: SqlUnitOfWork, appointment_id: uuid.UUID) -> bool:
    table = EmailEvent.__table__  # type: ignore[attr-defined]
    found = uow.session.execute(
        select(table.c.id)
        .where(
            table.c.appointment_id == appointment_id,
            table.c.template == T.BOOKING_CONFIRMATION.value,
            table.c.status == EmailStatus.SENT.value,
        )
        .limit(1)
    ).first()
    return found is not None


# --- inspecting the outbox (``bookctl emails``) ------------------------------------------


@dataclass(frozen=True, slots=True)
class EmailFilter:
    status: str | None = None
    template: str | None = None
    recipient: str | None = None
    appointment_id: uuid.UUID | None = None
    limit: int | None = None


def parse_email_status(value: str) -> EmailStatus:
    try:
        return EmailStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(status.value for status in EmailStatus)
        raise ValidationError(f"unknown email status {value!r}: use one of {choices}") from None


def parse_template(value: str) -> T:
    try:
        return T(value.strip().lower())
    except ValueError:
        choices = ", ".join(template.value for template in T)
        raise ValidationError(f"unknown email template {value!r}: use one of {choices}") from None


def list_events(uow: SqlUnitOfWork, filters: EmailFilter) -> list[EmailEvent]:
    """Matching outbox rows, oldest due first; every match unless ``limit`` is given."""
    query = sqlmodel_select(EmailEvent)
    if filters.status is not None:
        query = query.where(col(EmailEvent.status) == filters.status)
    if filters.template is not None:
        query = query.where(col(EmailEvent.template) == filters.template)
    if filters.recipient is not None:
        query = query.where(func.lower(col(EmailEvent.recipient)) == filters.recipient.lower())
    if filters.appointment_id is not None:
        query = query.where(col(EmailEvent.appointment_id) == filters.appointment_id)
    query = query.order_by(col(EmailEvent.send_at), col(EmailEvent.created_at))
    if filters.limit is not None:
        query = query.limit(filters.limit)
    with uow:
        return list(uow.session.exec(query).all())


def get_event(uow: SqlUnitOfWork, event_id: str) -> EmailEvent:
    """One outbox row by id or unique prefix."""
    with uow:
        return repository.get_by_prefix(uow.session, EmailEvent, event_id, "email")


def retry_event(uow: SqlUnitOfWork, event_id: str) -> EmailEvent:
    """Queue a failed or canceled email again, due now, with a fresh attempt budget."""
    with uow:
        event = repository.get_by_prefix(uow.session, EmailEvent, event_id, "email")
        if event.status == EmailStatus.SENT.value:
            raise ConflictError(f"email {event.id} was already sent; it is not sent twice")
        if event.status == EmailStatus.QUEUED.value and event.claimed_by is not None:
            claimed_until = event.claimed_until
            if claimed_until is not None and claimed_until > uow.clock():
                raise ConflictError(f"email {event.id} is being sent right now")
        now = uow.clock()
        event.status = EmailStatus.QUEUED.value
        event.send_at = now
        event.attempts = 0
        event.status_reason = None
        event.claimed_by = None
        event.claimed_until = None
        event.updated_at = now
        uow.session.add(event)
        uow.commit()
        return event
