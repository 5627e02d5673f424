"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations attached to appointment emails."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from bookctl import __version__
from bookctl.email.sanitize import one_line

PRODID = f"-//bookctl//bookctl {__version__}//EN"
METHODS = ("REQUEST", "CANCEL")
STATUSES = ("CONFIRMED", "CANCELLED", "TENTATIVE")


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware")
    return value.astimezone(UTC)


def _mailto(addr: str) -> str:
    # No whitespace at all inside a URI, whatever one_line() left.
    return "mailto:" + "".join(one_line(addr).split())


def _cal_address(addr: str, name: str, **params: str) -> vCalAddress:
    cal_address = vCalAddress(_mailto(addr))
    # icalendar quotes a parameter holding ',', ';' or ':' and escapes '"' (RFC 6868);
    # line breaks are ours to remove.
    cal_address.params["CN"] = vText(one_line(name))
    for key, value in params.items():
        cal_address.params[key] = value
    return cal_address


def build_invitation(
    *,
    uid: str,
    sequence: int,
    method: str,
    status: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    dtstamp: datetime,
    url: str | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT; times in UTC, text single-line where RFC 5545 needs it.

    ``uid`` must stay the same for every message about one appointment and ``sequence``
    must grow with each change, so calendar clients update or remove the event they have.
    """
    method = method.upper()
    status = status.upper()
    if method not in METHODS:
        raise ValueError(f"unsupported calendar method {method!r}")
    if status not in STATUSES:
        raise ValueError(f"unsupported event status {status!r}")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise ValueError("end must be after start")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", one_line(uid))
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(dtstamp, "dtstamp"))
    event.add("dtstart", start_utc)
    event.add("dtend", end_utc)
    event.add("summary", one_line(summary))
    # DESCRIPTION may span lines: icalendar escapes newlines as \n, so they cannot start
    # a property; other control characters are dropped.
    event.add("description", _multiline(description))
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("organizer", _cal_address(organizer_email, organizer_name))
    event.add(
        "attendee",
        _cal_address(
            attendee_email,
            attendee_name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="FALSE",
        ),
    )
    if url:
        event.add("url", "".join(one_line(url).split()))
    calendar.add_component(event)
    return calendar.to_ical()


def _multiline(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(one_line(line) for line in lines).strip()
