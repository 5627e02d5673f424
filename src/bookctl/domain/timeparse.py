"""Parsing of times, dates, weekdays and zones typed by people (pure, no I/O).

Naive local times are resolved strictly: a wall time that does not exist (DST gap) is an
error, and one that exists twice (DST fold) is an error unless the input carries an offset.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bookctl.domain.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or a ValidationError naming it."""
    if not name or not _ZONE_KEY.match(name) or len(name) > 64:
        raise ValidationError(f"unknown time zone {name!r}", code="invalid_timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f"unknown time zone {name!r}", code="invalid_timezone") from None


def zone_name(name: str) -> str:
    """Validate an IANA zone name and return it unchanged."""
    zone(name)
    return name


def known_zones() -> set[str]:
    """All IANA zone names this machine knows."""
    return available_timezones()


def parse_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def _hhmm(text: str) -> tuple[int, int]:
    match = _HHMM.match(text.strip())
    if not match:
        raise ValidationError(f"invalid time {text!r}: expected HH:MM")
    return int(match.group(1)), int(match.group(2))


def parse_hhmm(text: str) -> time:
    """A wall-clock time HH:MM from 00:00 to 23:59."""
    hour, minute = _hhmm(text)
    if hour > 23 or minute > 59:
        raise ValidationError(f"invalid time {text!r}: expected HH:MM between 00:00 and 23:59")
    return time(hour, minute)


def parse_closing(text: str) -> time | None:
    """A closing time HH:MM, where ``24:00`` (the end of the date) gives None."""
    if _hhmm(text) == (24, 0):
        return None
    return parse_hhmm(text)


def parse_weekday(text: str | int) -> int:
    """A weekday as 0 (Monday) … 6 (Sunday), or its English name or three-letter abbreviation."""
    value = str(text).strip().lower()
    if value.isdigit() or (value.startswith("-") and value[1:].isdigit()):
        number = int(value)
        if 0 <= number <= 6:
            return number
        raise ValidationError(f"invalid weekday {text!r}: expected 0 (Monday) to 6 (Sunday)")
    if value in WEEKDAYS:
        return WEEKDAYS.index(value)
    if value in _FULL_WEEKDAYS:
        return _FULL_WEEKDAYS.index(value)
    raise ValidationError(f"invalid weekday {text!r}: expected 0-6 or mon … sun")


def localize(wall: datetime, tz_name: str) -> datetime:
    """Attach a zone to a naive wall time, refusing DST gaps and folds."""
    tz = zone(tz_name)
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # The offsets differ, so the wall time is in a gap or a fold: a fold round-trips.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        raise ValidationError(
            f"{wall:%Y-%m-%d %H:%M} is ambiguous in {tz_name} (it happens twice when the clocks "
            "go back); give an explicit UTC offset",
            code="ambiguous_time",
        )
    raise ValidationError(
        f"{wall:%Y-%m-%d %H:%M} does not exist in {tz_name} (the clocks skip it)",
        code="nonexistent_time",
    )


def parse_datetime(text: str, tz_name: str) -> datetime:
    """An ISO 8601 time, optional offset; naive times are read in ``tz_name``. Returns UTC."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            f"invalid time {text!r}: expected YYYY-MM-DDTHH:MM with an optional offset"
        ) from None
    if parsed.tzinfo is None:
        if len(raw) <= 10:  # a bare date is not a time
            raise ValidationError(f"invalid time {text!r}: expected YYYY-MM-DDTHH:MM")
        parsed = localize(parsed, tz_name)
    return parsed.astimezone(UTC)


def require_aware(value: datetime) -> datetime:
    """UTC form of an aware datetime; naive values are a programming error."""
    if value.tzinfo is None:
        raise ValueError("naive datetime where an aware one is required")
    return value.astimezone(UTC)


def utcnow() -> datetime:
    """The application's clock (UTC); the one source of 'now' so tests can freeze it."""
    return datetime.now(UTC)


def minutes(value: int) -> timedelta:
    """A timedelta of whole minutes."""
    return timedelta(minutes=value)


def iso(value: datetime | None, tz_name: str | None = None) -> str | None:
    """ISO 8601 with an explicit offset, in ``tz_name`` or UTC."""
    if value is None:
        return None
    value = require_aware(value)
    if tz_name:
        value = value.astimezone(zone(tz_name))
    return value.isoformat()
