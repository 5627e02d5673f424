"""Email benchmarks (issue: email automation). Prints a table of figures and ratios against
baselines measured in the same run.

    python bench/bench_email.py [--quick] [--postgres URL]

1. Throughput: `bookctl jobs send-reminders` over 10,000 due emails against the local
   SendGrid fake (the same fake the tests use, validating every body against SendGrid's
   OpenAPI schema), against the raw request rate of the same client (`sendgrid`'s
   SendGridAPIClient posting one prepared body after another) to the same fake.
   Goal: ≥ 80 %.
2. Idle run: `bookctl jobs send-reminders` with nothing due against `bookctl --help`.
   Goal: ≤ 1.5×.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the test fakes and seeding helpers

from bench_core import BOOKCTL, DEFAULT_PG, drop_pg, fresh_pg  # noqa: E402
from tests.email.seed import seed_due_emails  # noqa: E402
from tests.fakes.sendgrid import DEFAULT_API_KEY, FakeSendGrid  # noqa: E402

WORKERS: str | None = None  # --workers: BOOKCTL_EMAIL_WORKERS for the measured runs


def environment(workdir: Path, url: str, fake: FakeSendGrid) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOOKCTL_")}
    env.update(
        XDG_CONFIG_HOME=str(workdir / "config"),
        XDG_DATA_HOME=str(workdir / "data"),
        BOOKCTL_DATABASE_URL=url,
        BOOKCTL_SECRET_KEY="bench-secret",
        BOOKCTL_EMAIL_PROVIDER="sendgrid",
        BOOKCTL_SENDGRID_API_URL=fake.url,
        BOOKCTL_SENDGRID_API_KEY=DEFAULT_API_KEY,
        BOOKCTL_EMAIL_FROM="citas@clinica.example",
    )
    if WORKERS:
        env["BOOKCTL_EMAIL_WORKERS"] = WORKERS
    return env


def sample_body() -> dict:
    """A real booking confirmation (with its invitation), as bookctl would post it."""
    from bookctl.email.compose import AppointmentFacts, Sender, compose
    from bookctl.email.providers import sendgrid_body

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    facts = AppointmentFacts(
        id="00000000-0000-0000-0000-000000000001",
        service_name="Sesión",
        customer_name="Cliente 1",
        start=start,
        end=start + timedelta(minutes=30),
        timezone="Europe/Madrid",
        ics_sequence=0,
        cancel_reason=None,
        manage_url="https://citas.example/manage/token",
    )
    email = compose(
        event_id="bench",
        template="booking_confirmation",
        language="es",
        recipient="c1@example.com",
        idempotency_key="bench",
        payload=None,
        facts=facts,
        sender=Sender("Clínica Sol", "citas@clinica.example"),
        now=datetime.now(UTC),
    )
    return sendgrid_body(email)


def raw_rate(fake: FakeSendGrid, count: int) -> float:
    """Requests per second of the bare client, one after another, to the fake."""
    import sendgrid

    client = sendgrid.SendGridAPIClient(api_key=DEFAULT_API_KEY, host=fake.url)
    body = sample_body()
    client.client.mail.send.post(request_body=body)  # warm-up
    t = time.perf_counter()
    for _ in range(count):
        client.client.mail.send.post(request_body=body)
    return count / (time.perf_counter() - t)


def job_rate(workdir: Path, url: str, fake: FakeSendGrid, count: int) -> float:
    """Emails per second of one `send-reminders` process over ``count`` due rows."""
    seed_due_emails(url, count)
    before = len(fake.received)
    t = time.perf_counter()
    done = subprocess.run(
        [str(BOOKCTL), "jobs", "send-reminders", "--json"],
        env=environment(workdir, url, fake),
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - t
    summary = json.loads(done.stdout)
    assert summary["sent"] == count, summary
    assert len(fake.received) - before == count
    assert fake.validation_errors == []
    return count / elapsed


def command_time(argv: list[str], env: dict[str, str], repeats: int) -> float:
    def once() -> float:
        t = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t

    once()
    return statistics.median(once() for _ in range(repeats))


def migrated(url: str) -> str:
    from bookctl.store import migrate
    from bookctl.store.db import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 emails, fewer repeats")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="admin URL of the PostgreSQL server")
    parser.add_argument("--workers", help="BOOKCTL_EMAIL_WORKERS (default: the setting's)")
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.workers
    count = 1_000 if args.quick else 10_000
    repeats = 5 if args.quick else 15

    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="bookctl-bench-email-"))
    try:
        with FakeSendGrid() as fake:
            # The baseline is taken before and after the measured runs and averaged, so a
            # change in the machine's load during the run does not favour either side.
            raw_before = raw_rate(fake, min(count, 2_000))
            sqlite_url = migrated(f"sqlite:///{workdir / 'bench.db'}")
            ours_sqlite = job_rate(workdir, sqlite_url, fake, count)
            rows.append(
                (
                    f"send-reminders, {count:,} emails (SQLite)",
                    f"{ours_sqlite:.0f}/s",
                    "",
                    "",
                    "≥ 80 %",
                )
            )
            name, pg_url = fresh_pg(args.postgres)
            try:
                ours_pg = job_rate(workdir, migrated(pg_url), fake, count)
            finally:
                drop_pg(args.postgres, name)
            rows.append(
                (
                    f"send-reminders, {count:,} emails (PostgreSQL)",
                    f"{ours_pg:.0f}/s",
                    "",
                    "",
                    "≥ 80 %",
                )
            )
            raw_after = raw_rate(fake, min(count, 2_000))
            baseline = (raw_before + raw_after) / 2
            rows = [
                (name, ours, f"raw client {baseline:.0f}/s", f"{rate / baseline:.0%}", goal)
                for (name, ours, _, _, goal), rate in zip(rows, (ours_sqlite, ours_pg), strict=True)
            ]
            env = environment(workdir, sqlite_url, fake)
            help_s = command_time([str(BOOKCTL), "--help"], env, repeats)
            idle_s = command_time([str(BOOKCTL), "jobs", "send-reminders"], env, repeats)
            rows.append(
                (
                    "idle send-reminders (SQLite)",
                    f"{idle_s * 1000:.0f} ms",
                    f"bookctl --help {help_s * 1000:.0f} ms",
                    f"{idle_s / help_s:.2f}×",
                    "≤ 1.5×",
                )
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    header = ("benchmark", "bookctl", "baseline (same run)", "ratio", "goal")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        f"\nraw client rate before/after the measured runs: {raw_before:.0f}/s, {raw_after:.0f}/s"
    )


if __name__ == "__main__":
    main()
