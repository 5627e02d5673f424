"""Use cases for what the business offers and when: services, weekly rules, overrides, time off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import col, select

from bookctl.domain.errors import ConflictError, ValidationError
from bookctl.domain.timeparse import zone_name
from bookctl.domain.validation import (
    clean_service_id,
    clean_text,
    non_negative,
    optional_text,
    positive_minutes,
)
from bookctl.store import repository
from bookctl.store.models import (
    ACTIVE_STATUSES,
    Appointment,
    AvailabilityOverride,
    AvailabilityRule,
    Service,
    TimeOffBlock,
)
from bookctl.store.uow import SqlUnitOfWork

_Removable = TypeVar("_Removable", AvailabilityRule, AvailabilityOverride, TimeOffBlock)

MAX_ADVANCE_DAYS = 3660


@dataclass(frozen=True, slots=True)
class ServiceChanges:
    """Optional new values for a service; None leaves a field as it is."""

    name: str | None = None
    duration: int | None = None
    buffer_before: int | None = None
    buffer_after: int | None = None
    slot_interval: int | None = None
    min_notice: int | None = None
    max_advance_days: int | None = None
    active: bool | None = None


def _apply(service: Service, changes: ServiceChanges) -> None:
    if changes.name is not None:
        service.name = clean_text(changes.name, "service name")
    if changes.duration is not None:
        service.duration_minutes = positive_minutes(changes.duration, "duration")
    if changes.buffer_before is not None:
        service.buffer_before_minutes = non_negative(changes.buffer_before, "buffer before")
    if changes.buffer_after is not None:
        service.buffer_after_minutes = non_negative(changes.buffer_after, "buffer after")
    if changes.slot_interval is not None:
        service.slot_interval_minutes = positive_minutes(changes.slot_interval, "slot interval")
    if changes.min_notice is not None:
        service.min_notice_minutes = non_negative(changes.min_notice, "minimum notice")
    if changes.max_advance_days is not None:
        days = positive_minutes(changes.max_advance_days, "max advance days")
        if days > MAX_ADVANCE_DAYS:
            raise ValidationError(f"max advance days must be at most {MAX_ADVANCE_DAYS}")
        service.max_advance_days = days
    if changes.active is not None:
        service.active = changes.active


def add_service(uow: SqlUnitOfWork, service_id: str, changes: ServiceChanges) -> Service:
    """Create a service; the slot interval defaults to its duration."""
    service_id = clean_service_id(service_id)
    if changes.name is None or changes.duration is None:
        raise ValidationError("a service needs a name and a duration")
    now = uow.clock()
    service = Service(
        id=service_id,
        name="",
        duration_minutes=1,
        slot_interval_minutes=1,
        created_at=now,
        updated_at=now,
    )
    _apply(service, changes)
    if changes.slot_interval is None:
        service.slot_interval_minutes = service.duration_minutes
    with uow:
        if uow.session.get(Service, service_id) is not None:
            raise ConflictError(f"service {service_id!r} already exists", code="already_exists")
        uow.session.add(service)
        uow.commit()
    return service


def update_service(uow: SqlUnitOfWork, service_id: str, changes: ServiceChanges) -> Service:
    """Change some fields of a service; existing appointments keep their times."""
    with uow:
        service = repository.get_service(uow.session, service_id)
        _apply(service, changes)
        service.updated_at = uow.clock()
        uow.session.add(service)
        uow.commit()
    return service


def remove_service(uow: SqlUnitOfWork, service_id: str) -> Service:
    """Delete a service that has never been booked."""
    with uow:
        service = repository.get_service(uow.session, service_id)
        used = uow.session.exec(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.service_id == service.id)
        ).one()
        if used:
            raise ConflictError(
                f"service {service.id!r} has {used} appointment(s); deactivate it instead with "
                f"`bookctl services update {service.id} --inactive`",
                code="service_in_use",
            )
        uow.session.delete(service)
        uow.commit()
    return service


def list_services(uow: SqlUnitOfWork, *, include_inactive: bool = True) -> list[Service]:
    with uow:
        query = select(Service).order_by(col(Service.id))
        if not include_inactive:
            query = query.where(col(Service.active).is_(True))
        return list(uow.session.exec(query))


def get_service(uow: SqlUnitOfWork, service_id: str) -> Service:
    with uow:
        return repository.get_service(uow.session, service_id)


def _check_hours(start: time, end: time | None) -> None:
    if end is not None and end <= start:
        raise ValidationError("the end time must be after the start time")


def add_rule(
    uow: SqlUnitOfWork, weekday: int, start: time, end: time | None, timezone: str
) -> AvailabilityRule:
    """A weekly opening window in local wall-clock time (``end`` None is 24:00)."""
    if not 0 <= weekday <= 6:
        raise ValidationError("weekday must be 0 (Monday) to 6 (Sunday)")
    _check_hours(start, end)
    rule = AvailabilityRule(
        weekday=weekday,
        start_time=start,
        end_time=end,
        timezone=zone_name(timezone),
        created_at=uow.clock(),
    )
    with uow:
        uow.session.add(rule)
        uow.commit()
    return rule


def list_rules(uow: SqlUnitOfWork) -> list[AvailabilityRule]:
    with uow:
        query = select(AvailabilityRule).order_by(
            col(AvailabilityRule.weekday), col(AvailabilityRule.start_time)
        )
        return list(uow.session.exec(query))


def _remove(uow: SqlUnitOfWork, model: type[_Removable], record_id: str, label: str) -> _Removable:
    """Delete the record of ``model`` with this id or unique prefix, and return it."""
    with uow:
        record = repository.get_by_prefix(uow.session, model, record_id, label)
        uow.session.delete(record)
        uow.commit()
    return record


def remove_rule(uow: SqlUnitOfWork, rule_id: str) -> AvailabilityRule:
    return _remove(uow, AvailabilityRule, rule_id, "rule")


def add_override(
    uow: SqlUnitOfWork,
    day: date,
    timezone: str,
    *,
    start: time | None = None,
    end: time | None = None,
    closed: bool = False,
    reason: str | None = None,
) -> AvailabilityOverride:
    """Special hours for one date (replacing the weekly rules), or a closed date."""
    if closed and start is not None:
        raise ValidationError("give either --closed or --start/--end, not both")
    if not closed:
        if start is None:
            raise ValidationError("an override needs --start and --end, or --closed")
        _check_hours(start, end)
    item = AvailabilityOverride(
        day=day,
        closed=closed,
        start_time=start,
        end_time=end,
        timezone=zone_name(timezone),
        reason=optional_text(reason, "reason"),
        created_at=uow.clock(),
    )
    with uow:
        uow.session.add(item)
        uow.commit()
    return item


def list_overrides(uow: SqlUnitOfWork, since: date | None = None) -> list[AvailabilityOverride]:
    with uow:
        query = select(AvailabilityOverride).order_by(
            col(AvailabilityOverride.day), col(AvailabilityOverride.start_time)
        )
        if since is not None:
            query = query.where(col(AvailabilityOverride.day) >= since)
        return list(uow.session.exec(query))


def remove_override(uow: SqlUnitOfWork, override_id: str) -> AvailabilityOverride:
    return _remove(uow, AvailabilityOverride, override_id, "override")


@dataclass(frozen=True, slots=True)
class BlockResult:
    block: TimeOffBlock
    overlapping_appointments: int


def add_block(
    uow: SqlUnitOfWork, start: datetime, end: datetime, reason: str | None = None
) -> BlockResult:
    """Time off; existing appointments inside it are kept and counted so staff can act."""
    if end <= start:
        raise ValidationError("the end must be after the start")
    block = TimeOffBlock(
        start_at=start,
        end_at=end,
        reason=optional_text(reason, "reason"),
        created_at=uow.clock(),
    )
    with uow:
        uow.session.add(block)
        overlapping = uow.session.exec(
            select(func.count())
            .select_from(Appointment)
            .where(
                col(Appointment.status).in_(ACTIVE_STATUSES),
                col(Appointment.scheduled_start) < end,
                col(Appointment.scheduled_end) > start,
            )
        ).one()
        uow.commit()
    return BlockResult(block, overlapping)


def list_blocks(uow: SqlUnitOfWork, *, ending_after: datetime | None = None) -> list[TimeOffBlock]:
    with uow:
        query = select(TimeOffBlock).order_by(col(TimeOffBlock.start_at))
        if ending_after is not None:
            query = query.where(col(TimeOffBlock.end_at) > ending_after)
        return list(uow.session.exec(query))


def remove_block(uow: SqlUnitOfWork, block_id: str) -> TimeOffBlock:
    return _remove(uow, TimeOffBlock, block_id, "block")
