"""ICS invitations: parsed back with icalendar and with vobject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from bookctl.email.ics import build_invitation

UID = "0b7c1f1e-2f43-4c4b-9a53-1d1c5e0f0a11@bookctl"
START = datetime(2027, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # 08:00 UTC


def invitation(**changes: Any) -> bytes:
    values: dict[str, Any] = {
        "uid": UID,
        "sequence": 0,
        "method": "REQUEST",
        "status": "CONFIRMED",
        "start": START,
        "end": START + timedelta(hours=1),
        "summary": "Masaje relajante en Estudio Pérez",
        "description": "Su cita de Masaje relajante.\nGestionar: https://x.test/manage/t",
        "organizer_email": "citas@estudio.example",
        "organizer_name": "Estudio Pérez",
        "attendee_email": "ana@example.com",
        "attendee_name": "Ana Núñez",
        "dtstamp": datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
        "url": "https://x.test/manage/t",
    }
    values.update(changes)
    return build_invitation(**values)


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def property_names(data: bytes) -> list[str]:
    """Names of the logical lines, after unfolding."""
    unfolded = data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    return [line.split(b":")[0].split(b";")[0].decode() for line in unfolded.split(b"\r\n") if line]


def test_request_has_the_itip_essentials() -> None:
    data = invitation(sequence=3)
    calendar, event = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]).startswith("-//bookctl//")
    assert event["UID"] == UID
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Masaje relajante en Estudio Pérez"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Su cita de Masaje relajante.",
        "Gestionar: https://x.test/manage/t",
    ]
    assert str(event["URL"]) == "https://x.test/manage/t"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:citas@estudio.example"
    assert organizer.params["CN"] == "Estudio Pérez"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ana@example.com"
    assert attendee.params["CN"] == "Ana Núñez"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "FALSE"


def test_times_are_written_in_utc() -> None:
    data = invitation()
    assert b"DTSTART:20270330T080000Z" in data
    assert b"DTEND:20270330T090000Z" in data
    assert b"DTSTAMP:20270301T120000Z" in data
    _, event = parse(data)
    assert event.decoded("DTSTART") == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)


def test_uid_is_stable_and_cancel_marks_the_event_cancelled() -> None:
    first = parse(invitation(sequence=0))[1]
    cancel_data = invitation(sequence=1, method="CANCEL", status="CANCELLED")
    calendar, cancel = parse(cancel_data)
    assert first["UID"] == cancel["UID"] == UID
    assert calendar["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["SEQUENCE"] == 1
    assert invitation() == invitation()  # deterministic for the same input


def test_vobject_reads_it_too() -> None:
    data = invitation(sequence=2, method="CANCEL", status="CANCELLED")
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.method.value == "CANCEL"
    event = parsed.vevent
    assert event.uid.value == UID
    assert event.sequence.value == "2"
    assert event.status.value == "CANCELLED"
    assert event.dtstart.value == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert event.dtend.value.utcoffset() == timedelta(0)
    assert event.attendee.value == "mailto:ana@example.com"
    assert event.attendee.params["CN"] == ["Ana Núñez"]
    assert event.organizer.params["CN"] == ["Estudio Pérez"]


def test_long_multibyte_names_are_folded_at_75_octets_and_round_trip() -> None:
    name = ("Ñandú José-María Ødegård 日本語 " * 12)[:300]
    assert len(name) == 300
    data = invitation(attendee_name=name, summary=name, organizer_name=name)
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never split inside a multi-byte character
    _, event = parse(data)
    assert event["ATTENDEE"].params["CN"] == name.strip()
    assert event["SUMMARY"] == name.strip()
    vevent = vobject.readOne(data.decode("utf-8")).vevent
    assert vevent.attendee.params["CN"] == [name.strip()]
    assert vevent.summary.value == name.strip()


@pytest.mark.parametrize(
    "field",
    ["attendee_name", "organizer_name", "summary", "uid", "attendee_email", "url"],
)
def test_line_breaks_in_user_text_never_create_properties(field: str) -> None:
    hostile = {
        "attendee_name": "Ana\r\nATTENDEE:mailto:evil@example.com",
        "organizer_name": "Estudio\nORGANIZER:mailto:evil@example.com",
        "summary": "Masaje\r\nATTENDEE:mailto:evil@example.com",
        "uid": UID + "\r\nATTENDEE:mailto:evil@example.com",
        "attendee_email": "ana@example.com\r\nATTENDEE:mailto:evil@example.com",
        "url": "https://x.test/\r\nATTENDEE:mailto:evil@example.com",
    }
    data = invitation(**{field: hostile[field]})
    names = property_names(data)
    assert names.count("ATTENDEE") == 1
    assert names.count("ORGANIZER") == 1
    _, event = parse(data)
    assert not isinstance(event["ATTENDEE"], list)


def test_description_keeps_its_lines_as_escaped_newlines() -> None:
    data = invitation(description="Línea 1\r\nATTENDEE:mailto:evil@example.com\x00")
    names = property_names(data)
    assert names.count("ATTENDEE") == 1
    _, event = parse(data)
    assert str(event["DESCRIPTION"]) == "Línea 1\nATTENDEE:mailto:evil@example.com"


def test_names_with_quotes_commas_and_semicolons_are_quoted() -> None:
    name = 'Pérez, "Ana"; Dra.: jefa'
    data = invitation(attendee_name=name)
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    [attendee_line] = [line for line in unfolded.split("\r\n") if line.startswith("ATTENDEE")]
    # The CN value is one DQUOTE-wrapped parameter value: nothing after it leaks out.
    assert attendee_line.startswith('ATTENDEE;CN="Pérez, ')
    _, event = parse(data)
    assert event["ATTENDEE"].params["CN"] in (name, name.replace('"', "'"))
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["ATTENDEE"]) == "mailto:ana@example.com"
    vevent = vobject.readOne(data.decode("utf-8")).vevent
    assert vevent.attendee.value == "mailto:ana@example.com"
    assert vevent.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "PUBLISH"}, "method"),
        ({"status": "DONE"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"start": datetime(2027, 3, 30, 10, 0)}, "timezone-aware"),
        ({"end": START - timedelta(minutes=1)}, "after start"),
    ],
)
def test_invalid_input_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        invitation(**changes)
