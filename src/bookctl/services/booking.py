"""Booking use cases: book, confirm, complete, cancel, reschedule.

Each takes plain values and a unit of work, owns its transaction, and returns the
appointment as it was committed. The double-booking guarantee lives in the database
(PostgreSQL exclusion constraint, SQLite trigger); the checks here give the clear message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select

from bookctl.domain import slots
from bookctl.domain.errors import ConflictError, SlotUnavailableError, ValidationError
from bookctl.domain.status import check_transition, is_active
from bookctl.domain.timeparse import iso, zone_name
from bookctl.domain.validation import clean_email, clean_language, clean_name, optional_text
from bookctl.services import outbox
from bookctl.store import repository
from bookctl.store.calendar_data import load_calendar, service_spec
from bookctl.store.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Service
from bookctl.store.uow import SqlUnitOfWork

MAX_REASON = 500
_OVERLAP_MARKERS = ("bookctl_appointment_overlap", "ex_appointments_no_overlap")
_MICROSECOND = timedelta(microseconds=1)
_APPOINTMENTS = Appointment.__table__  # type: ignore[attr-defined]
_INSERT_APPOINTMENT = sa.insert(_APPOINTMENTS)


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a customer or staff member asks for; validated by :func:`book`."""

    service_id: str
    start: datetime
    customer_name: str
    customer_email: str
    timezone: str
    language: str = "en"
    pending: bool = False
    order_id: str | None = None
    force: bool = False
    notify: bool = True  # queue the confirmation and welcome (``--no-email``: False)


def _overlapping(uow: SqlUnitOfWork, appointment: Appointment) -> Appointment | None:
    """Another active appointment whose buffered range overlaps ``appointment``'s."""
    query = select(Appointment).where(
        col(Appointment.status).in_(ACTIVE_STATUSES),
        col(Appointment.blocked_start) < appointment.blocked_end,
        col(Appointment.blocked_end) > appointment.blocked_start,
        col(Appointment.id) != appointment.id,
    )
    return uow.session.exec(query.limit(1)).first()


def _check_slot(
    uow: SqlUnitOfWork,
    service: Service,
    start: datetime,
    *,
    force: bool,
    exclude: uuid.UUID | None = None,
) -> tuple[datetime, datetime, datetime, datetime]:
    """Session and buffered range for ``start``, or SlotUnavailableError saying why not.

    One read fetches the calendar around ``start``; its active appointments also answer
    whether the buffered range overlaps another booking, which even ``force`` respects.
    """
    spec = service_spec(service)
    end = start + spec.duration
    blocked_start, blocked_end = start - spec.buffer_before, end + spec.buffer_after
    calendar = load_calendar(
        uow.session, service, start, start + _MICROSECOND, exclude_appointment=exclude
    )
    if any(other.start < blocked_end and other.end > blocked_start for other in calendar.booked):
        raise SlotUnavailableError(f"{iso(start)} is already booked (or too close to a booking)")
    if force:
        return start, end, blocked_start, blocked_end
    if not service.active:
        raise SlotUnavailableError(f"service {service.id!r} is not open for booking")
    now = uow.clock()
    if start < now + spec.min_notice:
        raise SlotUnavailableError(
            f"{iso(start)} is too soon: bookings need {service.min_notice_minutes} minutes' notice"
        )
    if start > now + spec.max_advance:
        raise SlotUnavailableError(
            f"{iso(start)} is too far ahead: bookings open {service.max_advance_days} days ahead"
        )
    if not slots.is_bookable(spec, calendar.rules, calendar.overrides, calendar.busy, now, start):
        raise SlotUnavailableError(
            f"{iso(start)} is not an available slot (outside opening hours, time off, "
            "busy in the calendar, or not on the slot grid)"
        )
    return start, end, blocked_start, blocked_end


@contextmanager
def _overlap_guard() -> Iterator[None]:
    """Turn the database's overlap guard, raised by the write inside, into SlotUnavailableError."""
    try:
        yield
    except IntegrityError as error:
        if any(marker in str(error.orig) for marker in _OVERLAP_MARKERS):
            raise SlotUnavailableError("that time overlaps another appointment") from None
        raise


