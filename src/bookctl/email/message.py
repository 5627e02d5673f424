"""The provider-neutral outgoing email and its MIME form (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from bookctl.email.sanitize import one_line

ICS_FILENAME = "invite.ics"
ICS_METHODS = ("REQUEST", "CANCEL")


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One rendered message for one recipient, as every provider receives it."""

    to: str
    to_name: str
    from_addr: str
    from_name: str
    subject: str
    text: str
    html: str
    ics: bytes | None = None  # a full VCALENDAR
    ics_method: str | None = None  # "REQUEST" or "CANCEL"
    message_id: str | None = None  # RFC 5322 Message-ID to set (stable per outbox row)
    idempotency_key: str | None = None

    @property
    def calendar_method(self) -> str:
        """The iTIP method of the attached invitation (``REQUEST`` unless told otherwise)."""
        method = one_line(self.ics_method or "REQUEST").upper()
        if method not in ICS_METHODS:
            raise ValueError(f"unsupported calendar method {method!r}")
        return method


def address(addr_spec: str, display_name: str = "") -> Address:
    """A header-safe address; raises ValueError when ``addr_spec`` is not one address.

    An internationalised domain is IDNA-encoded so the header stays 7-bit; a non-ASCII local
    part would need SMTPUTF8, which the MIME form does not use, so it is refused.
    """
    spec = one_line(addr_spec)
    local, at, domain = spec.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"invalid email address {spec!r}")
    if not local.isascii():
        raise ValueError(f"email address {spec!r} needs SMTPUTF8, which is not supported")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"invalid email domain in {spec!r}") from None
    # Address() parses the addr-spec and rejects anything left over, so a value such as
    # "a@b.c, x@y.z" cannot smuggle in a second recipient.
    try:
        return Address(display_name=one_line(display_name), addr_spec=f"{local}@{domain}")
    except (ValueError, IndexError):
        raise ValueError(f"invalid email address {spec!r}") from None


def message_id_header(message_id: str | None, from_addr: str) -> str:
    """``<id>`` for the Message-ID header: the given one (bracketed) or a fresh one."""
    if message_id:
        return f"<{one_line(message_id).strip('<>').replace(' ', '')}>"
    domain = one_line(from_addr).rpartition("@")[2] or "bookctl.invalid"
    return make_msgid(domain=domain.encode("idna").decode("ascii"))


def to_mime(email: OutgoingEmail) -> EmailMessage:
    """multipart/mixed: [multipart/alternative: text/plain, text/html, text/calendar;
    method=X] + invite.ics attachment when ``ics`` is set; plain multipart/alternative
    otherwise. Raises ValueError for an address that cannot be written in a header."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = address(email.from_addr, email.from_name)
    msg["To"] = address(email.to, email.to_name)
    msg["Subject"] = one_line(email.subject)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id_header(email.message_id, email.from_addr)
    # Quoted-printable keeps every part 7-bit, so no relay needs 8BITMIME, and stays legible.
    msg.set_content(email.text, cte="quoted-printable")
    msg.add_alternative(email.html, subtype="html", cte="quoted-printable")
    if email.ics is not None:
        method = email.calendar_method
        # The inline text/calendar part is what Outlook and Gmail act on; the attachment
        # is for clients that only offer files.
        msg.add_alternative(
            email.ics.decode("utf-8"),
            subtype="calendar",
            params={"method": method},
            cte="quoted-printable",
        )
        msg.add_attachment(
            email.ics,
            maintype="application",
            subtype="ics",
            filename=ICS_FILENAME,
        )
    for part in msg.walk():
        if part is not msg:
            # add_alternative() stamps every part; the header belongs on the top level only.
            del part["MIME-Version"]
    return msg
