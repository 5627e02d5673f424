"""Business settings the use cases need inside their transaction (no I/O, no imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

DEFAULT_FEEDBACK_DELAY = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class EmailPolicy:
    """How the outbox schedules emails: the feedback request goes this long after the end."""

    feedback_delay: timedelta = DEFAULT_FEEDBACK_DELAY