def _flush(uow: SqlUnitOfWork) -> None:
    """Flush pending changes under the overlap guard."""
    with _overlap_guard():
        uow.session.flush()


def _insert(uow: SqlUnitOfWork, appointment: Appointment) -> None:
    """Insert a new appointment with one prebuilt statement, then track it in the session.

    Much cheaper than a unit-of-work flush (and no mapper events fire). Afterwards the
    instance is persistent, as if flushed: later changes to it in the same unit of work are
    saved as updates.
    """
    values = {column.key: getattr(appointment, column.key) for column in _APPOINTMENTS.columns}
    with _overlap_guard():
        uow.session.connection().execute(_INSERT_APPOINTMENT, values)
    make_transient_to_detached(appointment)
    uow.session.add(appointment)


def book(uow: SqlUnitOfWork, request: BookingRequest) -> Appointment:
    """Create an appointment on a free slot (``force``: anywhere not overlapping another)."""
    name = clean_name(request.customer_name)
    email = clean_email(request.customer_email)
    timezone = zone_name(request.timezone)
    language = clean_language(request.language)
    order_id = optional_text(request.order_id, "order id")
    with uow:
        service = repository.lock_bookings_and_get_service(uow, request.service_id)
        start, end, blocked_start, blocked_end = _check_slot(
            uow, service, request.start, force=request.force
        )
        now = uow.clock()
        appointment = Appointment(
            status=AppointmentStatus.PENDING if request.pending else AppointmentStatus.CONFIRMED,
            service_id=service.id,
            customer_name=name,
            customer_email=email,
            scheduled_start=start,
            scheduled_end=end,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            timezone=timezone,
            language=language,
            order_id=order_id,
            created_at=now,
            updated_at=now,
        )
        _insert(uow, appointment)
        if appointment.status == AppointmentStatus.CONFIRMED:
            outbox.on_confirmed(uow, appointment, uow.email_policy, notify=request.notify)
        uow.commit()
    return appointment


def _load(uow: SqlUnitOfWork, appointment_id: str) -> Appointment:
    return repository.get_by_prefix(uow.session, Appointment, appointment_id, "appointment")


def get(uow: SqlUnitOfWork, appointment_id: str) -> Appointment:
    """One appointment by id or unique prefix."""
    with uow:
        return _load(uow, appointment_id)


def confirm(uow: SqlUnitOfWork, appointment_id: str, *, notify: bool = True) -> Appointment:
    """pending → confirmed, re-checking that nothing overlaps it; queues its emails."""
    with uow:
        uow.lock_bookings()
        appointment = _load(uow, appointment_id)
        check_transition(appointment.status, AppointmentStatus.CONFIRMED)
        other = _overlapping(uow, appointment)
        if other is not None:
            raise SlotUnavailableError(f"it overlaps appointment {other.id}")
        appointment.status = AppointmentStatus.CONFIRMED
        appointment.updated_at = uow.clock()
        uow.session.add(appointment)
        _flush(uow)
        outbox.on_confirmed(uow, appointment, uow.email_policy, notify=notify)
        uow.commit()
    return appointment


def complete(uow: SqlUnitOfWork, appointment_id: str) -> Appointment:
    """confirmed → completed, once the session has started."""
    with uow:
        appointment = _load(uow, appointment_id)
        check_transition(appointment.status, AppointmentStatus.COMPLETED)
        now = uow.clock()
        if appointment.scheduled_start > now:
            raise ConflictError(
                f"cannot complete an appointment that has not started (it starts "
                f"{iso(appointment.scheduled_start)})",
                code="invalid_status_change",
            )
        appointment.status = AppointmentStatus.COMPLETED
        appointment.updated_at = now
        uow.session.add(appointment)
        uow.commit()
    return appointment


