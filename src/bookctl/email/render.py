"""Render the customer emails from Jinja2 templates, in the customer's language and zone.

Templates live in ``templates/emails/{lang}/{template}.subject.txt``, ``.txt`` and
``.html`` (plus shared ``_base``/``_details`` partials). A business may copy that folder
to its own ``BOOKCTL_TEMPLATES_DIR``, edit some files and delete the rest: every name not
found there falls back to the shipped file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)

from bookctl.domain.timeparse import zone
from bookctl.email.sanitize import one_line
from bookctl.resources import data_path

TEMPLATES = (
    "welcome",
    "booking_confirmation",
    "reminder_24h",
    "reminder_1h",
    "post_session_feedback",
    "cancellation",
    "reschedule",
)
LANGUAGES = ("es", "en")

_WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_DATE_FORMAT = {
    "es": "{weekday}, {day} de {month} de {year}",
    "en": "{weekday}, {day} {month} {year}",
}
_DAY_FORMAT = {"es": "{weekday} {day} de {month}", "en": "{weekday} {day} {month}"}
_EN_DASH = "\u2013"  # the typographic sign for a range of times
_RANGE_FORMAT = {"es": "de {start} a {end}", "en": "{start}" + _EN_DASH + "{end}"}
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class EmailContext:
    """Everything a template may show; times are aware UTC, shown in ``timezone``."""

    template: str
    language: str  # "es" | "en"
    business_name: str
    service_name: str
    customer_name: str
    customer_email: str
    start: datetime  # aware UTC
    end: datetime
    timezone: str  # customer's IANA zone; shown in emails
    manage_url: str | None  # {PUBLIC_URL}/manage/{token}
    old_start: datetime | None = None  # reschedule: previous time
    old_end: datetime | None = None
    cancel_reason: str | None = None
    feedback_url: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """A rendered subject (one line), plain-text body and HTML body."""

    subject: str
    text: str
    html: str


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported email language {language!r}: use one of {LANGUAGES}")
    return language


def _local(dt: datetime, tz: str) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("email times must be timezone-aware")
    return dt.astimezone(zone(tz))


def _format_day(dt: datetime, tz: str, language: str, pattern: dict[str, str]) -> str:
    local = _local(dt, tz)
    lang = _check_language(language)
    return pattern[lang].format(
        weekday=_WEEKDAYS[lang][local.weekday()],
        day=local.day,
        month=_MONTHS[lang][local.month - 1],
        year=local.year,
    )


def format_date(dt: datetime, tz: str, language: str) -> str:
    """The calendar date of ``dt`` in ``tz``: "martes, 30 de marzo de 2027"."""
    return _format_day(dt, tz, language, _DATE_FORMAT)


def format_day(dt: datetime, tz: str, language: str) -> str:
    """The short date for subjects, without the year: "martes 30 de marzo"."""
    return _format_day(dt, tz, language, _DAY_FORMAT)


def format_time(dt: datetime, tz: str) -> str:
    """The wall-clock time of ``dt`` in ``tz``, 24-hour: "10:00"."""
    return _local(dt, tz).strftime("%H:%M")


def format_when(dt: datetime, tz: str, language: str) -> str:
    """Date and time in the customer's zone, naming it:
    "martes, 30 de marzo de 2027, 10:00 (Europe/Madrid)"."""
    return f"{format_date(dt, tz, language)}, {format_time(dt, tz)} ({tz})"


def format_range(start: datetime, end: datetime, tz: str, language: str) -> str:
    """An appointment's span: "martes, 30 de marzo de 2027, de 10:00 a 11:00 (Europe/Madrid)".

    An appointment that ends on another local day shows both dates in full.
    """
    if _local(start, tz).date() != _local(end, tz).date():
        return f"{format_when(start, tz, language)} {_EN_DASH} {format_when(end, tz, language)}"
    span = _RANGE_FORMAT[_check_language(language)].format(
        start=format_time(start, tz), end=format_time(end, tz)
    )
    return f"{format_date(start, tz, language)}, {span} ({tz})"


@lru_cache(maxsize=32)
def _environment(templates_dir: Path | None) -> Environment:
    loaders: list[BaseLoader] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(templates_dir))
    loaders.append(FileSystemLoader(data_path("templates") / "emails"))
    return Environment(
        loader=ChoiceLoader(loaders),
        # Only .html is escaped: the subject and the text body are not HTML, and escaping
        # them would show "&amp;" to the customer.
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A process renders with the templates it started with: no stat() per email.
        auto_reload=False,
    )


def template_variables(ctx: EmailContext) -> dict[str, Any]:
    """The names every template sees: the context's fields plus preformatted times."""
    tz, lang = ctx.timezone, ctx.language
    previous = None
    if ctx.old_start is not None:
        old_end = ctx.old_end or ctx.old_start + (ctx.end - ctx.start)
        previous = format_range(ctx.old_start, old_end, tz, lang)
    return {
        "template": ctx.template,
        "language": lang,
        "business_name": ctx.business_name,
        "service_name": ctx.service_name,
        "customer_name": ctx.customer_name,
        "customer_email": ctx.customer_email,
        "start": ctx.start,
        "end": ctx.end,
        "timezone": tz,
        "manage_url": ctx.manage_url,
        "old_start": ctx.old_start,
        "old_end": ctx.old_end,
        "cancel_reason": ctx.cancel_reason,
        "feedback_url": ctx.feedback_url,
        "when": format_when(ctx.start, tz, lang),
        "when_date": format_date(ctx.start, tz, lang),
        "when_day": format_day(ctx.start, tz, lang),
        "when_time": format_time(ctx.start, tz),
        "when_range": format_range(ctx.start, ctx.end, tz, lang),
        "old_when": format_when(ctx.old_start, tz, lang) if ctx.old_start else None,
        "old_when_range": previous,
        "duration_minutes": int((ctx.end - ctx.start).total_seconds() // 60),
    }


def _tidy_text(text: str) -> str:
    # Optional sections leave runs of blank lines; one blank line between paragraphs reads
    # best, and edited copies of the templates need not get Jinja's whitespace rules right.
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def render(ctx: EmailContext, templates_dir: Path | None = None) -> RenderedEmail:
    """Subject, text and HTML of one email; ``templates_dir`` overrides shipped files."""
    if ctx.template not in TEMPLATES:
        raise ValueError(f"unknown email template {ctx.template!r}")
    lang = _check_language(ctx.language)
    env = _environment(Path(templates_dir) if templates_dir is not None else None)
    variables = template_variables(ctx)
    base = f"{lang}/{ctx.template}"
    subject = one_line(env.get_template(f"{base}.subject.txt").render(variables))
    variables["subject"] = subject  # the HTML <title>
    return RenderedEmail(
        subject=subject,
        text=_tidy_text(env.get_template(f"{base}.txt").render(variables)),
        html=env.get_template(f"{base}.html").render(variables),
    )
