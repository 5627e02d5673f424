"""The send job as cron runs it: separate ``bookctl`` processes against a real database
and a local SendGrid fake that checks every request against SendGrid's published schema."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bookctl.jobs.send import FLUSH_INTERVAL
from tests.conftest import BOOKCTL
from tests.email.seed import seed_due_emails, statuses
from tests.fakes.sendgrid import DEFAULT_API_KEY, FakeSendGrid


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake


def _env(tmp_path: Path, db_url: str, fake: FakeSendGrid, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOOKCTL_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        BOOKCTL_DATABASE_URL=db_url,
        BOOKCTL_TIMEZONE="Europe/Madrid",
        BOOKCTL_SECRET_KEY="test-secret-key",
        BOOKCTL_EMAIL_PROVIDER="sendgrid",
        BOOKCTL_SENDGRID_API_URL=fake.url,
        BOOKCTL_SENDGRID_API_KEY=DEFAULT_API_KEY,
        BOOKCTL_EMAIL_FROM="citas@clinica.example",
        BOOKCTL_EMAIL_TIMEOUT="2",
        BOOKCTL_EMAIL_BATCH_SIZE="20",
    )
    env.update(extra)
    return env


def _keys(fake: FakeSendGrid) -> collections.Counter[str]:
    return collections.Counter(
        received.body["custom_args"]["idempotency_key"] for received in fake.received
    )


def test_four_overlapping_runs_send_each_email_exactly_once(
    tmp_path: Path, db_url: str, sendgrid: FakeSendGrid
) -> None:
    keys = seed_due_emails(db_url, 500)
    env = _env(tmp_path, db_url, sendgrid)
    runs = [
        subprocess.Popen(
            [BOOKCTL, "jobs", "send-reminders", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in outputs]
    summaries = [json.loads(out) for out, _ in outputs]
    assert sum(summary["sent"] for summary in summaries) == 500
    # The runs overlapped and shared the work rather than one doing it all.
    assert sum(1 for summary in summaries if summary["sent"]) >= 2
    assert sendgrid.validation_errors == []
    received = _keys(sendgrid)
    assert set(received) == set(keys)
    assert max(received.values()) == 1
    assert statuses(db_url) == {"sent": 500}


def test_a_run_killed_mid_batch_leaves_nothing_lost(
    tmp_path: Path, db_url: str, sendgrid: FakeSendGrid
) -> None:
    keys = seed_due_emails(db_url, 120)
    sendgrid.delay = sendgrid_delay = 0.05
    # Two processes (the run and one forked helper), both killed with the process group.
    env = _env(
        tmp_path,
        db_url,
        sendgrid,
        BOOKCTL_EMAIL_LEASE_SECONDS="10",
        BOOKCTL_EMAIL_PROCESSES="2",
    )
    victim = subprocess.Popen(
        [BOOKCTL, "jobs", "send-reminders"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(sendgrid.received) < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    delivered_before = len(sendgrid.received)
    assert 30 <= delivered_before < 120
    sendgrid.delay = 0.0

    # Right away, the killed run's rows are still leased: a new run leaves them alone.
    follow_up = subprocess.run(
        [BOOKCTL, "jobs", "send-reminders", "--json"], env=env, capture_output=True, text=True
    )
    assert follow_up.returncode == 0, follow_up.stderr
    unsent = 120 - len(_keys(sendgrid))
    assert unsent > 0
    # Still queued: the unsent ones, plus any the killed run sent without recording it.
    leased = statuses(db_url)["queued"]
    assert leased >= unsent

    time.sleep(10.5)  # the lease expires
    later = subprocess.run(
        [BOOKCTL, "jobs", "send-reminders", "--json"], env=env, capture_output=True, text=True
    )
    assert later.returncode == 0, later.stderr
    assert json.loads(later.stdout)["sent"] == leased
    received = _keys(sendgrid)
    assert set(received) == set(keys)
    # Only an email whose outcome the killed run had not yet written can go out twice:
    # one in flight on each worker, or one sent within the last flush interval. At 50 ms a
    # request on 8 workers that is at most 8 + 8 * (FLUSH_INTERVAL / 0.05 + 1) a process.
    workers, processes = 8, 2
    bound = processes * (workers + workers * (int(FLUSH_INTERVAL / sendgrid_delay) + 1))
    assert sum(count - 1 for count in received.values()) <= bound
    assert statuses(db_url) == {"sent": 120}


def test_one_run_shares_a_backlog_with_forked_helpers(
    tmp_path: Path, db_url: str, sendgrid: FakeSendGrid
) -> None:
    keys = seed_due_emails(db_url, 300)
    env = _env(tmp_path, db_url, sendgrid, BOOKCTL_EMAIL_PROCESSES="3")
    sendgrid.delay = 0.005  # slow enough that every process gets batches to send
    done = subprocess.run(
        [BOOKCTL, "jobs", "send-reminders", "--json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["processes"] == 3  # 300 rows are several batches for each
    assert summary["sent"] == 300  # the helpers' counts are included
    received = _keys(sendgrid)
    assert set(received) == set(keys) and max(received.values()) == 1
    assert statuses(db_url) == {"sent": 300}
