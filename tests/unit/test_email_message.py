"""MIME form of an outgoing email: structure, encodings and header hygiene."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from bookctl.email.message import to_mime
from bookctl.email.sanitize import one_line
from tests.email_samples import EMAIL, ICS


def reparse(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def header_block(message: EmailMessage) -> str:
    return message.as_bytes().split(b"\r\n\r\n", 1)[0].decode("ascii")


def test_structure_with_an_invitation() -> None:
    parsed = reparse(to_mime(EMAIL))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, calendar = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content().replace("\r\n", "\n") == EMAIL.text
    assert html.get_content_type() == "text/html"
    assert "Su cita está confirmada." in html.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content().replace("\r\n", "\n") == ICS.decode().replace("\r\n", "\n")
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == ICS


def test_structure_without_an_invitation() -> None:
    parsed = reparse(to_mime(replace(EMAIL, ics=None, ics_method=None)))
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_cancel_method_is_carried_on_the_calendar_part() -> None:
    parsed = reparse(to_mime(replace(EMAIL, ics_method="cancel")))
    calendar = list(next(parsed.iter_parts()).iter_parts())[2]
    assert calendar.get_param("method") == "CANCEL"
    with pytest.raises(ValueError, match="method"):
        to_mime(replace(EMAIL, ics_method="PUBLISH"))


def test_headers_and_encodings() -> None:
    message = to_mime(EMAIL)
    raw = message.as_bytes()
    assert raw.isascii()  # 7-bit clean: no relay needs 8BITMIME or SMTPUTF8
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    parsed = reparse(message)
    assert parsed["Message-ID"] == "<outbox-42@bookctl>"
    assert parsed["Subject"] == EMAIL.subject
    assert parsed["From"].addresses[0].display_name == "Estudio Pérez"
    assert parsed["From"].addresses[0].addr_spec == "citas@estudio.example"
    assert parsed["To"].addresses[0].display_name == "Ana Núñez"
    assert parsed["Date"].datetime.tzinfo is not None
    assert header_block(message).count("MIME-Version") == 1


def test_generated_message_id_uses_the_sender_domain() -> None:
    parsed = reparse(to_mime(replace(EMAIL, message_id=None)))
    assert parsed["Message-ID"].endswith("@estudio.example>")


@pytest.mark.parametrize(
    "name",
    [
        'Pérez, Ana "la jefa"',
        "Ana\r\nBcc: victim@example.com",
        "Ana\nX-Injected: 1",
        "Ana\x00\x1b[31m",
        "José (Madrid) <spoof@evil.example>",
    ],
)
def test_hostile_names_stay_inside_their_header(name: str) -> None:
    email = replace(EMAIL, to_name=name, from_name=name, subject=f"Hola {name}")
    message = to_mime(email)
    headers = header_block(message)
    unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ")
    names = [line.split(":", 1)[0] for line in unfolded.split("\r\n")]
    assert sorted(names) == sorted(
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    )
    parsed = reparse(message)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    [to] = parsed["To"].addresses
    assert to.addr_spec == "ana@example.com"
    assert to.display_name == one_line(name)
    [sender] = parsed["From"].addresses
    assert sender.addr_spec == "citas@estudio.example"
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])


def test_long_non_ascii_name_is_encoded_and_folded() -> None:
    name = "日本語の名前" * 20
    message = to_mime(replace(EMAIL, to_name=name))
    headers = header_block(message)
    assert all(len(line) <= 78 for line in headers.split("\r\n"))
    to_value = headers.split("\r\nTo: ", 1)[1].split("\r\nSubject:", 1)[0]
    # email.header implements RFC 2047 decoding (the stdlib's address parser wrongly keeps
    # the folding space between adjacent encoded-words).
    decoded = str(make_header(decode_header(to_value.replace("\r\n", ""))))
    assert decoded == f"{name} <ana@example.com>"


@pytest.mark.parametrize(
    "to",
    [
        "ana@example.com\r\nBcc: victim@example.com",
        "ana@example.com, victim@example.com",
        "not-an-address",
        "ñandú@example.com",
    ],
)
def test_bad_recipient_addresses_are_refused(to: str) -> None:
    with pytest.raises(ValueError):
        to_mime(replace(EMAIL, to=to))


def test_internationalised_domain_is_idna_encoded() -> None:
    parsed = reparse(to_mime(replace(EMAIL, to="ana@españa.example")))
    assert parsed["To"].addresses[0].domain == "xn--espaa-rta.example"


def test_one_line_collapses_control_characters() -> None:
    assert one_line("a\r\nb\tc\x00d\u2028e  f ") == "a b c d e f"
    assert one_line("\r\n") == ""
