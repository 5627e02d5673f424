"""Load what the slot engine needs for a time range, one query per table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bookctl import slots
from bookctl.models import (
    ACTIVE_STATUSES,
    Appointment,
    AvailabilityOverride,
    AvailabilityRule,
    BusyTime,
    Service,
    TimeOffBlock,
)

# Overrides are local dates; a day either side covers every zone's view of the range.
_DATE_PAD = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Rules, overrides and busy intervals around a range, ready for :mod:`bookctl.slots`."""

    rules: Sequence[slots.WeeklyRule]
    overrides: Sequence[slots.DateOverride]
    busy: Sequence[slots.Interval]


def service_spec(service: Service) -> slots.ServiceSpec:
    """The slot engine's view of a service."""
    return slots.ServiceSpec(
        duration=timedelta(minutes=service.duration_minutes),
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        interval=timedelta(minutes=service.slot_interval_minutes),
        min_notice=timedelta(minutes=service.min_notice_minutes),
        max_advance=timedelta(days=service.max_advance_days),
    )


def load_calendar(
    session: Session,
    service: Service,
    start: datetime,
    end: datetime,
    *,
    exclude_appointment: uuid.UUID | None = None,
) -> Calendar:
    """Everything that opens or blocks time for slots of ``service`` starting in [start, end)."""
    spec = service_spec(service)
    # A slot starting in the range reaches back by its buffer and forward by its length.
    busy_from = start - spec.buffer_before
    busy_to = end + spec.duration + spec.buffer_after

    rules = [
        slots.WeeklyRule(rule.weekday, rule.start_time, rule.end_time, rule.timezone)
        for rule in session.exec(select(AvailabilityRule))
    ]
    overrides = [
        slots.DateOverride(
            item.day,
            None if item.closed else item.start_time,
            None if item.closed else item.end_time,
            item.timezone,
        )
        for item in session.exec(
            select(AvailabilityOverride).where(
                col(AvailabilityOverride.day) >= (start - _DATE_PAD).date(),
                col(AvailabilityOverride.day) <= (end + _DATE_PAD).date(),
            )
        )
    ]
    busy: list[slots.Interval] = []
    for table in (TimeOffBlock, BusyTime):
        rows = session.exec(
            select(table.start_at, table.end_at).where(
                col(table.start_at) < busy_to, col(table.end_at) > busy_from
            )
        )
        busy.extend(slots.Interval(row[0], row[1]) for row in rows)
    appointments = select(Appointment.blocked_start, Appointment.blocked_end).where(
        col(Appointment.status).in_(ACTIVE_STATUSES),
        col(Appointment.blocked_start) < busy_to,
        col(Appointment.blocked_end) > busy_from,
    )
    if exclude_appointment is not None:
        appointments = appointments.where(col(Appointment.id) != exclude_appointment)
    busy.extend(slots.Interval(row[0], row[1]) for row in session.exec(appointments))
    return Calendar(rules, overrides, busy)
