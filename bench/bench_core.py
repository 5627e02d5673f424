"""Core benchmarks (issue: core). Prints a table of figures and ratios against baselines
measured in the same run.

    python bench/bench_core.py [--quick] [--postgres URL]

1. Slots for 31 days: one service, rules Monday–Friday 09:00–17:00, 10,000 appointments and
   2,000 time-off blocks stored; bookctl's `find_slots` (database load + slot engine,
   in-process) against django-appointment 3.12's `get_available_slots_for_staff` over the
   same 31 days with the same hours and 4 appointments a day. Goal: ≤ 1/20 of its time.
2. CLI start-up: `bookctl --help` against `python -c "import typer"`. Goal: ≤ 1.5×.
3. Booking throughput on PostgreSQL: non-conflicting bookings through the `book` use case
   against raw INSERT + COMMIT through the same driver (psycopg 3). Goal: ≥ 50 %.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOKCTL = Path(sys.executable).parent / "bookctl"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up: first-call costs are not what is compared
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


# --- 1. slots ---------------------------------------------------------------------------


def seed_slots_fixture(url: str, start: date, appointments: int, blocks: int) -> None:
    """The benchmark business, written with bulk inserts (the use cases are not under test)."""
    import sqlalchemy as sa

    from bookctl.store import migrate
    from bookctl.store.db import make_engine
    from bookctl.store.models import Appointment, AvailabilityRule, Service, TimeOffBlock

    engine = make_engine(url)
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    weekdays: list[date] = []
    # Weekdays inside the window first, then alternately before and after it.
    inside = [start + timedelta(days=i) for i in range(31)]
    weekdays += [d for d in inside if d.weekday() < 5]
    step = 1
    while len(weekdays) * 4 < appointments:
        for d in (start - timedelta(days=step), start + timedelta(days=30 + step)):
            if d.weekday() < 5:
                weekdays.append(d)
        step += 1
    rows = []
    for day in weekdays:
        for hour in (9, 11, 13, 15):
            if len(rows) == appointments:
                break
            begin = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            rows.append(
                dict(
                    id=uuid.uuid4(),
                    status="confirmed",
                    service_id="session",
                    customer_name="Bench",
                    customer_email="bench@example.com",
                    scheduled_start=begin,
                    scheduled_end=begin + timedelta(hours=1),
                    blocked_start=begin,
                    blocked_end=begin + timedelta(hours=1),
                    timezone="UTC",
                    language="en",
                    created_at=now,
                    updated_at=now,
                )
            )
    # Evening blocks (20:00–21:00) spread over the same years: loaded and merged by the
    # engine, yet outside working hours so both libraries must find the same slots.
    first_day = min(weekdays)
    block_rows = []
    for i in range(blocks):
        day = first_day + timedelta(days=i * 2)
        begin = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        block_rows.append(
            dict(
                id=uuid.uuid4(),
                start_at=begin,
                end_at=begin + timedelta(hours=1),
                reason="bench",
                created_at=now,
            )
        )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Service.__table__).values(
                id="session",
                name="Session",
                duration_minutes=60,
                buffer_before_minutes=0,
                buffer_after_minutes=0,
                slot_interval_minutes=60,
                min_notice_minutes=0,
                max_advance_days=3650,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            sa.insert(AvailabilityRule.__table__),
            [
                dict(
                    id=uuid.uuid4(),
                    weekday=d,
                    start_time=datetime(2000, 1, 1, 9).time(),
                    end_time=datetime(2000, 1, 1, 17).time(),
                    timezone="UTC",
                    created_at=now,
                )
                for d in range(5)
            ],
        )
        conn.execute(sa.insert(Appointment.__table__), rows)
        conn.execute(sa.insert(TimeOffBlock.__table__), block_rows)
    engine.dispose()


def bench_slots(url: str, start: date, repeats: int) -> tuple[float, int]:
    from bookctl.services.availability import find_slots
    from bookctl.store.db import make_engine
    from bookctl.store.uow import SqlUnitOfWork

    engine = make_engine(url)
    found: list = []

    def run() -> None:
        found[:] = find_slots(SqlUnitOfWork(engine, write=False), "session", start, 31, "UTC").slots

    seconds = median_time(run, repeats)
    engine.dispose()
    return seconds, len(found)


def bench_django(start: date, repeats: int) -> dict:
    subprocess.run(["bash", str(HERE / "setup_baseline.sh")], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [
            str(HERE / ".venv-django/bin/python"),
            str(HERE / "django_baseline.py"),
            "--start",
            start.isoformat(),
            "--repeats",
            str(repeats),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- 2. start-up ------------------------------------------------------------------------


def bench_command(argv: list[str], repeats: int) -> float:
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return median_time(run, repeats)


# --- 3. booking throughput on PostgreSQL ------------------------------------------------


def fresh_pg(admin_url: str) -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"bookctl_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_pg(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def bench_booking(admin_url: str, count: int) -> tuple[float, float]:
    """(use-case bookings/s, raw INSERT+COMMIT/s) on fresh databases of the same server."""
    from datetime import time as wall

    import psycopg
    import sqlalchemy as sa

    from bookctl.services import booking, catalog
    from bookctl.store import migrate
    from bookctl.store.db import make_engine
    from bookctl.store.uow import SqlUnitOfWork

    name, url = fresh_pg(admin_url)
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        catalog.add_service(
            SqlUnitOfWork(engine),
            "s",
            catalog.ServiceChanges(name="S", duration=30, min_notice=0, max_advance_days=3650),
        )
        for weekday in range(7):
            catalog.add_rule(SqlUnitOfWork(engine), weekday, wall(0), None, "UTC")
        base = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )

        # Warm up the engine's pool and statement caches with one booking.
        def request(i: int) -> booking.BookingRequest:
            return booking.BookingRequest(
                service_id="s",
                start=base + timedelta(minutes=30 * i),
                customer_name=f"C{i}",
                customer_email=f"c{i}@example.com",
                timezone="UTC",
            )

        booking.book(SqlUnitOfWork(engine), request(0))
        t = time.perf_counter()
        for i in range(1, count + 1):
            booking.book(SqlUnitOfWork(engine), request(i))
        ours = count / (time.perf_counter() - t)

        raw_url = (
            sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        now = datetime.now(UTC)
        with psycopg.connect(raw_url) as conn:
            far = base + timedelta(days=3000)
            t = time.perf_counter()
            for i in range(count):
                begin = far + timedelta(minutes=30 * i)
                conn.execute(
                    "INSERT INTO appointments (id, status, service_id, customer_name,"
                    " customer_email, scheduled_start, scheduled_end, blocked_start,"
                    " blocked_end, timezone, language,"
                    " created_at, updated_at) VALUES (%s, 'confirmed', 's', %s, %s, %s, %s, %s, %s,"
                    " 'UTC', 'en', %s, %s)",
                    (
                        uuid.uuid4(),
                        f"R{i}",
                        f"r{i}@example.com",
                        begin,
                        begin + timedelta(minutes=30),
                        begin,
                        begin + timedelta(minutes=30),
                        now,
                        now,
                    ),
                )
                conn.commit()
            raw = count / (time.perf_counter() - t)
        engine.dispose()
        return ours, raw
    finally:
        drop_pg(admin_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="admin URL of the PostgreSQL server")
    parser.add_argument("--skip-django", action="store_true", help="no baseline venv (offline)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 15

    start = next_monday(datetime.now(UTC).date())
    rows: list[tuple[str, str, str, str, str]] = []
    workdir = Path(tempfile.mkdtemp(prefix="bookctl-bench-"))
    try:
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        seed_slots_fixture(sqlite_url, start, 10_000, 2_000)
        ours_sqlite, count = bench_slots(sqlite_url, start, repeats)
        pg_name, pg_url = fresh_pg(args.postgres)
        try:
            seed_slots_fixture(pg_url, start, 10_000, 2_000)
            ours_pg, count_pg = bench_slots(pg_url, start, repeats)
        finally:
            drop_pg(args.postgres, pg_name)
        if not args.skip_django:
            django = bench_django(start, 5)
            base = django["median_s"]
            assert django["slots_found"] == count == count_pg, (
                django["slots_found"],
                count,
                count_pg,
            )
            rows.append(
                (
                    "slots, 31 days (SQLite)",
                    f"{ours_sqlite * 1000:.2f} ms",
                    f"django-appointment {django['version']}: {base * 1000:.1f} ms",
                    f"{ours_sqlite / base:.4f} (1/{base / ours_sqlite:.0f})",
                    "≤ 0.05",
                )
            )
            rows.append(
                (
                    "slots, 31 days (PostgreSQL)",
                    f"{ours_pg * 1000:.2f} ms",
                    f"django-appointment {django['version']}: {base * 1000:.1f} ms",
                    f"{ours_pg / base:.4f} (1/{base / ours_pg:.0f})",
                    "≤ 0.05",
                )
            )
        else:
            rows.append(
                (
                    "slots, 31 days (SQLite)",
                    f"{ours_sqlite * 1000:.2f} ms",
                    "skipped",
                    "-",
                    "≤ 0.05",
                )
            )

        typer_s = bench_command([sys.executable, "-c", "import typer"], repeats)
        help_s = bench_command([str(BOOKCTL), "--help"], repeats)
        rows.append(
            (
                "CLI start-up",
                f"bookctl --help {help_s * 1000:.0f} ms",
                f"import typer {typer_s * 1000:.0f} ms",
                f"{help_s / typer_s:.2f}×",
                "≤ 1.5×",
            )
        )

        count_bookings = 300 if args.quick else 1000
        ours_rate, raw_rate = bench_booking(args.postgres, count_bookings)
        rows.append(
            (
                "bookings on PostgreSQL",
                f"{ours_rate:.0f}/s",
                f"raw INSERT+COMMIT {raw_rate:.0f}/s",
                f"{ours_rate / raw_rate:.0%}",
                "≥ 50 %",
            )
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    header = ("benchmark", "bookctl", "baseline (same run)", "ratio", "goal")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\nslots found: {count} (SQLite) / {count_pg} (PostgreSQL); window starts {start}")


if __name__ == "__main__":
    main()
