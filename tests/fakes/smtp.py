"""SmtpSink: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

``with SmtpSink(credentials=("user", "pw")) as sink: SmtpSender(sink.url(userinfo="user:pw"))``
then read ``sink.messages`` (parsed) or ``sink.deliveries`` (with the envelope and login).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes.tls import LocalCertificates

TlsMode = Literal["none", "starttls", "implicit"]


@dataclass(frozen=True)
class Delivery:
    """One accepted message with its envelope and the login that sent it (if any)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str | None
    raw: bytes
    message: EmailMessage


class _PortZeroController(Controller):
    """aiosmtpd's Controller, but bound to a free port chosen by the OS."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        super()._trigger_server()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.sink.rcpt_reply:
            return self.sink.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.data_reply:
            return self.sink.data_reply
        raw = bytes(envelope.original_content or envelope.content)
        login = session.auth_data.login.decode() if session.authenticated else None
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.sink._keep(Delivery(envelope.mail_from, tuple(envelope.rcpt_tos), login, raw, message))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server for tests; ``.messages`` are parsed ``EmailMessage`` objects.

    ``credentials`` enables AUTH (PLAIN/LOGIN) and then requires it; ``tls`` is ``"none"``,
    ``"starttls"`` (offered and required) or ``"implicit"`` (TLS from the first byte), with a
    certificate from a throw-away CA: pass ``sink.client_ssl_context`` to the client.
    ``rcpt_reply`` / ``data_reply`` (e.g. ``"550 5.1.1 no such user"``) script refusals.
    """

    host = "127.0.0.1"

    def __init__(
        self, *, credentials: tuple[str, str] | None = None, tls: TlsMode = "none"
    ) -> None:
        self.credentials = credentials
        self.tls = tls
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.deliveries: list[Delivery] = []
        self.failed_logins = 0
        self._lock = threading.Lock()
        self._certificates = LocalCertificates() if tls != "none" else None
        kwargs: dict[str, Any] = {"server_hostname": "sink.bookctl.test", "ready_timeout": 10}
        if credentials:
            kwargs["authenticator"] = self._authenticate
            # Plain-text AUTH is allowed on purpose: the sink only listens on loopback. With
            # implicit TLS the whole session is encrypted, but aiosmtpd only recognises TLS
            # that STARTTLS began, so it must not insist there either.
            kwargs["auth_require_tls"] = tls == "starttls"
            kwargs["auth_required"] = tls == "starttls"
        if self._certificates and tls == "starttls":
            kwargs["tls_context"] = self._certificates.server_context()
            kwargs["require_starttls"] = True
        if self._certificates and tls == "implicit":
            kwargs["ssl_context"] = self._certificates.server_context()
        self._controller = _PortZeroController(_Handler(self), hostname=self.host, port=0, **kwargs)

    @property
    def port(self) -> int:
        """The port the sink listens on."""
        return int(self._controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed."""
        with self._lock:
            return [delivery.message for delivery in self.deliveries]

    @property
    def client_ssl_context(self) -> Any:
        """A client SSL context that trusts the sink's certificate (None without TLS)."""
        return self._certificates.client_context() if self._certificates else None

    def url(self, scheme: str = "smtp", userinfo: str = "", query: str = "") -> str:
        """An ``smtp://`` URL for this sink."""
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}{self.host}:{self.port}" + (f"?{query}" if query else "")

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        if not ok:
            with self._lock:
                self.failed_logins += 1
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def _keep(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
