"""Whole flows against real peers: an SMTP server (aiosmtpd) and hostile customer input.

Booking through the CLI sends through the configured provider; the messages are parsed
back and checked part by part.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.policy import compat32
from pathlib import Path

import icalendar
import pytest
from freezegun import freeze_time

from tests.conftest import Cli
from tests.email.helpers import open_shop
from tests.email.mail import outbox, parse, read_invitation
from tests.fakes.smtp import SmtpSink

NOW = "2027-03-01T08:00:00Z"


@pytest.fixture
def shop(cli: Cli) -> Iterator[Cli]:
    with freeze_time(NOW):
        cli.env(BOOKCTL_SECRET_KEY="k", BOOKCTL_BUSINESS_NAME="Clínica Sol")
        yield open_shop(cli)


def test_smtp_delivery_of_a_booking_is_well_formed(shop: Cli) -> None:
    with SmtpSink() as sink:
        shop.env(BOOKCTL_EMAIL_PROVIDER="smtp", BOOKCTL_SMTP_URL=sink.url())
        result = shop(
            "appointments",
            "book",
            "consulta",
            "--start",
            "2027-03-03T10:00",
            "--name",
            "Ana García",
            "--email",
            "ana@example.com",
            "--lang",
            "es",
        )
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    assert len(sink.deliveries) == 2
    assert {d.rcpt_tos for d in sink.deliveries} == {("ana@example.com",)}
    parsed = [parse(delivery.message) for delivery in sink.deliveries]
    (confirmation,) = [mail for mail in parsed if mail.calendar is not None]
    message = confirmation.message
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(
        part for part in message.walk() if part.get_content_type() == "multipart/alternative"
    )
    kinds = [part.get_content_type() for part in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    assert confirmation.calendar_method == "REQUEST"
    assert confirmation.attachment == confirmation.calendar
    assert read_invitation(confirmation.calendar or b"").sequence == 0
    for name, value in message.items():
        assert "\r" not in str(value) and "\n" not in str(value), name
    assert message["Message-ID"].endswith("@bookctl>")


HOSTILE = "<script>alert('x')</script> Ñoño \"Bob\", Jr. " + "é" * 150


def test_hostile_names_are_escaped_in_html_and_kept_out_of_headers(
    shop: Cli, isolated_env: Path
) -> None:
    result = shop(
        "appointments",
        "book",
        "consulta",
        "--start",
        "2027-03-03T10:00",
        "--name",
        HOSTILE,
        "--email",
        "ana@example.com",
    )
    assert result.exit_code == 0, result.stderr
    messages = outbox(isolated_env / "outbox")
    assert len(messages) == 2
    for mail in messages:
        assert "<script>" not in mail.html
        assert "&lt;script&gt;" in mail.html
        # The name travels as RFC 2047 encoded words, folded. Decode them as RFC 2047 says
        # (whitespace between encoded words is dropped); the modern header parser inserts
        # spaces into long encoded display names, a CPython quirk, not the message's fault.
        assert mail.message["To"].addresses[0].addr_spec == "ana@example.com"
        raw_to = email.message_from_bytes(mail.message.as_bytes(), policy=compat32)["To"]
        assert str(make_header(decode_header(raw_to))) == f"{HOSTILE} <ana@example.com>"
        raw = mail.message.as_bytes()
        header_block = (
            raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        )
        for line in header_block.splitlines():
            assert len(line) <= 998
    invitation = next(m for m in messages if m.calendar)
    read_invitation(invitation.calendar or b"")  # folded at 75 octets, parsed by two parsers
    (event,) = icalendar.Calendar.from_ical(invitation.calendar).walk("VEVENT")
    assert event["ATTENDEE"].params["CN"] == HOSTILE


@pytest.mark.parametrize(
    "name", ["Eve\r\nBcc: victim@example.com", "Eve\nX-Injected: 1", "x" * 201]
)
def test_names_with_line_breaks_or_too_long_are_refused_before_anything_is_written(
    shop: Cli, isolated_env: Path, name: str
) -> None:
    result = shop(
        "appointments",
        "book",
        "consulta",
        "--start",
        "2027-03-03T10:00",
        "--name",
        name,
        "--email",
        "ana@example.com",
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert outbox(isolated_env / "outbox") == []
    assert shop("emails", "list", "--json").json() == []
