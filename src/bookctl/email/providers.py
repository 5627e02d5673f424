"""Email providers: SendGrid, Postmark, SMTP, a local outbox folder and the console.

Every sender takes an :class:`OutgoingEmail` and returns the provider's message id, or
raises :class:`TransientEmailError` (worth retrying later) or :class:`PermanentEmailError`
(retrying cannot help). Error messages never carry API keys, tokens or passwords.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import smtplib
import ssl
import sys
import tempfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from bookctl.domain.errors import ExternalServiceError
from bookctl.email.message import ICS_FILENAME, OutgoingEmail, address, to_mime
from bookctl.email.sanitize import one_line

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0
_TRUE = {"1", "true", "yes", "on"}


class EmailSendError(ExternalServiceError):
    """A message could not be handed to the provider (exit code 5 at the CLI)."""

    code = "email_send_failed"
    transient: bool = False


class TransientEmailError(EmailSendError):
    """Network errors, timeouts, rate limiting, 5xx: the same message may go through later."""

    transient = True


class PermanentEmailError(EmailSendError):
    """Rejected request or bad configuration: retrying the same message cannot help."""

    transient = False


class EmailSender(Protocol):
    """What the outbox needs from a provider."""

    name: str

    def send(self, email: OutgoingEmail) -> str | None:
        """Hand one message to the provider; return its message id when it gives one."""
        ...


def secret_value(value: Any) -> str | None:
    """The plain text of a setting that may be a pydantic ``SecretStr``, a str or None."""
    if value is None:
        return None
    getter = getattr(value, "get_secret_value", None)
    text = getter() if callable(getter) else str(value)
    return text or None


def _http_failure(provider: str, status: int, detail: str) -> EmailSendError:
    """The error for an HTTP answer other than success."""
    message = f"{provider} answered HTTP {status}" + (f": {detail}" if detail else "")
    if status == 429 or status >= 500:
        return TransientEmailError(message)
    return PermanentEmailError(message)


def _unreachable(provider: str, error: BaseException) -> TransientEmailError:
    # Only the exception's class and reason: its text may hold a URL, never credentials,
    # but keep it short and predictable.
    reason = getattr(error, "reason", None) or error
    return TransientEmailError(f"{provider} unreachable: {type(error).__name__}: {reason}")


def _checked_credential(provider: str, setting: str, value: str | None) -> str:
    """A token that can go in an HTTP header as is (else a config error naming the setting)."""
    token = (value or "").strip()
    if not token:
        raise PermanentEmailError(f"{provider} is selected but {setting} is not set")
    if one_line(token) != token or not token.isascii() or " " in token:
        # http.client would refuse the header and quote the value in its error.
        raise PermanentEmailError(f"{setting} contains spaces or control characters")
    return token


def _calendar_type(email: OutgoingEmail) -> str:
    return f"text/calendar; charset=utf-8; method={email.calendar_method}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _detail(body: Any, *keys: str) -> str:
    """A short, single-line excerpt of an error body for the outbox's ``last_error``."""
    text = ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            text = "; ".join(
                str(item.get("message", "")) + (f" ({item['field']})" if item.get("field") else "")
                for item in errors
                if isinstance(item, dict)
            )
        else:
            text = " ".join(str(body[key]) for key in keys if body.get(key) not in (None, ""))
    elif isinstance(body, bytes | str):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return one_line(text)[:300]


# --- SendGrid ---------------------------------------------------------------------------


def sendgrid_body(email: OutgoingEmail) -> dict[str, Any]:
    """The JSON body of ``POST /v3/mail/send`` for one message."""
    recipient: dict[str, str] = {"email": one_line(email.to)}
    if one_line(email.to_name):
        recipient["name"] = one_line(email.to_name)
    sender: dict[str, str] = {"email": one_line(email.from_addr)}
    if one_line(email.from_name):
        sender["name"] = one_line(email.from_name)
    # SendGrid wants text/plain first, then text/html, and no empty values.
    content = [
        {"type": kind, "value": value}
        for kind, value in (("text/plain", email.text), ("text/html", email.html))
        if value
    ]
    body: dict[str, Any] = {
        "personalizations": [{"to": [recipient]}],
        "from": sender,
        "subject": one_line(email.subject),
        "content": content,
    }
    if email.ics is not None:
        body["attachments"] = [
            {
                "content": _b64(email.ics),
                "type": _calendar_type(email),
                "filename": ICS_FILENAME,
                "disposition": "attachment",
            }
        ]
    if email.idempotency_key:
        # Comes back in SendGrid's event webhooks, tying events to the outbox row.
        body["custom_args"] = {"idempotency_key": one_line(email.idempotency_key)}
    return body


