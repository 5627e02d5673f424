"""One place that builds engine, clock and providers from settings, for every entrypoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bookctl.domain.timeparse import utcnow
from bookctl.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bookctl.store.uow import SqlUnitOfWork


@dataclass
class App:
    """Configured collaborators; the engine is created on first use."""

    settings: Settings
    clock: Callable[[], datetime] = utcnow
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from bookctl.store.db import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def uow(self, *, write: bool = True) -> SqlUnitOfWork:
        """A fresh unit of work (read-only ones skip SQLite's write lock)."""
        from datetime import timedelta

        from bookctl.domain.policy import EmailPolicy
        from bookctl.store.uow import SqlUnitOfWork

        policy = EmailPolicy(feedback_delay=timedelta(minutes=self.settings.feedback_delay_minutes))
        return SqlUnitOfWork(self.engine, write=write, clock=self.clock, email_policy=policy)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def bootstrap(settings: Settings) -> App:
    """The application for these settings."""
    return App(settings=settings)
