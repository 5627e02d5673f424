"""Upper bounds on what staff and customers may enter, shared by the CLI and the API schemas.

A session, a buffer or a slot interval longer than a day, or a booking window of centuries,
is always a typo; refusing it keeps one runaway service from blocking the whole calendar.
"""

from __future__ import annotations

MINUTES_PER_DAY = 24 * 60

MAX_DURATION_MINUTES = MINUTES_PER_DAY  # one session: at most 24 hours
MAX_BUFFER_MINUTES = MINUTES_PER_DAY  # before or after: at most 24 hours
MAX_SLOT_INTERVAL_MINUTES = MINUTES_PER_DAY
MAX_NOTICE_MINUTES = 365 * MINUTES_PER_DAY  # at most a year
MAX_ADVANCE_DAYS = 3650  # the booking window: at most 10 years
MAX_FORCE_AHEAD_DAYS = 3650  # a forced booking starts within 10 years of now
MAX_AVAILABILITY_DAYS = 366  # one availability query

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_REASON_LENGTH = 500
MAX_ORDER_ID_LENGTH = 200
