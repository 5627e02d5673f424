"""The idle-run pre-check: it may only ever say "nothing due" when that is true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bookctl.jobs.peek import IDLE_SUMMARY, idle_cron_run, nothing_due
from bookctl.jobs.send import Summary
from bookctl.store import migrate
from bookctl.store.db import make_engine
from tests.email.seed import seed_due_emails

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_url(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{isolated_env / 'peek.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("BOOKCTL_DATABASE_URL", url)
    return url


def test_idle_summary_has_the_job_summary_keys() -> None:
    assert Summary().as_json() == IDLE_SUMMARY


def test_empty_database_is_idle(sqlite_url: str) -> None:
    assert nothing_due(None, NOW) is True


def test_a_due_email_is_not_idle_but_a_future_or_leased_one_is(sqlite_url: str) -> None:
    seed_due_emails(sqlite_url, 1, now=NOW)
    assert nothing_due(None, NOW) is False
    assert nothing_due(None, NOW - timedelta(minutes=1)) is True
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE email_events SET claimed_by = 'x', claimed_until = ?",
            ((NOW + timedelta(minutes=5)).replace(tzinfo=None).isoformat(" ", "microseconds"),),
        )
    engine.dispose()
    assert nothing_due(None, NOW) is True
    assert nothing_due(None, NOW + timedelta(minutes=6)) is False


def test_a_finished_confirmed_appointment_is_not_idle_unless_auto_complete_is_off(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_due_emails(sqlite_url, 1, now=NOW)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE email_events SET status = 'sent'")
    engine.dispose()
    later = NOW + timedelta(days=40)  # after the seeded appointment's end
    assert nothing_due(None, later) is False
    monkeypatch.setenv("BOOKCTL_AUTO_COMPLETE", "false")
    assert nothing_due(None, later) is True
    monkeypatch.setenv("BOOKCTL_AUTO_COMPLETE", "maybe")
    assert nothing_due(None, later) is False  # unreadable: let the full run report it


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "sqlite:////nonexistent/bookctl.db",
        "sqlite:///relative.db?mode=ro",
    ],
)
def test_anything_it_cannot_check_cheaply_is_left_to_the_full_run(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("BOOKCTL_DATABASE_URL", url)
    assert nothing_due(None, NOW) is False


def test_a_database_without_tables_is_left_to_the_full_run(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_env / "blank.db").write_bytes(b"")
    monkeypatch.setenv("BOOKCTL_DATABASE_URL", f"sqlite:///{isolated_env / 'blank.db'}")
    assert nothing_due(None, NOW) is False


def test_config_file_database_is_used(
    isolated_env: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOOKCTL_DATABASE_URL")
    config = isolated_env / "custom.toml"
    config.write_text(f'database_url = "{sqlite_url}"\n')
    seed_due_emails(sqlite_url, 1, now=NOW)
    assert nothing_due(str(config), NOW) is False
    assert nothing_due(str(config), NOW - timedelta(minutes=1)) is True


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "send-reminders", "--limit", "1"],
        ["jobs", "send-reminders", "--dry-run"],
        ["jobs", "send-reminders", "--help"],
        ["--unknown", "jobs", "send-reminders"],
        ["jobs", "--json", "send-reminders"],
        ["emails", "list"],
    ],
)
def test_only_the_plain_cron_forms_take_the_shortcut(sqlite_url: str, args: list[str]) -> None:
    assert idle_cron_run(args) is None


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "send-reminders"],
        ["-q", "jobs", "send-reminders", "--json"],
        ["--config", "/nonexistent.toml", "--debug", "jobs", "send-reminders"],
    ],
)
def test_the_plain_cron_forms_answer_idle(sqlite_url: str, args: list[str]) -> None:
    assert idle_cron_run(args) == IDLE_SUMMARY
