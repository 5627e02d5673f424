"""Email templates: every template in both languages, times in the customer's zone, escaping."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bookctl.email.render import (
    LANGUAGES,
    TEMPLATES,
    EmailContext,
    format_range,
    format_when,
    render,
)
from bookctl.resources import data_path

# 09:00 UTC on a winter Tuesday: 10:00 in Madrid (CET), 14:30 in Kolkata (IST).
START = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
MANAGE_URL = "https://citas.example.es/manage/tok-123"


def context(
    template: str = "booking_confirmation", language: str = "es", **changes
) -> EmailContext:
    base = EmailContext(
        template=template,
        language=language,
        business_name="Estudio Pérez",
        service_name="Masaje relajante",
        customer_name="Ana Núñez",
        customer_email="ana@example.com",
        start=START,
        end=START + timedelta(minutes=60),
        timezone="Europe/Madrid",
        manage_url=MANAGE_URL,
        old_start=START - timedelta(days=1),
        old_end=START - timedelta(days=1) + timedelta(minutes=60),
        cancel_reason="Enfermedad del terapeuta",
        feedback_url="https://citas.example.es/feedback/abc",
    )
    return replace(base, **changes)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_naming_service_and_business(template: str, language: str) -> None:
    rendered = render(context(template, language))
    for part in (rendered.subject, rendered.text, rendered.html):
        assert part.strip()
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    for body in (rendered.text, rendered.html):
        assert "Masaje relajante" in body
        assert "Estudio Pérez" in body
        assert "Ana Núñez" in body
    assert rendered.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in rendered.html
    assert rendered.text.endswith("\n") and "\n\n\n" not in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_need_no_optional_value(template: str, language: str) -> None:
    """StrictUndefined: every optional field may be None without breaking a template."""
    bare = context(
        template,
        language,
        manage_url=None,
        old_start=None,
        old_end=None,
        cancel_reason=None,
        feedback_url=None,
    )
    rendered = render(bare)
    assert "None" not in rendered.text and "None" not in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "template", ["welcome", "booking_confirmation", "reminder_24h", "reminder_1h", "reschedule"]
)
def test_manage_link_where_the_customer_may_act(template: str, language: str) -> None:
    rendered = render(context(template, language))
    assert MANAGE_URL in rendered.text
    assert f'href="{MANAGE_URL}"' in rendered.html


def test_times_in_the_customers_zone_with_the_zone_named() -> None:
    madrid = render(context(timezone="Europe/Madrid"))
    kolkata = render(context(timezone="Asia/Kolkata", language="en"))
    assert "martes, 12 de enero de 2027, de 10:00 a 11:00 (Europe/Madrid)" in madrid.text
    assert "10:00" in madrid.subject
    assert "Tuesday, 12 January 2027, 14:30\u201315:30 (Asia/Kolkata)" in kolkata.text
    assert "14:30" in kolkata.subject
    assert "(Asia/Kolkata)" in kolkata.html


def test_format_when_examples_from_the_contract() -> None:
    instant = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 in Madrid (CEST)
    assert format_when(instant, "Europe/Madrid", "es") == (
        "martes, 30 de marzo de 2027, 10:00 (Europe/Madrid)"
    )
    assert format_when(instant, "Europe/Madrid", "en") == (
        "Tuesday, 30 March 2027, 10:00 (Europe/Madrid)"
    )


def test_local_date_can_differ_from_the_utc_date() -> None:
    late = datetime(2027, 1, 12, 23, 30, tzinfo=UTC)
    assert format_when(late, "Asia/Tokyo", "es") == (
        "miércoles, 13 de enero de 2027, 08:30 (Asia/Tokyo)"
    )
    assert format_when(late, "America/New_York", "en") == (
        "Tuesday, 12 January 2027, 18:30 (America/New_York)"
    )


def test_range_across_midnight_shows_both_dates() -> None:
    start = datetime(2027, 1, 12, 22, 30, tzinfo=UTC)
    text = format_range(start, start + timedelta(hours=2), "UTC", "en")
    dash = "\u2013"
    assert (
        text
        == f"Tuesday, 12 January 2027, 22:30 (UTC) {dash} Wednesday, 13 January 2027, 00:30 (UTC)"
    )


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_when(datetime(2027, 1, 12, 9, 0), "UTC", "en")


def test_reschedule_shows_old_and_new_time() -> None:
    rendered = render(context("reschedule"))
    assert "Nueva fecha y hora: martes, 12 de enero de 2027, de 10:00 a 11:00" in rendered.text
    previous = "Fecha y hora anteriores: lunes, 11 de enero de 2027, de 10:00 a 11:00"
    assert previous in rendered.text
    english = render(context("reschedule", "en"))
    assert (
        "Previous time: Monday, 11 January 2027, 10:00\u201311:00 (Europe/Madrid)" in english.text
    )
    assert "New time: Tuesday, 12 January 2027" in english.text


def test_cancellation_shows_the_reason_only_when_given() -> None:
    with_reason = render(context("cancellation"))
    assert "Motivo: Enfermedad del terapeuta" in with_reason.text
    assert "Enfermedad del terapeuta" in with_reason.html
    without = render(context("cancellation", "en", cancel_reason=None))
    assert "Reason" not in without.text and "Reason" not in without.html


def test_feedback_links_to_the_form_or_asks_for_a_reply() -> None:
    linked = render(context("post_session_feedback", "en"))
    assert 'href="https://citas.example.es/feedback/abc"' in linked.html
    assert "https://citas.example.es/feedback/abc" in linked.text
    reply = render(context("post_session_feedback", "es", feedback_url=None))
    assert "responder a este correo" in reply.text
    assert "responder a este correo" in reply.html


def test_hostile_name_is_escaped_in_html_but_not_in_text() -> None:
    rendered = render(context(customer_name="<script>alert(1)</script>", language="en"))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    # Plain text is not HTML: escaping it would show entities to the reader.
    assert "Hello <script>alert(1)</script>," in rendered.text


def test_ampersands_are_not_escaped_in_subject_or_text() -> None:
    rendered = render(context(service_name="Corte & color", language="es"))
    assert "Corte & color" in rendered.subject
    assert "Corte & color" in rendered.text
    assert "Corte &amp; color" in rendered.html


def test_subject_is_one_line_even_with_header_injection_attempts() -> None:
    for template in TEMPLATES:
        rendered = render(
            context(template, service_name="Masaje\r\nBcc: x@y", customer_name="Ana\r\nBcc: x@y")
        )
        assert "\r" not in rendered.subject and "\n" not in rendered.subject


def test_unknown_template_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="template"):
        render(context("newsletter"))
    with pytest.raises(ValueError, match="language"):
        render(context(language="fr"))


def test_every_shipped_file_exists_for_both_languages() -> None:
    shipped = data_path("templates") / "emails"
    for language in LANGUAGES:
        for template in TEMPLATES:
            for suffix in (".subject.txt", ".txt", ".html"):
                assert (shipped / language / f"{template}{suffix}").is_file()


def test_override_folder_wins_and_missing_files_fall_back(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "booking_confirmation.subject.txt").write_text(
        "¡Reserva hecha, {{ customer_name }}!\n", encoding="utf-8"
    )
    rendered = render(context(), templates_dir=tmp_path)
    assert rendered.subject == "¡Reserva hecha, Ana Núñez!"
    shipped = render(context())
    assert rendered.text == shipped.text
    # The HTML <title> repeats the subject; the rest is the shipped layout and body.
    assert rendered.html.replace(rendered.subject, shipped.subject) == shipped.html
    # Other templates and the English ones still come from the shipped folder.
    assert render(context("reminder_1h"), templates_dir=tmp_path) == render(context("reminder_1h"))


def test_override_of_a_shared_layout_applies_to_shipped_templates(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    layout = (data_path("templates") / "emails" / "en" / "_base.txt").read_text(encoding="utf-8")
    (tmp_path / "en" / "_base.txt").write_text(
        layout.replace("Kind regards,", "Cheers,"), encoding="utf-8"
    )
    rendered = render(context("reminder_24h", "en"), templates_dir=tmp_path)
    assert "Cheers,\nEstudio Pérez" in rendered.text
    assert "Kind regards" not in rendered.text


def test_override_with_an_unknown_variable_fails_loudly(tmp_path: Path) -> None:
    from jinja2 import UndefinedError

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "welcome.subject.txt").write_text("Hi {{ first_name }}", encoding="utf-8")
    with pytest.raises(UndefinedError):
        render(context("welcome", "en"), templates_dir=tmp_path)


def test_html_has_no_leftover_template_syntax() -> None:
    for language in LANGUAGES:
        for template in TEMPLATES:
            rendered = render(context(template, language))
            for body in (rendered.text, rendered.html, rendered.subject):
                assert not re.search(r"{[{%#]|[}%#]}", body)
