"""Thirty separate bookctl processes race for one slot: exactly one wins, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bookctl.store.db import make_engine
from tests.integration.helpers import open_all_week

PROCESSES = 30

# Each racer pays its import cost first, then waits for the common start instant, so all
# thirty reach the database within the same millisecond or so.
RACER = """
import sys, time
from bookctl.cli import run
import bookctl.services.booking, bookctl.store.db  # noqa: F401  (warm the imports)
import bookctl.domain.slots  # noqa: F401
start_at = float(sys.argv[1])
time.sleep(max(0.0, start_at - time.time()))
sys.exit(run(sys.argv[2:]))
"""


def _race(
    db_url: str, bookings: list[tuple[str, datetime]], tmp_path
) -> list[subprocess.CompletedProcess]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOOKCTL_")}
    env.update(
        BOOKCTL_DATABASE_URL=db_url,
        BOOKCTL_TIMEZONE="UTC",
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    start_at = time.time() + 4.0
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RACER,
                str(start_at),
                "appointments",
                "book",
                service,
                "--start",
                start.isoformat(),
                "--name",
                f"Racer {n}",
                "--email",
                f"racer{n}@example.com",
                "--json",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, (service, start) in enumerate(bookings)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def _active_rows(db_url: str) -> list[tuple[datetime, datetime]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT blocked_start, blocked_end FROM appointments"
                " WHERE status IN ('pending', 'confirmed')"
            )
        ).all()
    engine.dispose()
    return rows


@pytest.mark.slow
def test_thirty_processes_same_slot(db_url, tmp_path) -> None:
    open_all_week(db_url, {"s60": (60, 60)})
    slot = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    results = _race(db_url, [("s60", slot)] * PROCESSES, tmp_path)
    codes = sorted(result.returncode for result in results)
    assert codes == [0] + [4] * (PROCESSES - 1), [
        r.stderr for r in results if r.returncode not in (0, 4)
    ]
    for result in results:
        if result.returncode == 4:
            assert '"code": "slot_unavailable"' in result.stderr
            assert result.stdout == ""
    assert len(_active_rows(db_url)) == 1


@pytest.mark.slow
def test_thirty_processes_overlapping_slots_of_different_lengths(db_url, tmp_path) -> None:
    open_all_week(db_url, {"s30": (30, 15), "s60": (60, 15), "s90": (90, 15)})
    day = (datetime.now(UTC) + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    at = lambda h, m: day + timedelta(hours=h, minutes=m)  # noqa: E731
    # Every one of these covers 10:30–10:45, so any two overlap.
    variants = [
        ("s30", at(10, 30)),
        ("s30", at(10, 15)),
        ("s60", at(10, 0)),
        ("s60", at(10, 15)),
        ("s90", at(9, 30)),
        ("s90", at(10, 15)),
    ]
    results = _race(db_url, variants * (PROCESSES // len(variants)), tmp_path)
    codes = sorted(result.returncode for result in results)
    assert codes == [0] + [4] * (PROCESSES - 1), [
        r.stderr for r in results if r.returncode not in (0, 4)
    ]
    rows = _active_rows(db_url)
    assert len(rows) == 1
