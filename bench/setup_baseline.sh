#!/usr/bin/env bash
# Create the isolated venv used by bench/django_baseline.py.
#
# The baseline drags in Django, Pillow, phonenumbers, ... none of which the product
# depends on, so it lives in its own venv (bench/.venv-django, gitignored) and is never
# installed into the product's .venv. Safe to re-run: an existing venv is reused, and
# pip does nothing (and needs no network) when the pinned versions are already there.
#
# Usage: bash bench/setup_baseline.sh        (PYTHON=python3.11 to pick the interpreter)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-django"
python="${PYTHON:-python3}"

# A half-created venv (interrupted run) has no working interpreter; rebuild it then.
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

# Call pip through the venv's interpreter so no activation (and no PATH leakage into the
# product's environment) is needed.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements-baseline.txt"

"$venv/bin/python" - <<'PY'
from importlib.metadata import version
print(f"baseline venv ready: django-appointment {version('django-appointment')}, "
      f"Django {version('Django')}")
PY
