"""Validation of customer-facing text: names, emails, ids (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata

from bookctl.domain.errors import ValidationError

MAX_NAME = 200
MAX_EMAIL = 254
_SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def clean_text(value: str, field: str, *, max_length: int = MAX_NAME, required: bool = True) -> str:
    """Trimmed single-line text with no control characters, at most ``max_length`` long."""
    text = value.strip()
    if required and not text:
        raise ValidationError(f"{field} must not be empty")
    if _has_control(text):
        raise ValidationError(f"{field} must not contain control characters or line breaks")
    if len(text) > max_length:
        raise ValidationError(f"{field} is longer than {max_length} characters")
    return text


def clean_name(value: str) -> str:
    """A customer's name."""
    return clean_text(value, "name")


def clean_email(value: str) -> str:
    """A syntactically valid email address, normalised (domain lower-cased)."""
    from email_validator import EmailNotValidError, validate_email

    text = value.strip()
    if len(text) > MAX_EMAIL:
        raise ValidationError(f"invalid email: longer than {MAX_EMAIL} characters")
    if _has_control(text):
        raise ValidationError("invalid email: it contains control characters")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(f"invalid email {text!r}: {error}") from None
    return str(result.normalized)


def clean_service_id(value: str) -> str:
    """A service id: lower-case letters, digits, '-' and '_', starting with a letter or digit."""
    text = value.strip()
    if not _SERVICE_ID.match(text):
        raise ValidationError(
            f"invalid service id {value!r}: use 1-63 lower-case letters, digits, '-' or '_'"
        )
    return text


def positive_minutes(value: int, field: str) -> int:
    """A duration in minutes that must be above zero."""
    if value <= 0:
        raise ValidationError(f"{field} must be a positive number of minutes")
    return value


def non_negative(value: int, field: str) -> int:
    """A count or duration that may be zero but not negative."""
    if value < 0:
        raise ValidationError(f"{field} must not be negative")
    return value


def optional_text(value: str | None, field: str, *, max_length: int = MAX_NAME) -> str | None:
    """Like :func:`clean_text`, but blank or missing gives None."""
    if value is None:
        return None
    return clean_text(value, field, max_length=max_length, required=False) or None


def clean_language(value: str) -> str:
    """An email and page language bookctl ships: ``es`` or ``en``."""
    text = value.strip().lower()
    if text not in ("es", "en"):
        raise ValidationError(f"invalid language {value!r}: expected es or en")
    return text