class SendGridSender:
    """SendGrid v3 Mail Send through the official client (``sendgrid`` package)."""

    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        api_url: str = "https://api.sendgrid.com",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        import sendgrid  # heavy: only when SendGrid is the provider

        key = _checked_credential("SendGrid", "BOOKCTL_SENDGRID_API_KEY", api_key)
        self.timeout = timeout
        self._api = sendgrid.SendGridAPIClient(api_key=key, host=api_url.rstrip("/"))
        # The client has no timeout by default; every request client it derives copies it.
        self._api.client.timeout = timeout

    def __repr__(self) -> str:
        return f"SendGridSender(api_url={self._api.host!r})"

    def send(self, email: OutgoingEmail) -> str | None:
        """POST the message; return the ``X-Message-Id`` SendGrid answers with."""
        import http.client
        import urllib.error

        from python_http_client.exceptions import HTTPError

        body = sendgrid_body(email)
        try:
            response = self._api.client.mail.send.post(request_body=body, timeout=self.timeout)
        except HTTPError as error:
            raise _http_failure(
                "SendGrid", int(error.status_code), _detail(_json_or_text(error.body))
            ) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise _unreachable("SendGrid", error) from None
        except ValueError as error:
            # urllib/http.client refusing a header value; its text could quote the key.
            raise PermanentEmailError(
                f"SendGrid request could not be built ({type(error).__name__})"
            ) from None
        message_id = response.headers.get("X-Message-Id")
        return str(message_id) if message_id else None


def _json_or_text(body: bytes | str | None) -> Any:
    import json

    if not body:
        return ""
    try:
        return json.loads(body)
    except ValueError:
        return body


# --- Postmark ---------------------------------------------------------------------------


def postmark_body(email: OutgoingEmail) -> dict[str, Any]:
    """The JSON body of Postmark's ``POST /email`` for one message."""
    body: dict[str, Any] = {
        "From": _formatted(email.from_addr, email.from_name),
        "To": _formatted(email.to, email.to_name),
        "Subject": one_line(email.subject),
        "TextBody": email.text,
        "HtmlBody": email.html,
        "MessageStream": "outbound",
    }
    if email.ics is not None:
        body["Attachments"] = [
            {"Name": ICS_FILENAME, "Content": _b64(email.ics), "ContentType": _calendar_type(email)}
        ]
    if email.idempotency_key:
        # Comes back in Postmark's webhooks, tying events to the outbox row.
        body["Metadata"] = {"idempotency_key": one_line(email.idempotency_key)}
    return body


def _formatted(addr: str, name: str) -> str:
    # formataddr quotes names with commas or quotes and RFC 2047-encodes non-ASCII ones.
    return formataddr((one_line(name), one_line(addr)))


class PostmarkSender:
    """Postmark's ``POST /email`` over httpx."""

    name = "postmark"

    def __init__(
        self,
        server_token: str,
        api_url: str = "https://api.postmarkapp.com",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        import httpx

        token = _checked_credential("Postmark", "BOOKCTL_POSTMARK_SERVER_TOKEN", server_token)
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._client: httpx.Client = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "X-Postmark-Server-Token": token,
            },
        )

    def __repr__(self) -> str:
        return f"PostmarkSender(api_url={self.api_url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> PostmarkSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, email: OutgoingEmail) -> str | None:
        """POST the message; return Postmark's ``MessageID``."""
        import httpx

        try:
            response = self._client.post(f"{self.api_url}/email", json=postmark_body(email))
        except httpx.TransportError as error:  # timeouts, refused connections, protocol errors
            raise _unreachable("Postmark", error) from None
        try:
            answer = response.json()
        except ValueError:
            answer = response.text
        if response.status_code != 200:
            raise _http_failure(
                "Postmark", response.status_code, _detail(answer, "ErrorCode", "Message")
            )
        if not isinstance(answer, dict) or answer.get("ErrorCode", 0) != 0:
            raise PermanentEmailError(
                f"Postmark refused the message: {_detail(answer, 'ErrorCode', 'Message')}"
            )
        message_id = answer.get("MessageID")
        return str(message_id) if message_id else None


# --- SMTP -------------------------------------------------------------------------------


