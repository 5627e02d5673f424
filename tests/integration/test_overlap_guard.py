"""The database itself refuses overlapping active appointments (SQLite trigger, PostgreSQL
exclusion constraint), even when the application's checks are bypassed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bookctl.store.db import make_engine

T0 = datetime(2030, 1, 7, 10, tzinfo=UTC)


def _row(
    start: datetime, minutes: int, status: str = "confirmed", before: int = 0, after: int = 0
) -> dict:
    end = start + timedelta(minutes=minutes)
    return {
        "id": uuid.uuid4(),
        "status": status,
        "service_id": "svc",
        "customer_name": "N",
        "customer_email": "n@example.com",
        "scheduled_start": start,
        "scheduled_end": end,
        "blocked_start": start - timedelta(minutes=before),
        "blocked_end": end + timedelta(minutes=after),
        "timezone": "UTC",
        "language": "en",
        "created_at": T0,
        "updated_at": T0,
    }


@pytest.fixture
def raw(db_url):
    from bookctl.store.models import Appointment, Service

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Service.__table__).values(
                id="svc",
                name="S",
                duration_minutes=60,
                buffer_before_minutes=0,
                buffer_after_minutes=0,
                slot_interval_minutes=60,
                min_notice_minutes=0,
                max_advance_days=60,
                active=True,
                created_at=T0,
                updated_at=T0,
            )
        )

    def insert(**row) -> None:
        with engine.begin() as conn:
            conn.execute(sa.insert(Appointment.__table__).values(**row))

    yield engine, insert, Appointment.__table__
    engine.dispose()


def test_overlapping_insert_is_refused_by_the_database(raw) -> None:
    engine, insert, table = raw
    insert(**_row(T0, 60))
    with pytest.raises(IntegrityError):
        insert(**_row(T0 + timedelta(minutes=30), 60))  # different start, overlaps
    with pytest.raises(IntegrityError):
        insert(**_row(T0 - timedelta(minutes=10), 15))  # different length, overlaps
    insert(**_row(T0 + timedelta(minutes=60), 60))  # touching is fine (half-open ranges)
    insert(**_row(T0 + timedelta(minutes=30), 60, status="canceled"))  # inactive rows never block
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 3


def test_buffers_are_part_of_the_guarded_range(raw) -> None:
    _, insert, _ = raw
    insert(**_row(T0, 60, after=15))
    with pytest.raises(IntegrityError):
        insert(**_row(T0 + timedelta(minutes=70), 60))  # inside the first one's after-buffer


def test_update_into_an_overlap_is_refused(raw) -> None:
    engine, insert, table = raw
    first, second = _row(T0, 60), _row(T0 + timedelta(hours=2), 60)
    insert(**first)
    insert(**second)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.id == second["id"])
            .values(
                blocked_start=T0 + timedelta(minutes=30), scheduled_start=T0 + timedelta(minutes=30)
            )
        )
    canceled = _row(T0 + timedelta(minutes=30), 30, status="canceled")
    insert(**canceled)
    with pytest.raises(IntegrityError), engine.begin() as conn:  # re-activating into an overlap
        conn.execute(sa.update(table).where(table.c.id == canceled["id"]).values(status="pending"))


def test_instants_round_trip_as_utc(raw) -> None:
    engine, insert, table = raw
    local = datetime(2030, 1, 7, 11, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Kolkata")
    )
    row = _row(local, 60)
    insert(**row)
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(table.c.scheduled_start).where(table.c.id == row["id"])
        ).scalar_one()
    assert stored == datetime(2030, 1, 7, 11, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
