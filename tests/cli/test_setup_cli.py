"""init, db, config show, --version, --help, import weight and error plumbing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BOOKCTL, Cli

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "fastapi", "sendgrid")


@pytest.fixture
def bare(isolated_env: Path, capsys, monkeypatch) -> Cli:
    """The CLI with no database configured: the defaults under the temporary XDG dirs."""
    return Cli(capsys, monkeypatch)


def test_init_writes_user_config_not_cwd_and_is_idempotent(bare, isolated_env: Path) -> None:
    first = bare("init", "--json")
    assert first.exit_code == 0, first.stderr
    data = first.json()
    config = isolated_env / "config" / "bookctl" / "bookctl.toml"
    assert data == {
        "config_file": str(config),
        "config_created": True,
        "database_url": f"sqlite:///{isolated_env / 'data' / 'bookctl' / 'bookctl.db'}",
        "revision": "0002_email_outbox",
    }
    assert not (isolated_env / "bookctl.toml").exists()
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    text = config.read_text()
    assert "secret_key = " in text
    second = bare("init", "--json")
    assert second.exit_code == 0
    assert second.json()["config_created"] is False
    assert config.read_text() == text  # the secret is not regenerated


def test_init_records_the_database_in_use_in_the_new_config(
    bare, isolated_env: Path, monkeypatch
) -> None:
    url = f"sqlite:///{isolated_env / 'shop.db'}"
    monkeypatch.setenv("BOOKCTL_DATABASE_URL", url)
    assert bare("init").exit_code == 0
    monkeypatch.delenv("BOOKCTL_DATABASE_URL")
    shown = bare("config", "show", "--json").json()
    assert shown["database_url"] == url
    assert (isolated_env / "shop.db").exists()


def test_init_with_explicit_config_path(bare, isolated_env: Path) -> None:
    target = isolated_env / "here.toml"
    result = bare("init", "--config", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["config_file"] == str(target)
    assert target.exists()


def test_db_current_and_upgrade(bare) -> None:
    assert bare("init").exit_code == 0
    current = bare("db", "current", "--json").json()
    assert current == {
        "current": "0002_email_outbox",
        "head": "0002_email_outbox",
        "up_to_date": True,
    }
    upgrade = bare("db", "upgrade", "--json").json()
    assert upgrade == {
        "previous": "0002_email_outbox",
        "current": "0002_email_outbox",
        "changed": False,
    }


def test_uninitialised_database_is_explained(bare) -> None:
    result = bare("services", "list")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the database has no bookctl tables: run `bookctl init` or `bookctl db upgrade`\n"
    )


def test_unreachable_database_exits_5(bare) -> None:
    bare.env(BOOKCTL_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = bare("services", "list", "--json")
    assert result.exit_code == 5
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"].startswith("database unavailable: ")
    assert "Traceback" not in result.stderr


def test_config_precedence_and_masked_secrets(bare, isolated_env: Path) -> None:
    config = isolated_env / "bookctl.toml"
    config.write_text(
        'timezone = "America/New_York"\nbusiness_name = "Estudio"\n'
        'sendgrid_api_key = "SG.file-secret"\n'
    )
    bare.env(
        BOOKCTL_BUSINESS_NAME="Desde env",
        BOOKCTL_API_TOKEN="tok-very-secret",
        BOOKCTL_DATABASE_URL="postgresql+psycopg://user:pw-secret@db.example/bookctl",
    )
    result = bare("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert shown["config_file"] == str(config)  # ./bookctl.toml is found
    assert shown["timezone"] == "America/New_York"  # file beats default
    assert shown["business_name"] == "Desde env"  # env beats file
    assert shown["sendgrid_api_key"] == "***"
    assert shown["api_token"] == "***"
    assert shown["database_url"] == "postgresql+psycopg://user:***@db.example/bookctl"
    for secret in ("SG.file-secret", "tok-very-secret", "pw-secret"):
        assert secret not in result.stdout + result.stderr
    override = bare(
        "--config", str(isolated_env / "missing.toml"), "config", "show", "--json"
    ).json()
    assert override["timezone"] == "UTC"  # an explicit --config wins over ./bookctl.toml


def test_bad_config_values_exit_2(bare, isolated_env: Path) -> None:
    (isolated_env / "bookctl.toml").write_text('timezone = "Nowhere/Land"\n')
    result = bare("config", "show")
    assert (result.exit_code, result.stderr) == (2, "error: unknown time zone 'Nowhere/Land'\n")
    (isolated_env / "bookctl.toml").write_text('timezon = "UTC"\n')
    typo = bare("config", "show")
    assert typo.exit_code == 2
    assert (
        typo.stderr
        == f"error: unknown key 'timezon' in config file {isolated_env / 'bookctl.toml'}\n"
    )


def test_version_and_usage_errors(bare) -> None:
    version = bare("--version")
    assert (version.exit_code, version.stdout) == (0, "bookctl 0.1.0\n")
    unknown = bare("services", "frobnicate")
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: No such command 'frobnicate'.\n"
    missing = bare("appointments", "book", "x", "--json")
    assert missing.exit_code == 2
    assert json.loads(missing.stderr)["error"]["code"] == "usage_error"


def _all_commands() -> list[list[str]]:
    from bookctl.cli import COMMANDS, load_command

    found: list[list[str]] = []
    for name in COMMANDS:
        command = load_command(name)
        subcommands = getattr(command, "commands", None)
        found.extend([[name, sub] for sub in subcommands] if subcommands else [[name]])
    return found


def test_every_command_has_help_with_an_example(bare) -> None:
    commands = _all_commands()
    assert ["appointments", "book"] in commands and ["availability"] in commands
    for path in commands:
        result = bare(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example" in result.stdout, f"`bookctl {' '.join(path)} --help` has no example"


def test_root_help_table_matches_each_command(bare) -> None:
    from bookctl.cli import COMMANDS, load_command

    for name, entry in COMMANDS.items():
        own = (load_command(name).help or "").strip().splitlines()[0]
        assert entry.help == own, name
    root = bare("--help")
    assert root.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}  " in root.stdout


def test_importing_cli_stays_light() -> None:
    code = f"import sys, bookctl.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_internal_errors_show_no_traceback_unless_debug(bare, monkeypatch) -> None:
    from bookctl.services import catalog

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog, "list_services", explode)
    assert bare("init").exit_code == 0
    result = bare("services", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: internal error: RuntimeError: boom\n"
        "(run again with --debug or BOOKCTL_DEBUG=1 for details)\n"
    )
    debug = bare("--debug", "services", "list")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr


def test_console_script_pipes_plain_output(isolated_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKCTL_")}
    env.update(
        XDG_CONFIG_HOME=str(isolated_env / "config"), XDG_DATA_HOME=str(isolated_env / "data")
    )
    subprocess.run([BOOKCTL, "init"], env=env, capture_output=True, check=True)
    subprocess.run(
        [BOOKCTL, "services", "add", "c", "--name", "C", "--duration", "30"],
        env=env,
        capture_output=True,
        check=True,
    )
    listed = subprocess.run([BOOKCTL, "services", "list"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0
    assert listed.stdout == "c\tC\t30\t0\t0\t30\t60\t60\ttrue\n"
    assert "\x1b[" not in listed.stdout + listed.stderr  # no colour without a TTY
    assert listed.stderr == ""