class SmtpSender:
    """SMTP submission: ``smtp://user:pass@host:port`` (``?starttls=1``) or ``smtps://``."""

    name = "smtp"

    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            # Never echo the URL: it may hold a password.
            raise PermanentEmailError("BOOKCTL_SMTP_URL must look like smtp://user:pass@host:port")
        query = parse_qs(parts.query)
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = query.get("starttls", ["0"])[-1].lower() in _TRUE
        try:
            port = parts.port
        except ValueError:
            raise PermanentEmailError("BOOKCTL_SMTP_URL has an invalid port") from None
        self.host = parts.hostname
        self.port = port or (465 if self.implicit_tls else 587 if self.starttls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else ""
        self.timeout = timeout
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"SmtpSender(host={self.host!r}, port={self.port})"

    def _tls(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, email: OutgoingEmail) -> str | None:
        """Submit the MIME message; return its Message-ID."""
        try:
            message = to_mime(email)
        except ValueError as error:
            raise PermanentEmailError(f"cannot build the message: {error}") from None
        where = f"SMTP server {self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                if self.starttls and not self.implicit_tls:
                    smtp.starttls(context=self._tls())
                if self.username:
                    smtp.login(self.username, self._password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            _raise_refused(where, error)
        except smtplib.SMTPNotSupportedError as error:  # no STARTTLS / AUTH offered
            raise PermanentEmailError(f"{where}: {one_line(str(error))}") from None
        except smtplib.SMTPResponseException as error:
            reply = error.smtp_error
            text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
            detail = f"{where} answered {error.smtp_code} {one_line(text)}"
            if 500 <= error.smtp_code < 600:
                raise PermanentEmailError(detail) from None
            raise TransientEmailError(detail) from None
        except ssl.SSLCertVerificationError as error:
            raise PermanentEmailError(
                f"{where}: TLS certificate rejected: {error.reason}"
            ) from None
        except (smtplib.SMTPException, OSError) as error:  # disconnects, refused, timeouts
            raise _unreachable(where, error) from None
        return str(message["Message-ID"])


def _raise_refused(where: str, error: smtplib.SMTPRecipientsRefused) -> NoReturn:
    codes = [code for code, _ in error.recipients.values()]
    detail = "; ".join(
        f"{one_line(rcpt)}: {code} {one_line(msg.decode('utf-8', 'replace'))}"
        for rcpt, (code, msg) in error.recipients.items()
    )
    if codes and all(400 <= code < 500 for code in codes):
        raise TransientEmailError(f"{where} deferred the recipient: {detail}") from None
    raise PermanentEmailError(f"{where} refused the recipient: {detail}") from None


# --- Local ------------------------------------------------------------------------------

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._@+-]+")


class FileSender:
    """Writes one ``.eml`` per message into a folder (the default: nothing leaves the host)."""

    name = "file"

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = Path(outbox_dir)

    def __repr__(self) -> str:
        return f"FileSender(outbox_dir={str(self.outbox_dir)!r})"

    def send(self, email: OutgoingEmail) -> str | None:
        """Write the message atomically; return the file's name."""
        try:
            message = to_mime(email)
        except ValueError as error:
            raise PermanentEmailError(f"cannot build the message: {error}") from None
        message_id = str(message["Message-ID"]).strip("<>")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{_UNSAFE_FILENAME.sub('_', message_id)[:120]}.eml"
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.outbox_dir / name, message.as_bytes())
        except PermissionError as error:
            raise PermanentEmailError(f"cannot write to the outbox folder: {error}") from None
        except OSError as error:  # e.g. disk full: may clear up
            raise TransientEmailError(f"cannot write to the outbox folder: {error}") from None
        return name


def _write_atomic(path: Path, data: bytes) -> None:
    # A reader never sees half a message: write a hidden temporary file, then rename.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ConsoleSender:
    """Prints each message, readably, to a stream (stderr: stdout carries only data)."""

    name = "console"

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def send(self, email: OutgoingEmail) -> str | None:
        """Print headers and every part decoded; return the Message-ID."""
        try:
            message = to_mime(email)
        except ValueError as error:
            raise PermanentEmailError(f"cannot build the message: {error}") from None
        self.stream.write(_readable(message))
        self.stream.flush()
        return str(message["Message-ID"])


def _readable(message: EmailMessage) -> str:
    lines = ["=" * 72]
    lines += [f"{key}: {message[key]}" for key in ("From", "To", "Subject", "Date", "Message-ID")]
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename:
            size = len(part.get_payload(decode=True) or b"")
            lines += ["", f"--- attachment {filename} ({part.get_content_type()}, {size} bytes)"]
        else:
            lines += ["", f"--- {part.get_content_type()}", part.get_content().rstrip("\n")]
    lines += ["=" * 72, ""]
    return "\n".join(lines)


# --- Factory ----------------------------------------------------------------------------


def make_sender(settings: Any) -> EmailSender:
    """The sender ``settings.email_provider`` names, configured from ``settings``."""
    provider = getattr(settings, "email_provider", "file")
    timeout = float(getattr(settings, "email_timeout", None) or DEFAULT_TIMEOUT)
    # Fail fast on a sender address no provider would accept.
    try:
        address(settings.email_from)
    except ValueError as error:
        raise PermanentEmailError(f"BOOKCTL_EMAIL_FROM is not usable: {error}") from None
    if provider == "sendgrid":
        return SendGridSender(
            secret_value(settings.sendgrid_api_key) or "",
            settings.sendgrid_api_url,
            timeout,
        )
    if provider == "postmark":
        return PostmarkSender(
            secret_value(settings.postmark_server_token) or "",
            settings.postmark_api_url,
            timeout,
        )
    if provider == "smtp":
        url = secret_value(settings.smtp_url)
        if not url:
            raise PermanentEmailError("smtp is selected but BOOKCTL_SMTP_URL is not set")
        return SmtpSender(url, timeout)
    if provider == "file":
        return FileSender(Path(settings.outbox_dir))
    if provider == "console":
        return ConsoleSender()
    raise PermanentEmailError(f"unknown email provider {provider!r}")
