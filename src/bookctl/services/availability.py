"""Use case: the open slots of a service over some local dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bookctl.domain import slots
from bookctl.domain.errors import ValidationError
from bookctl.domain.timeparse import zone_name
from bookctl.store import repository
from bookctl.store.calendar_data import load_calendar, service_spec
from bookctl.store.models import Service
from bookctl.store.uow import SqlUnitOfWork

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Availability:
    service: Service
    timezone: str
    slots: list[slots.Interval]  # UTC; render in ``timezone``


def find_slots(
    uow: SqlUnitOfWork, service_id: str, first_day: date, days: int, timezone: str
) -> Availability:
    """Open slots starting on the local dates [first_day, first_day + days) in ``timezone``."""
    zone_name(timezone)
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"days must be between 1 and {MAX_DAYS}")
    start = slots.day_start(first_day, timezone)
    end = slots.day_start(first_day + timedelta(days=days), timezone)
    with uow:
        service = repository.get_service(uow.session, service_id)
        if not service.active:
            return Availability(service, timezone, [])
        calendar = load_calendar(uow.session, service, start, end)
        found = slots.compute_slots(
            service_spec(service),
            calendar.rules,
            calendar.overrides,
            calendar.busy,
            uow.clock(),
            start,
            end,
        )
    return Availability(service, timezone, found)
