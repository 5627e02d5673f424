"""Locate data shipped beside the code: Alembic migrations and email templates."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of a top-level data folder (``migrations`` or ``templates``).

    A built wheel carries them under ``bookctl/_data`` (hatch force-include); a source
    checkout or editable install finds them at the repository root.
    """
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bookctl data folder {name!r} is missing from this installation")