def cancel(
    uow: SqlUnitOfWork, appointment_id: str, reason: str | None = None, *, notify: bool = True
) -> Appointment:
    """pending or confirmed → canceled, freeing the slot; cancels its queued emails."""
    reason = optional_text(reason, "reason", max_length=MAX_REASON)
    with uow:
        appointment = _load(uow, appointment_id)
        check_transition(appointment.status, AppointmentStatus.CANCELED)
        now = uow.clock()
        was_confirmed = appointment.status == AppointmentStatus.CONFIRMED
        appointment.status = AppointmentStatus.CANCELED
        appointment.cancel_reason = reason
        appointment.canceled_at = now
        appointment.updated_at = now
        appointment.ics_sequence += 1  # calendar clients drop the event they hold
        uow.session.add(appointment)
        uow.session.flush()
        outbox.on_canceled(uow, appointment, was_confirmed=was_confirmed, notify=notify)
        uow.commit()
    return appointment


def reschedule(
    uow: SqlUnitOfWork,
    appointment_id: str,
    new_start: datetime,
    *,
    force: bool = False,
    notify: bool = True,
) -> Appointment:
    """Move an active appointment, keeping its id; the old slot is freed in the same commit.

    Its queued reminders move with it.
    """
    with uow:
        uow.lock_bookings()
        appointment = _load(uow, appointment_id)
        if not is_active(appointment.status):
            raise ConflictError(
                f"cannot reschedule an appointment that is {appointment.status.value}",
                code="invalid_status_change",
            )
        service = repository.get_service(uow.session, appointment.service_id)
        start, end, blocked_start, blocked_end = _check_slot(
            uow, service, new_start, force=force, exclude=appointment.id
        )
        old_start, old_end = appointment.scheduled_start, appointment.scheduled_end
        appointment.scheduled_start, appointment.scheduled_end = start, end
        appointment.blocked_start, appointment.blocked_end = blocked_start, blocked_end
        appointment.updated_at = uow.clock()
        appointment.ics_sequence += 1  # calendar clients move the event they hold
        uow.session.add(appointment)
        _flush(uow)
        outbox.on_rescheduled(
            uow,
            appointment,
            uow.email_policy,
            old_start=old_start,
            old_end=old_end,
            notify=notify,
        )
        uow.commit()
    return appointment


@dataclass(frozen=True, slots=True)
class AppointmentFilter:
    """``appointments list`` filters: UTC bounds, status, service, customer email."""

    start: datetime | None = None
    end: datetime | None = None
    status: AppointmentStatus | None = None
    service_id: str | None = None
    email: str | None = None
    limit: int | None = None


def list_appointments(uow: SqlUnitOfWork, filters: AppointmentFilter) -> list[Appointment]:
    """Appointments matching ``filters``, in start order."""
    query = select(Appointment).order_by(col(Appointment.scheduled_start), col(Appointment.id))
    if filters.start is not None:
        query = query.where(col(Appointment.scheduled_start) >= filters.start)
    if filters.end is not None:
        query = query.where(col(Appointment.scheduled_start) < filters.end)
    if filters.status is not None:
        query = query.where(col(Appointment.status) == filters.status)
    if filters.service_id is not None:
        query = query.where(col(Appointment.service_id) == filters.service_id)
    if filters.email is not None:
        wanted = clean_email(filters.email).lower()
        query = query.where(func.lower(col(Appointment.customer_email)) == wanted)
    if filters.limit is not None:
        if filters.limit <= 0:
            raise ValidationError("--limit must be a positive number")
        query = query.limit(filters.limit)
    with uow:
        return list(uow.session.exec(query))


def parse_status(value: str) -> AppointmentStatus:
    """A status name from the command line or the API."""
    try:
        return AppointmentStatus(value.strip().lower())
    except ValueError:
        names = ", ".join(status.value for status in AppointmentStatus)
        raise ValidationError(f"invalid status {value!r}: expected one of {names}") from None


def date_range(first: date | None, last: date | None) -> tuple[date | None, date | None]:
    """Inclusive dates as a half-open [first, last + 1) pair, checked for order."""
    if first is not None and last is not None and last < first:
        raise ValidationError("--to must not be before --from")
    return first, (last + timedelta(days=1)) if last is not None else None
