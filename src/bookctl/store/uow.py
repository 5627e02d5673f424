"""Unit of work: one transaction per use case, committed in one place.

``__exit__`` rolls back anything not committed. Write units on SQLite begin with
``BEGIN IMMEDIATE``; on PostgreSQL, :meth:`SqlUnitOfWork.lock_bookings` takes a
transaction-scoped advisory lock so a booking's recheck and insert are atomic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bookctl.domain.policy import EmailPolicy
from bookctl.domain.timeparse import utcnow
from bookctl.store.db import writer

# Any constant works; it names "the booking calendar" among advisory locks.
BOOKING_LOCK_KEY = 0x626F6F6B  # "book"
# PostgreSQL: evaluating this waits for the lock and holds it until the transaction ends.
TAKE_BOOKING_LOCK = sa.func.pg_advisory_xact_lock(BOOKING_LOCK_KEY)
_LOCK_BOOKINGS = sa.select(TAKE_BOOKING_LOCK)


class SqlUnitOfWork:
    """A session and its transaction; use as a context manager, call :meth:`commit` to keep."""

    session: Session

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool = True,
        clock: Callable[[], datetime] = utcnow,
        email_policy: EmailPolicy | None = None,
    ) -> None:
        self._engine = writer(engine) if write else engine
        self.clock = clock
        self.email_policy = email_policy or EmailPolicy()
        self.after_commit: list[Callable[[], None]] = []

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> Self:
        self.session = Session(self._engine, expire_on_commit=False, autoflush=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the objects without
        # expiring them, so use cases can return what they loaded.
        self.session.close()

    def lock_bookings(self) -> None:
        """Serialise writers that check and then change the booking calendar."""
        if self.dialect == "postgresql":
            self.session.execute(_LOCK_BOOKINGS)
        # SQLite: BEGIN IMMEDIATE already holds the database's single write lock.

    def commit(self) -> None:
        self.session.commit()
        callbacks, self.after_commit = self.after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
