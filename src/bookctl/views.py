"""The ``--json`` shapes: a documented contract, one function per record type."""

from __future__ import annotations

from datetime import time
from typing import Any

from bookctl.domain.timeparse import WEEKDAYS, iso
from bookctl.store.models import (
    Appointment,
    AvailabilityOverride,
    AvailabilityRule,
    EmailEvent,
    Service,
    TimeOffBlock,
)


def hhmm(value: time | None) -> str:
    """``HH:MM``, with None as ``24:00`` (end of day)."""
    return "24:00" if value is None else value.strftime("%H:%M")


def service_json(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "duration_minutes": service.duration_minutes,
        "buffer_before_minutes": service.buffer_before_minutes,
        "buffer_after_minutes": service.buffer_after_minutes,
        "slot_interval_minutes": service.slot_interval_minutes,
        "min_notice_minutes": service.min_notice_minutes,
        "max_advance_days": service.max_advance_days,
        "active": service.active,
        "created_at": iso(service.created_at),
        "updated_at": iso(service.updated_at),
    }


def rule_json(rule: AvailabilityRule) -> dict[str, Any]:
    return {
        "id": str(rule.id),
        "weekday": rule.weekday,
        "weekday_name": WEEKDAYS[rule.weekday],
        "start_time": hhmm(rule.start_time),
        "end_time": hhmm(rule.end_time),
        "timezone": rule.timezone,
    }


def override_json(item: AvailabilityOverride) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "date": item.day.isoformat(),
        "closed": item.closed,
        "start_time": None if item.closed else hhmm(item.start_time),
        "end_time": None if item.closed else hhmm(item.end_time),
        "timezone": item.timezone,
        "reason": item.reason,
    }


def block_json(block: TimeOffBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "start": iso(block.start_at),
        "end": iso(block.end_at),
        "reason": block.reason,
        "created_at": iso(block.created_at),
    }


def appointment_json(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": str(appointment.id),
        "status": appointment.status.value,
        "service_id": appointment.service_id,
        "customer_name": appointment.customer_name,
        "customer_email": appointment.customer_email,
        "scheduled_start": iso(appointment.scheduled_start),
        "scheduled_end": iso(appointment.scheduled_end),
        "timezone": appointment.timezone,
        "language": appointment.language,
        "order_id": appointment.order_id,
        "cancel_reason": appointment.cancel_reason,
        "canceled_at": iso(appointment.canceled_at),
        "created_at": iso(appointment.created_at),
        "updated_at": iso(appointment.updated_at),
    }


def email_event_json(event: EmailEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "recipient": event.recipient,
        "template": event.template,
        "status": event.status,
        "provider_message_id": event.provider_message_id,
        "created_at": iso(event.created_at),
        "appointment_id": str(event.appointment_id) if event.appointment_id else None,
        "send_at": iso(event.send_at),
        "sent_at": iso(event.sent_at) if event.sent_at else None,
        "attempts": event.attempts,
        "last_error": event.last_error,
        "status_reason": event.status_reason,
        "language": event.language,
    }
