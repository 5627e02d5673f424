"""RecordingSender: an in-memory EmailSender that keeps what it is given (no I/O)."""

from __future__ import annotations

import threading
from collections import deque

from bookctl.email.message import OutgoingEmail
from bookctl.email.providers import EmailSendError, PermanentEmailError, TransientEmailError


class RecordingSender:
    """Records every message in ``.sent``; :meth:`fail_next` scripts failures first."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.attempts = 0
        self._failures: deque[EmailSendError] = deque()
        self._lock = threading.Lock()

    def fail_next(self, n: int = 1, *, transient: bool = True, message: str = "") -> None:
        """Make the next ``n`` sends raise a transient (or permanent) error."""
        cls = TransientEmailError if transient else PermanentEmailError
        text = message or ("provider unavailable" if transient else "provider refused")
        with self._lock:
            self._failures.extend(cls(text) for _ in range(n))

    def send(self, email: OutgoingEmail) -> str | None:
        """Keep ``email`` and return a made-up provider id, or raise a scripted failure."""
        with self._lock:
            self.attempts += 1
            if self._failures:
                raise self._failures.popleft()
            self.sent.append(email)
            return f"recorded-{len(self.sent)}"
