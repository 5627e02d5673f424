"""Output helpers shared by every command: JSON, rich tables on a TTY, tab-separated otherwise.

Data goes to stdout, messages to stderr. Without a TTY there is no colour and no chatter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any

import typer

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (see the README).")
]


class State:
    """Process-wide output switches, set by the root callback and by ``--json``."""

    json = False
    quiet = False


def use_json(enabled: bool) -> bool:
    """Remember that this command prints JSON (errors then go to stderr as JSON too)."""
    State.json = State.json or enabled
    return State.json


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def emit_json(data: Any) -> None:
    """One JSON document on stdout."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split("\t")).replace("\r", " ").replace("\n", " ")


def emit_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Rows as a rich table on a TTY, else one tab-separated line each with no header."""
    rows = list(rows)
    if not stdout_is_tty():
        for row in rows:
            sys.stdout.write("\t".join(_plain(row.get(key)) for key, _ in columns) + "\n")
        return
    if not rows:
        info(empty)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_edge=False, header_style="bold")
    for _, header in columns:
        table.add_column(header)
    for row in rows:
        table.add_row(*(_plain(row.get(key)) for key, _ in columns))
    Console().print(table)


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    json: bool,
    empty: str,
    display: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> None:
    """A list: one JSON array with ``--json``, else a table of each row as ``display``
    shows it to a person (shortened ids, local times)."""
    if json:
        emit_json(list(rows))
    else:
        emit_table((display(row) for row in rows) if display else rows, columns, empty=empty)


def with_short_id(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its uuid ``id`` shortened for a terminal."""
    return {**row, "id": short_id(row["id"])}


def emit_record(record: Mapping[str, Any]) -> None:
    """One record: ``key<TAB>value`` lines, or a two-column table on a TTY."""
    emit_table(
        ({"field": key, "value": value} for key, value in record.items()),
        [("field", "Field"), ("value", "Value")],
    )


def emit(record: Mapping[str, Any], *, json: bool) -> None:
    """One record: a JSON object with ``--json``, otherwise a key/value listing."""
    if json:
        emit_json(record)
    else:
        emit_record(record)


def info(message: str) -> None:
    """Success chatter: stderr, and only for a person at a terminal."""
    if not State.quiet and sys.stderr.isatty():
        sys.stderr.write(message + "\n")


def warn(message: str) -> None:
    """A warning the user should see even in cron mail."""
    sys.stderr.write(f"warning: {message}\n")


def error(code: str, message: str) -> None:
    """The one error line on stderr, or the JSON error object with ``--json``."""
    if State.json:
        import json

        sys.stderr.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    else:
        sys.stderr.write(f"error: {message}\n")


def short_id(value: str) -> str:
    """A shortened id for people at a terminal; scripts get the whole id."""
    return value[:8] if stdout_is_tty() else value


def local_time(value: Any, tz: str) -> str:
    """An instant for a table cell in ``tz``: friendly on a TTY, ISO 8601 with offset when piped."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(ZoneInfo(tz))
    if stdout_is_tty():
        return local.strftime("%a %Y-%m-%d %H:%M %Z")
    return local.isoformat()
