"""The appointment status machine: the one table of legal transitions."""

from __future__ import annotations

from bookctl.domain.enums import AppointmentStatus as S
from bookctl.domain.errors import InvalidTransitionError

TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELED}),
    S.CONFIRMED: frozenset({S.COMPLETED, S.CANCELED}),
    S.COMPLETED: frozenset(),
    S.CANCELED: frozenset(),
}


def check_transition(current: S, target: S) -> None:
    """Raise InvalidTransitionError unless ``current`` may become ``target``."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(
            f"cannot change an appointment that is {current.value} to {target.value}"
        )


def is_active(status: S) -> bool:
    """Active appointments hold their slot."""
    return status in (S.PENDING, S.CONFIRMED)
