"""Setup helpers for integration tests: a service open around the clock."""

from __future__ import annotations

from datetime import time

from bookctl.services import catalog
from bookctl.store.db import make_engine
from bookctl.store.uow import SqlUnitOfWork


def open_all_week(url: str, services: dict[str, tuple[int, int]]) -> None:
    """Services {id: (duration, interval)} bookable any time, no notice, open 00:00–24:00 UTC."""
    engine = make_engine(url)
    for service_id, (duration, interval) in services.items():
        catalog.add_service(
            SqlUnitOfWork(engine),
            service_id,
            catalog.ServiceChanges(
                name=service_id, duration=duration, slot_interval=interval, min_notice=0
            ),
        )
    for weekday in range(7):
        catalog.add_rule(SqlUnitOfWork(engine), weekday, time(0), None, "UTC")
    engine.dispose()
