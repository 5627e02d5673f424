"""Domain errors and the one table mapping each to an exit code and an HTTP status.

Use cases raise these; every entrypoint (CLI command, API route, cron job) maps them once,
through :func:`exit_code_for` / :func:`http_status_for`.
"""

from __future__ import annotations


class BookctlError(Exception):
    """An expected failure with a one-sentence message for the user."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationError(BookctlError):
    """Bad input: a bad option, time zone, time range, email or name."""

    code = "invalid_input"


class NotFoundError(BookctlError):
    """An unknown service, appointment, rule or block."""

    code = "not_found"


class AmbiguousIdError(ValidationError):
    """An id prefix that matches several records (a usage error)."""

    code = "ambiguous_id"


class ConflictError(BookctlError):
    """A slot that is not available or a status change that is not allowed."""

    code = "conflict"


class SlotUnavailableError(ConflictError):
    """The requested time is taken, closed or outside the booking window."""

    code = "slot_unavailable"


class InvalidTransitionError(ConflictError):
    """An appointment status change the state machine forbids."""

    code = "invalid_status_change"


class ExternalServiceError(BookctlError):
    """An email provider, calendar server or the database failed or is unreachable."""

    code = "external_service_failed"


class AuthError(BookctlError):
    """A missing or wrong token (HTTP only)."""

    code = "unauthorized"


# The one table. Order matters: the first matching class wins, so subclasses come first.
_TABLE: tuple[tuple[type[BookctlError], int, int], ...] = (
    (AmbiguousIdError, 2, 400),
    (ValidationError, 2, 422),
    (NotFoundError, 3, 404),
    (ConflictError, 4, 409),
    (ExternalServiceError, 5, 502),
    (AuthError, 2, 401),
)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4
EXIT_EXTERNAL = 5


def _lookup(error: BookctlError) -> tuple[int, int]:
    for cls, exit_code, status in _TABLE:
        if isinstance(error, cls):
            return exit_code, status
    return EXIT_INTERNAL, 500


def exit_code_for(error: BookctlError) -> int:
    """Process exit code for a domain error."""
    return _lookup(error)[0]


def http_status_for(error: BookctlError) -> int:
    """HTTP status for a domain error."""
    return _lookup(error)[1]
