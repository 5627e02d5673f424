"""The domain's closed vocabularies: appointment and email statuses, templates, languages.

One list of each; tables, schemas, templates and commands import them from here.
"""

from __future__ import annotations

from enum import StrEnum


class AppointmentStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELED = "canceled"


# The statuses that hold their slot.
ACTIVE_STATUSES = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)


class EmailTemplate(StrEnum):
    WELCOME = "welcome"
    BOOKING_CONFIRMATION = "booking_confirmation"
    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    POST_SESSION_FEEDBACK = "post_session_feedback"
    CANCELLATION = "cancellation"
    RESCHEDULE = "reschedule"


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    CANCELED = "canceled"


class Language(StrEnum):
    """Languages of emails and pages; a third one is a new member plus its templates."""

    ES = "es"
    EN = "en"
