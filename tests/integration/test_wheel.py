"""`pip install .` yields a working bookctl: the wheel carries the migrations and templates,
and the installed command initialises and migrates a database from an empty directory.

The wheel is built from this checkout (hatchling comes from the package index, as for any
user running `pip install .`), installed with `pip install --no-deps` into a fresh venv, and
its runtime dependencies are borrowed from the venv running the tests through a `.pth` file.
(`venv --system-site-packages` would not help: it exposes the base interpreter's packages,
not this venv's.) A `.pth` line that names a directory only appends it to `sys.path`, so the
wheel's own `bookctl` comes first and the editable install's path hook is never read; the
test checks that the module and its data really load from the new venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 300


def _run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=TIMEOUT, check=False, **kwargs
    )
    assert result.returncode == 0, f"{argv} exited {result.returncode}:\n{result.stderr}"
    return result


def _shipped(folder: str) -> set[str]:
    """Files of a top-level data folder of the checkout, as wheel member names."""
    root = REPO / folder
    return {
        f"bookctl/_data/{folder}/{path.relative_to(root).as_posix()}"
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _checkout_head() -> str | None:
    """The newest revision in the checkout's migrations, which the wheel must ship too."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(REPO / "migrations")).get_current_head()


def _bare_env(home: Path) -> dict[str, str]:
    """A user's shell with nothing of ours: no BOOKCTL_*, no PYTHONPATH, own HOME and XDG dirs."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout the way `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            *("-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q"),
            *("-w", str(out), str(REPO)),
        ]
    )
    (built,) = out.glob("bookctl-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; returns its ``bin`` directory."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run(
        [
            str(python),
            *("-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check"),
            *("-q", str(wheel)),
        ]
    )
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    outer = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site.stdout.strip()) / "outer_deps.pth").write_text("\n".join(outer) + "\n")
    return venv / "bin"


def test_wheel_carries_migrations_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bookctl/_data/migrations/versions/0001_core.py" in names
    assert "bookctl/_data/templates/emails/en/welcome.html" in names
    missing = (_shipped("migrations") | _shipped("templates")) - names
    assert not missing, f"not in the wheel: {sorted(missing)}"


def test_installed_module_and_data_come_from_the_wheel(installed: Path) -> None:
    probe = _run(
        [
            str(installed / "python"),
            "-c",
            "import json, bookctl, bookctl.resources as r; print(json.dumps([bookctl.__file__, "
            "str(r.data_path('migrations')), str(r.data_path('templates'))]))",
        ],
        env=_bare_env(installed.parent / "probe-home"),
    )
    venv = installed.parent.resolve()
    for path in json.loads(probe.stdout):
        assert Path(path).resolve().is_relative_to(venv), path
    assert not Path(json.loads(probe.stdout)[0]).resolve().is_relative_to(REPO)


def test_init_in_an_empty_directory_then_db_commands(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    cwd = tmp_path / "empty"
    cwd.mkdir()
    env = _bare_env(home)
    config = home / ".config" / "bookctl" / "bookctl.toml"
    database = home / ".local" / "share" / "bookctl" / "bookctl.db"
    head = _checkout_head()

    def bookctl(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(installed / "bookctl"), *args], cwd=cwd, env=env)

    first = bookctl("init")
    assert first.stdout.splitlines() == [
        f"config_file\t{config}",
        "config_created\ttrue",
        f"database_url\tsqlite:///{database}",
        f"revision\t{head}",
    ]
    assert config.is_file() and database.is_file()

    again = json.loads(bookctl("init", "--json").stdout)
    assert again == {
        "config_file": str(config),
        "config_created": False,
        "database_url": f"sqlite:///{database}",
        "revision": head,
    }

    current = json.loads(bookctl("db", "current", "--json").stdout)
    assert current == {"current": head, "head": head, "up_to_date": True}
    upgraded = json.loads(bookctl("db", "upgrade", "--json").stdout)
    assert upgraded == {"previous": head, "current": head, "changed": False}

    # An existing database one revision behind (as after installing a newer bookctl).
    step_back = (
        "import sys; from bookctl.store import migrate; from bookctl.store.db import make_engine; "
        "print(migrate.downgrade(make_engine(sys.argv[1]), '-1'))"
    )
    older = _run(
        [str(installed / "python"), "-c", step_back, f"sqlite:///{database}"], cwd=cwd, env=env
    ).stdout.strip()
    previous = None if older == "None" else older
    behind = json.loads(bookctl("db", "current", "--json").stdout)
    assert behind == {"current": previous, "head": head, "up_to_date": False}
    upgraded = json.loads(bookctl("db", "upgrade", "--json").stdout)
    assert upgraded == {"previous": previous, "current": head, "changed": True}

    assert bookctl("services", "list", "--json").stdout == "[]\n"
    # Nothing was written where the command ran: config and data live in the user dirs.
    assert list(cwd.iterdir()) == []
