"""Shared fixtures: real SQLite and real PostgreSQL databases, and CLI runners.

PostgreSQL tests get a fresh database cloned from a migrated template. When the server
cannot be reached they skip, unless ``BOOKCTL_REQUIRE_POSTGRES=1`` (as in CI), where
they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BOOKCTL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("BOOKCTL_REQUIRE_POSTGRES", "") not in ("", "0")
BOOKCTL = str(Path(sys.executable).parent / "bookctl")


def _postgres_admin():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _url_for(database: str) -> str:
    import sqlalchemy as sa

    return (
        sa.make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database on the real server, cloned per test."""
    import sqlalchemy as sa

    from bookctl.store import migrate
    from bookctl.store.db import make_engine

    try:
        admin = _postgres_admin()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # the server is down or unreachable
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is unavailable: {error}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"bookctl_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_url_for(name))
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_postgres(template: str | None) -> Iterator[str]:
    import sqlalchemy as sa

    admin = _postgres_admin()
    name = f"bookctl_test_{uuid.uuid4().hex[:12]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield _url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        from bookctl.store import migrate
        from bookctl.store.db import make_engine

        url = f"sqlite:///{tmp_path / 'bookctl.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
    else:
        yield from _fresh_postgres(request.getfixturevalue("postgres_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, never-migrated database URL on both backends."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        request.getfixturevalue("postgres_template")  # fails or skips like the others
        yield from _fresh_postgres(None)


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No BOOKCTL_* from the developer's shell; config and data dirs under tmp_path."""
    for key in list(os.environ):
        if key.startswith("BOOKCTL_") and key not in (
            "BOOKCTL_REQUIRE_POSTGRES",
            "BOOKCTL_TEST_POSTGRES_URL",
        ):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("BOOKCTL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Cli:
    """Runs ``bookctl`` in-process against one database, capturing stdout and stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self._capsys = capsys
        self._monkeypatch = monkeypatch

    def env(self, **values: str) -> None:
        for key, value in values.items():
            self._monkeypatch.setenv(key, value)

    def __call__(self, *args: str) -> Result:
        from bookctl.cli import run

        self._capsys.readouterr()
        code = run([str(arg) for arg in args])
        out, err = self._capsys.readouterr()
        return Result(code, out, err)


@pytest.fixture
def cli(
    isolated_env: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """The CLI on a migrated database (SQLite and PostgreSQL), business zone Europe/Madrid."""
    monkeypatch.setenv("BOOKCTL_DATABASE_URL", db_url)
    monkeypatch.setenv("BOOKCTL_TIMEZONE", "Europe/Madrid")
    return Cli(capsys, monkeypatch)


def run_bookctl(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``bookctl`` as a separate process."""
    return subprocess.run(
        [BOOKCTL, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
