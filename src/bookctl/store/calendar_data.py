"""Load what the slot engine needs for a time range, in one query and one round trip.

Rules, overrides, time off, busy time and active appointments come back from one
``UNION ALL``: each branch fills the columns its table has and typed NULLs elsewhere, and a
``kind`` column says which table a row came from. The statement is built once per dialect
with bound parameters, so SQLAlchemy compiles it once and each call only binds values.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bookctl.domain import slots
from bookctl.store.db import UTCDateTime
from bookctl.store.models import (
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
    """Rules, overrides and busy intervals around a range, ready for :mod:`bookctl.domain.slots`.

    ``busy`` includes ``booked``, the buffered spans of the active appointments, which
    booking also needs on their own: no other appointment may overlap them, even forced.
    """

    rules: Sequence[slots.WeeklyRule]
    overrides: Sequence[slots.DateOverride]
    busy: Sequence[slots.Interval]
    booked: Sequence[slots.Interval]


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


_RULE, _OVERRIDE, _BUSY, _BOOKED = "rule", "override", "busy", "booked"
# Every branch selects these, in this order; PostgreSQL wants each column's NULLs typed.
_COLUMN_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "weekday": sa.Integer(),
    "day": sa.Date(),
    "closed": sa.Boolean(),
    "start_time": sa.Time(),
    "end_time": sa.Time(),
    "timezone": sa.String(),
    "start_at": UTCDateTime(),
    "end_at": UTCDateTime(),
}


def _branch(
    kind: str, table: sa.Table, **columns: sa.ColumnElement[Any]
) -> sa.Select[*tuple[Any, ...]]:
    """SELECT kind plus every calendar column from ``table``; the ones not given are NULL."""
    selected: list[sa.ColumnElement[Any]] = [
        sa.literal_column(f"'{kind}'", sa.String()).label("kind")
    ]
    for name, type_ in _COLUMN_TYPES.items():
        value = columns.get(name, sa.cast(sa.null(), type_))
        selected.append(value.label(name))
    return sa.select(*selected).select_from(table)


def _booked_overlap(
    dialect: str, table: sa.Table, low: sa.ColumnElement[Any], high: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    """An appointment's buffered range overlaps [low, high)."""
    start, end = table.c.blocked_start, table.c.blocked_end
    if dialect != "postgresql":
        return sa.and_(start < high, end > low)
    # The overlap guard's GiST index expression, so the matches are looked up, not scanned.
    bounds: sa.ColumnElement[str] = sa.literal_column("'[)'")
    return sa.func.tstzrange(start, end, bounds).bool_op("&&")(sa.func.tstzrange(low, high, bounds))


@functools.cache
def _calendar_query(dialect: str) -> sa.CompoundSelect[Any]:
    """The calendar ``UNION ALL`` for ``dialect``; :func:`load_calendar` binds its values."""
    rules = AvailabilityRule.__table__  # type: ignore[attr-defined]
    overrides = AvailabilityOverride.__table__  # type: ignore[attr-defined]
    appointments = Appointment.__table__  # type: ignore[attr-defined]
    busy_from = sa.bindparam("busy_from", type_=UTCDateTime())
    busy_to = sa.bindparam("busy_to", type_=UTCDateTime())
    branches = [
        _branch(
            _RULE,
            rules,
            weekday=rules.c.weekday,
            start_time=rules.c.start_time,
            end_time=rules.c.end_time,
            timezone=rules.c.timezone,
        ),
        _branch(
            _OVERRIDE,
            overrides,
            day=overrides.c.day,
            closed=overrides.c.closed,
            start_time=overrides.c.start_time,
            end_time=overrides.c.end_time,
            timezone=overrides.c.timezone,
        ).where(
            overrides.c.day >= sa.bindparam("first_day", type_=sa.Date()),
            overrides.c.day <= sa.bindparam("last_day", type_=sa.Date()),
        ),
    ]
    for table in (TimeOffBlock.__table__, BusyTime.__table__):  # type: ignore[attr-defined]
        branches.append(
            _branch(_BUSY, table, start_at=table.c.start_at, end_at=table.c.end_at).where(
                table.c.start_at < busy_to, table.c.end_at > busy_from
            )
        )
    branches.append(
        _branch(
            _BOOKED,
            appointments,
            start_at=appointments.c.blocked_start,
            end_at=appointments.c.blocked_end,
        ).where(
            # Inline, not bound: PostgreSQL then sees the overlap guard's partial-index predicate.
            appointments.c.status.in_(
                [sa.literal_column(f"'{status}'") for status in ACTIVE_STATUSES]
            ),
            _booked_overlap(dialect, appointments, busy_from, busy_to),
            # NULL (nothing to exclude) is distinct from every id.
            appointments.c.id.is_distinct_from(
                sa.bindparam("exclude_appointment", type_=sa.Uuid())
            ),
        )
    )
    return sa.union_all(*branches)


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
    if session.autoflush:
        session.flush()  # a Core statement skips the autoflush an ORM query would do
    connection = session.connection()
    # A slot starting in the range reaches back by its buffer and forward by its length.
    rows = connection.execute(
        _calendar_query(connection.dialect.name),
        {
            "first_day": (start - _DATE_PAD).date(),
            "last_day": (end + _DATE_PAD).date(),
            "busy_from": start - spec.buffer_before,
            "busy_to": end + spec.duration + spec.buffer_after,
            "exclude_appointment": exclude_appointment,
        },
    )
    rules: list[slots.WeeklyRule] = []
    overrides: list[slots.DateOverride] = []
    busy: list[slots.Interval] = []
    booked: list[slots.Interval] = []
    for kind, weekday, day, closed, start_time, end_time, timezone, start_at, end_at in rows:
        if kind == _RULE:
            rules.append(slots.WeeklyRule(weekday, start_time, end_time, timezone))
        elif kind == _OVERRIDE:
            if closed:
                start_time = end_time = None
            overrides.append(slots.DateOverride(day, start_time, end_time, timezone))
        else:
            interval = slots.Interval(start_at, end_at)
            busy.append(interval)
            if kind == _BOOKED:
                booked.append(interval)
    return Calendar(rules, overrides, busy, booked)
