"""Reading what the providers delivered: .eml files, MIME parts and ICS invitations."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import icalendar
import vobject


@dataclass
class Parsed:
    message: EmailMessage
    text: str
    html: str
    calendar: bytes | None
    calendar_method: str | None
    attachment: bytes | None

    def header(self, name: str) -> str:
        return str(self.message[name])


def parse(raw: bytes | EmailMessage) -> Parsed:
    message = (
        raw
        if isinstance(raw, EmailMessage)
        else email.message_from_bytes(raw, policy=email.policy.default)
    )
    assert isinstance(message, EmailMessage)
    text = html = ""
    calendar = attachment = None
    method = None
    for part in message.walk():
        kind = part.get_content_type()
        if part.is_attachment():
            attachment = part.get_payload(decode=True)
        elif kind == "text/plain":
            text = part.get_content()
        elif kind == "text/html":
            html = part.get_content()
        elif kind == "text/calendar":
            calendar = part.get_content().encode()
            method = part.get_param("method")
    return Parsed(message, text, html, calendar, method, attachment)


def outbox(folder: Path) -> list[Parsed]:
    """Every .eml the file provider wrote, oldest first."""
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [parse(path.read_bytes()) for path in files]


def by_subject_prefix(messages: list[Parsed], prefix: str) -> list[Parsed]:
    return [m for m in messages if m.header("Subject").startswith(prefix)]


@dataclass
class Invitation:
    method: str
    uid: str
    sequence: int
    status: str
    organizer: str
    attendee: str
    dtstamp: object


def read_invitation(data: bytes) -> Invitation:
    """Parse with icalendar and, independently, with vobject; both must agree."""
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    first = Invitation(
        method=str(calendar["METHOD"]),
        uid=str(event["UID"]),
        sequence=int(event["SEQUENCE"]),
        status=str(event["STATUS"]),
        organizer=str(event["ORGANIZER"]),
        attendee=str(event["ATTENDEE"]),
        dtstamp=event["DTSTAMP"].dt,
    )
    other = vobject.readOne(data.decode("utf-8"))
    vevent = other.vevent
    assert other.method.value == first.method
    assert vevent.uid.value == first.uid
    assert int(vevent.sequence.value) == first.sequence
    assert vevent.status.value == first.status
    assert vevent.organizer.value == first.organizer
    assert vevent.attendee.value == first.attendee
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line  # RFC 5545 folding
    return first
