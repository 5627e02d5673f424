"""Single-line text for email headers and ICS properties (pure, no I/O)."""

from __future__ import annotations

import re

# C0 and C1 controls (CR, LF, TAB, NUL, ...) plus the Unicode line and paragraph separators:
# any of them in a header or an ICS property could start a new header or property.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r" {2,}")


def one_line(value: str) -> str:
    """``value`` with every run of control characters or line breaks collapsed to one space."""
    return _SPACES.sub(" ", _BREAKS.sub(" ", value)).strip()
