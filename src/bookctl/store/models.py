"""Tables (SQLModel); every instant is stored in UTC (:class:`bookctl.store.db.UTCDateTime`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bookctl.domain.enums import (  # noqa: F401 (re-exported for the store's users)
    ACTIVE_STATUSES,
    AppointmentStatus,
    EmailStatus,
    EmailTemplate,
)
from bookctl.store.db import NAMING_CONVENTION, UTCDateTime

SQLModel.metadata.naming_convention = NAMING_CONVENTION


STATUS_TYPE = sa.Enum(
    AppointmentStatus,
    name="appointment_status",
    values_callable=lambda enum: [member.value for member in enum],
    create_constraint=True,
    validate_strings=True,
)


def _instant(nullable: bool = False, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


class Service(SQLModel, table=True):
    __tablename__ = "services"

    id: str = Field(primary_key=True, max_length=63)
    name: str = Field(max_length=200)
    duration_minutes: int
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    slot_interval_minutes: int
    min_notice_minutes: int = 60
    max_advance_days: int = 60
    active: bool = True
    created_at: datetime = Field(sa_column=_instant())
    updated_at: datetime = Field(sa_column=_instant())


class AvailabilityRule(SQLModel, table=True):
    __tablename__ = "availability_rules"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    weekday: int = Field(index=True)
    start_time: time
    end_time: time | None = None  # None is 24:00, the end of the local date
    timezone: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_instant())


class AvailabilityOverride(SQLModel, table=True):
    __tablename__ = "availability_overrides"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    day: date = Field(index=True)
    closed: bool = False
    start_time: time | None = None
    end_time: time | None = None  # None with a start is 24:00
    timezone: str = Field(max_length=64)
    reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_instant())


class TimeOffBlock(SQLModel, table=True):
    __tablename__ = "time_off_blocks"
    __table_args__ = (sa.Index("ix_time_off_blocks_range", "start_at", "end_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    start_at: datetime = Field(sa_column=_instant())
    end_at: datetime = Field(sa_column=_instant())
    reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_instant())


class BusyTime(SQLModel, table=True):
    """Busy time read from the owner's external calendar (filled by calendar sync)."""

    __tablename__ = "busy_times"
    __table_args__ = (
        sa.Index("ix_busy_times_range", "start_at", "end_at"),
        sa.UniqueConstraint(
            "source", "external_id", "start_at", name="uq_busy_times_source_external_start"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    source: str = Field(max_length=32)
    external_id: str = Field(max_length=512)
    start_at: datetime = Field(sa_column=_instant())
    end_at: datetime = Field(sa_column=_instant())
    updated_at: datetime = Field(sa_column=_instant())


class Appointment(SQLModel, table=True):
    __tablename__ = "appointments"
    # The overlap check and the slot engine's range reads.
    __table_args__ = (sa.Index("ix_appointments_blocked", "blocked_start", "blocked_end"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    status: AppointmentStatus = Field(sa_column=sa.Column(STATUS_TYPE, nullable=False, index=True))
    service_id: str = Field(foreign_key="services.id", index=True, max_length=63)
    customer_name: str = Field(max_length=200)
    customer_email: str = Field(max_length=254, index=True)
    scheduled_start: datetime = Field(sa_column=_instant(index=True))
    scheduled_end: datetime = Field(sa_column=_instant())
    # The session widened by the service's buffers: what no other active appointment may touch.
    blocked_start: datetime = Field(sa_column=_instant())
    blocked_end: datetime = Field(sa_column=_instant())
    timezone: str = Field(max_length=64)
    language: str = Field(default="en", max_length=8)
    order_id: str | None = Field(default=None, max_length=200)
    cancel_reason: str | None = Field(default=None, max_length=500)
    canceled_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    created_at: datetime = Field(sa_column=_instant())
    updated_at: datetime = Field(sa_column=_instant())
    # Grows with every change a calendar client must see (reschedule, cancel).
    ics_sequence: int = 0


class EmailEvent(SQLModel, table=True):
    """One email in the transactional outbox, written with the change that caused it."""

    __tablename__ = "email_events"
    # The job's claim: queued rows by due time.
    __table_args__ = (sa.Index("ix_email_events_status_send_at", "status", "send_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recipient: str = Field(max_length=254)
    template: str = Field(max_length=32)
    status: str = Field(default=EmailStatus.QUEUED, max_length=16)
    provider_message_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_instant())
    appointment_id: uuid.UUID | None = Field(
        default=None, foreign_key="appointments.id", ondelete="CASCADE", index=True
    )
    language: str = Field(default="en", max_length=8)
    send_at: datetime = Field(sa_column=_instant())
    sent_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    # Why a row was canceled (appointment canceled, rescheduled, reminder gone stale).
    status_reason: str | None = Field(default=None, max_length=200)
    # The lease: which run holds the row and until when; an expired lease is free again.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_column=_instant(nullable=True))
    idempotency_key: str = Field(max_length=300, unique=True)
    # Facts of the moment the email was queued (the previous time of a reschedule).
    payload: dict[str, str] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
    updated_at: datetime = Field(sa_column=_instant())
