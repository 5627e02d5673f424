"""Is anything due? A cheap look before an idle cron run loads the whole application.

Cron starts ``bookctl jobs send-reminders`` every few minutes and most runs find nothing
to do. On SQLite this answers "nothing" with the standard library alone; whenever it
cannot be sure (another database, an unreadable config, a missing table) it answers
"maybe" and the full run decides, reporting any problem properly.
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from bookctl.config_files import default_database_url, find_config_file

# What ``send-reminders --json`` prints when it did nothing (keys of jobs.send.Summary).
IDLE_SUMMARY = {
    "sent": 0,
    "failed": 0,
    "retrying": 0,
    "skipped": 0,
    "completed": 0,
    "processes": 1,
    "errors": [],
}

_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}

_ANYTHING_DUE = """
SELECT EXISTS (
    SELECT 1 FROM email_events
    WHERE status = 'queued' AND send_at <= :now
      AND (claimed_until IS NULL OR claimed_until < :now)
) OR (:complete AND EXISTS (
    SELECT 1 FROM appointments WHERE status = 'confirmed' AND scheduled_end <= :now
))
"""


def nothing_due(config: str | Path | None, now: datetime) -> bool:
    """True only when a run at ``now`` would certainly find nothing to send or complete."""
    try:
        file_values: dict[str, object] = {}
        path = find_config_file(config)
        if path is not None and path.is_file():
            with path.open("rb") as handle:
                file_values = tomllib.load(handle)
        url = os.environ.get("BOOKCTL_DATABASE_URL") or file_values.get("database_url")
        url = url if isinstance(url, str) else default_database_url()
        complete = _flag(os.environ.get("BOOKCTL_AUTO_COMPLETE", file_values.get("auto_complete")))
        if complete is None or not url.startswith("sqlite:///") or "?" in url:
            return False
        database = Path(url.removeprefix("sqlite:///"))
        if not database.is_file():
            return False
        # SQLAlchemy stores instants on SQLite as naive UTC text in this exact format.
        stamp = now.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            (due,) = connection.execute(
                _ANYTHING_DUE, {"now": stamp, "complete": complete}
            ).fetchone()
        finally:
            connection.close()
        return not due
    except (OSError, ValueError, sqlite3.Error, tomllib.TOMLDecodeError):
        return False


def _flag(value: object) -> bool | None:
    """A boolean setting as pydantic reads it; None when unset means the default (on)."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def idle_cron_run(args: list[str]) -> dict[str, object] | None:
    """The idle summary when ``args`` is a plain ``jobs send-reminders`` that has nothing
    to do, else None (and the normal command line runs).

    Only the forms cron uses are recognised: root ``-q``/``--quiet``, ``--debug`` and
    ``--config PATH`` before the command, ``--json`` after it. Anything else (``--limit``,
    ``--dry-run``, ``--help``) takes the normal path.
    """
    config: str | None = None
    rest = list(args)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in ("-q", "--quiet", "--debug"):
            continue
        if option == "--config" and rest:
            config = rest.pop(0)
        elif option.startswith("--config="):
            config = option.removeprefix("--config=")
        else:
            return None
    if rest[:2] != ["jobs", "send-reminders"] or any(arg != "--json" for arg in rest[2:]):
        return None
    from bookctl.domain.timeparse import utcnow

    return IDLE_SUMMARY if nothing_due(config, utcnow()) else None
