"""Email providers against real local servers: FakeSendGrid, FakePostmark, an SMTP sink."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import icalendar
import pytest
from pydantic import SecretStr

from bookctl.domain.errors import ExternalServiceError, exit_code_for
from bookctl.email.providers import (
    ConsoleSender,
    EmailSendError,
    FileSender,
    PermanentEmailError,
    PostmarkSender,
    SendGridSender,
    SmtpSender,
    TransientEmailError,
    make_sender,
    secret_value,
)
from tests.email_samples import EMAIL as SAMPLE_EMAIL
from tests.email_samples import ICS
from tests.fakes.postmark import FakePostmark
from tests.fakes.senders import RecordingSender
from tests.fakes.sendgrid import FakeSendGrid, body_validator
from tests.fakes.smtp import SmtpSink

API_KEY = "SG.very-secret-key.do-not-leak"
PM_TOKEN = "pm-very-secret-token"
# The shared sample, addressed to a name that needs quoting in a header.
EMAIL = replace(
    SAMPLE_EMAIL,
    to_name='Núñez, Ana "la jefa"',
    text="Hola, Ana:\n\nSu cita está confirmada.\n",
    html="<p>Hola, Ana:</p><p>Su cita está confirmada.</p>",
)
MakePostmark = Callable[..., PostmarkSender]
HOSTILE = replace(
    EMAIL,
    to_name="Ana\r\nBcc: victim@example.com",
    from_name="Estudio\nX-Injected: 1",
    subject="Hola\r\nBcc: victim@example.com",
)


# --- SendGrid ---------------------------------------------------------------------------


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with FakeSendGrid(api_key=API_KEY) as fake:
        yield fake
    assert fake.validation_errors == []


def sendgrid_sender(fake: FakeSendGrid, key: str = API_KEY, timeout: float = 5.0) -> SendGridSender:
    return SendGridSender(key, api_url=fake.url, timeout=timeout)


def test_sendgrid_sends_a_body_valid_against_the_published_spec(sendgrid: FakeSendGrid) -> None:
    message_id = sendgrid_sender(sendgrid).send(EMAIL)
    assert message_id
    [request] = sendgrid.received
    body = request.body
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert body["from"] == {"email": "citas@estudio.example", "name": "Estudio Pérez"}
    assert body["personalizations"] == [
        {"to": [{"email": "ana@example.com", "name": 'Núñez, Ana "la jefa"'}]}
    ]
    assert body["subject"] == EMAIL.subject
    assert [item["type"] for item in body["content"]] == ["text/plain", "text/html"]
    assert body["content"][0]["value"] == EMAIL.text
    [attachment] = body["attachments"]
    assert attachment["filename"] == "invite.ics"
    assert attachment["disposition"] == "attachment"
    assert attachment["type"].startswith("text/calendar") and "method=REQUEST" in attachment["type"]
    assert base64.b64decode(attachment["content"]) == ICS
    assert body["custom_args"] == {"idempotency_key": "outbox-42"}


def test_sendgrid_returns_a_distinct_message_id_per_send(sendgrid: FakeSendGrid) -> None:
    sender = sendgrid_sender(sendgrid)
    ids = {sender.send(EMAIL) for _ in range(5)}
    assert len(ids) == 5 and None not in ids


def test_sendgrid_without_invitation_or_idempotency_key(sendgrid: FakeSendGrid) -> None:
    sendgrid_sender(sendgrid).send(replace(EMAIL, ics=None, idempotency_key=None, to_name=""))
    [request] = sendgrid.received
    assert "attachments" not in request.body and "custom_args" not in request.body
    assert request.body["personalizations"][0]["to"] == [{"email": "ana@example.com"}]


def test_sendgrid_strips_line_breaks_from_header_values(sendgrid: FakeSendGrid) -> None:
    sendgrid_sender(sendgrid).send(HOSTILE)
    body = sendgrid.received[0].body
    assert body["subject"] == "Hola Bcc: victim@example.com"
    assert body["personalizations"][0]["to"][0]["name"] == "Ana Bcc: victim@example.com"
    assert body["from"]["name"] == "Estudio X-Injected: 1"


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("429", TransientEmailError),
        ("500", TransientEmailError),
        ("400", PermanentEmailError),
        ("401", PermanentEmailError),
    ],
)
def test_sendgrid_failures_are_classified(
    sendgrid: FakeSendGrid, mode: str, error: type[EmailSendError]
) -> None:
    sendgrid.mode = mode
    with pytest.raises(error) as caught:
        sendgrid_sender(sendgrid).send(EMAIL)
    assert caught.value.transient is (error is TransientEmailError)
    assert f"HTTP {mode}" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert isinstance(caught.value, ExternalServiceError) and exit_code_for(caught.value) == 5


def test_sendgrid_wrong_key_is_permanent_and_never_quoted(sendgrid: FakeSendGrid) -> None:
    wrong = "SG.wrong-key-that-must-not-leak"
    with pytest.raises(PermanentEmailError) as caught:
        sendgrid_sender(sendgrid, key=wrong).send(EMAIL)
    text = str(caught.value) + repr(caught.value.__cause__) + repr(caught.value.__context__)
    assert wrong not in text and "401" in text


def test_sendgrid_recovers_after_scripted_failures(sendgrid: FakeSendGrid) -> None:
    sender = sendgrid_sender(sendgrid)
    sendgrid.fail_next(2, "429")
    for _ in range(2):
        with pytest.raises(TransientEmailError):
            sender.send(EMAIL)
    assert sender.send(EMAIL)
    assert len(sendgrid.received) == 1 and sendgrid.requests == 3


def test_sendgrid_hang_times_out_as_transient(sendgrid: FakeSendGrid) -> None:
    sendgrid.mode = "hang"
    started = time.monotonic()
    with pytest.raises(TransientEmailError) as caught:
        sendgrid_sender(sendgrid, timeout=0.5).send(EMAIL)
    assert time.monotonic() - started < 5
    assert API_KEY not in str(caught.value)


def test_sendgrid_unreachable_is_transient() -> None:
    with FakeSendGrid(api_key=API_KEY) as fake:
        url = fake.url
    with pytest.raises(TransientEmailError, match="unreachable"):
        SendGridSender(API_KEY, api_url=url, timeout=2).send(EMAIL)


def test_sendgrid_key_with_line_break_is_a_config_error_without_the_key() -> None:
    with pytest.raises(PermanentEmailError) as caught:
        SendGridSender("SG.abc\r\nX-Evil: 1", api_url="http://127.0.0.1:9")
    assert "SG.abc" not in str(caught.value)
    with pytest.raises(PermanentEmailError, match="not set"):
        SendGridSender("", api_url="http://127.0.0.1:9")


def test_fake_sendgrid_rejects_what_the_spec_rejects(sendgrid: FakeSendGrid) -> None:
    """The fake really validates: a body missing ``from`` and with a bad email is refused."""
    import httpx

    response = httpx.post(
        f"{sendgrid.url}/v3/mail/send",
        headers={"Authorization": f"Bearer {API_KEY}"},
        json={
            "personalizations": [{"to": [{"email": "not-an-email"}]}],
            "subject": "x",
            "content": [
                {"type": "text/html", "value": "<p>x</p>"},
                {"type": "text/plain", "value": "x"},
            ],
        },
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert "content" in fields
    assert len(sendgrid.validation_errors) >= 3  # missing from, bad email, content order
    sendgrid.validation_errors.clear()  # expected here; the fixture asserts none remain


def test_fake_sendgrid_accepts_object_custom_args_only_as_the_documented_quirk() -> None:
    validator = body_validator()
    body: dict[str, Any] = {
        "personalizations": [{"to": [{"email": "a@example.com"}]}],
        "from": {"email": "b@example.com"},
        "subject": "s",
        "content": [{"type": "text/plain", "value": "t"}],
        "custom_args": {"k": "v"},
    }
    assert list(validator.iter_errors(body)) == []
    body["custom_args"] = ["not", "an", "object"]
    assert list(validator.iter_errors(body))


# --- Postmark ---------------------------------------------------------------------------


@pytest.fixture
def postmark() -> Iterator[FakePostmark]:
    with FakePostmark(server_token=PM_TOKEN) as fake:
        yield fake
    assert fake.validation_errors == []


@pytest.fixture
def postmark_sender(postmark: FakePostmark) -> Iterator[MakePostmark]:
    """Makes senders pointed at the fake; closes their connection pools afterwards."""
    made: list[PostmarkSender] = []

    def make(token: str = PM_TOKEN, timeout: float = 5.0) -> PostmarkSender:
        made.append(PostmarkSender(token, api_url=postmark.url, timeout=timeout))
        return made[-1]

    yield make
    for sender in made:
        sender.close()


def test_postmark_sends_and_records_the_message_id(
    postmark: FakePostmark, postmark_sender: MakePostmark
) -> None:
    message_id = postmark_sender().send(EMAIL)
    [request] = postmark.received
    body = request.body
    assert message_id and len(message_id) == 36
    assert request.headers["X-Postmark-Server-Token"] == PM_TOKEN
    [sender_address] = policy.default.header_factory("From", body["From"]).addresses
    assert (sender_address.display_name, sender_address.addr_spec) == (
        "Estudio Pérez",
        "citas@estudio.example",
    )
    [to] = policy.default.header_factory("To", body["To"]).addresses
    assert (to.display_name, to.addr_spec) == ('Núñez, Ana "la jefa"', "ana@example.com")
    assert body["Subject"] == EMAIL.subject
    assert body["TextBody"] == EMAIL.text and body["HtmlBody"] == EMAIL.html
    assert body["MessageStream"] == "outbound"
    [attachment] = body["Attachments"]
    assert attachment["Name"] == "invite.ics"
    assert attachment["ContentType"].startswith("text/calendar")
    assert base64.b64decode(attachment["Content"]) == ICS
    assert body["Metadata"] == {"idempotency_key": "outbox-42"}


def test_postmark_strips_line_breaks_from_header_values(
    postmark: FakePostmark, postmark_sender: MakePostmark
) -> None:
    postmark_sender().send(HOSTILE)
    body = postmark.received[0].body
    assert "\n" not in body["To"] + body["From"] + body["Subject"]
    assert body["To"].endswith("<ana@example.com>")


@pytest.mark.parametrize(
    ("mode", "error", "fragment"),
    [
        ("422", PermanentEmailError, "300"),
        ("401", PermanentEmailError, "401"),
        ("429", TransientEmailError, "429"),
        ("500", TransientEmailError, "500"),
    ],
)
def test_postmark_failures_are_classified(
    postmark: FakePostmark,
    postmark_sender: MakePostmark,
    mode: str,
    error: type[EmailSendError],
    fragment: str,
) -> None:
    postmark.mode = mode
    with pytest.raises(error, match=fragment) as caught:
        postmark_sender().send(EMAIL)
    assert PM_TOKEN not in str(caught.value)


def test_postmark_422_carries_the_documented_error(
    postmark: FakePostmark, postmark_sender: MakePostmark
) -> None:
    postmark.fail_next(1, "422")
    sender = postmark_sender()
    with pytest.raises(PermanentEmailError, match="300 Invalid email request"):
        sender.send(EMAIL)
    assert sender.send(EMAIL)


def test_postmark_wrong_token_is_permanent(postmark_sender: MakePostmark) -> None:
    with pytest.raises(PermanentEmailError, match="401") as caught:
        postmark_sender(token="wrong-token").send(EMAIL)
    assert "wrong-token" not in str(caught.value)


def test_postmark_hang_times_out_as_transient(
    postmark: FakePostmark, postmark_sender: MakePostmark
) -> None:
    postmark.mode = "hang"
    started = time.monotonic()
    with pytest.raises(TransientEmailError):
        postmark_sender(timeout=0.5).send(EMAIL)
    assert time.monotonic() - started < 5


# --- SMTP -------------------------------------------------------------------------------


def check_smtp_message(sink: SmtpSink) -> None:
    [delivery] = sink.deliveries
    assert delivery.mail_from == "citas@estudio.example"
    assert delivery.rcpt_tos == ("ana@example.com",)
    message = delivery.message
    assert message["Message-ID"] == "<outbox-42@bookctl>"
    assert message["Subject"] == EMAIL.subject
    assert message["To"].addresses[0].display_name == 'Núñez, Ana "la jefa"'
    assert message["From"].addresses[0].addr_spec == "citas@estudio.example"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Su cita está confirmada." in body.get_content()
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<p>Hola, Ana:</p>" in html.get_content()
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert calendars and calendars[0].get_param("method") == "REQUEST"
    event = icalendar.Calendar.from_ical(calendars[0].get_content()).walk("VEVENT")[0]
    assert event["UID"] == "appt-1@bookctl"
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == ["invite.ics"]


def test_smtp_plain_delivery_returns_the_message_id() -> None:
    with SmtpSink() as sink:
        message_id = SmtpSender(sink.url(), timeout=5).send(EMAIL)
    assert message_id == "<outbox-42@bookctl>"
    check_smtp_message(sink)
    assert sink.deliveries[0].login is None


def test_smtp_auth_with_url_encoded_credentials() -> None:
    with SmtpSink(credentials=("user@estudio.example", "p@ss:w/rd")) as sink:
        url = sink.url(userinfo="user%40estudio.example:p%40ss%3Aw%2Frd")
        SmtpSender(url, timeout=5).send(EMAIL)
    check_smtp_message(sink)
    assert sink.deliveries[0].login == "user@estudio.example"


def test_smtp_wrong_password_is_permanent_and_not_quoted() -> None:
    with (
        SmtpSink(credentials=("user", "right")) as sink,
        pytest.raises(PermanentEmailError, match="535") as caught,
    ):
        SmtpSender(sink.url(userinfo="user:secret-wrong"), timeout=5).send(EMAIL)
    assert "secret-wrong" not in str(caught.value)
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN).
    assert sink.deliveries == [] and sink.failed_logins >= 1


def test_smtp_starttls_with_auth() -> None:
    with SmtpSink(credentials=("user", "pw"), tls="starttls") as sink:
        sender = SmtpSender(
            sink.url(userinfo="user:pw", query="starttls=1"),
            timeout=5,
            ssl_context=sink.client_ssl_context,
        )
        sender.send(EMAIL)
    check_smtp_message(sink)
    assert sink.deliveries[0].login == "user"


def test_smtp_starttls_refused_certificate_is_permanent() -> None:
    # The default context does not trust the throw-away CA.
    with (
        SmtpSink(tls="starttls") as sink,
        pytest.raises(PermanentEmailError, match="certificate"),
    ):
        SmtpSender(sink.url(query="starttls=1"), timeout=5).send(EMAIL)
    assert sink.deliveries == []


def test_smtp_implicit_tls() -> None:
    with SmtpSink(credentials=("user", "pw"), tls="implicit") as sink:
        SmtpSender(
            sink.url(scheme="smtps", userinfo="user:pw"),
            timeout=5,
            ssl_context=sink.client_ssl_context,
        ).send(EMAIL)
    check_smtp_message(sink)


def test_smtp_headers_are_clean_for_hostile_names() -> None:
    with SmtpSink() as sink:
        SmtpSender(sink.url(), timeout=5).send(HOSTILE)
    [delivery] = sink.deliveries
    message = delivery.message
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert delivery.rcpt_tos == ("ana@example.com",)
    assert message["Subject"] == "Hola Bcc: victim@example.com"
    assert message["To"].addresses[0].display_name == "Ana Bcc: victim@example.com"


@pytest.mark.parametrize(
    ("reply", "error"),
    [("550 5.1.1 No such user", PermanentEmailError), ("451 4.3.0 Try later", TransientEmailError)],
)
def test_smtp_refused_recipient(reply: str, error: type[EmailSendError]) -> None:
    with SmtpSink() as sink:
        sink.rcpt_reply = reply
        with pytest.raises(error, match=reply.split()[0]):
            SmtpSender(sink.url(), timeout=5).send(EMAIL)


@pytest.mark.parametrize(
    ("reply", "error"),
    [("554 5.7.1 Rejected as spam", PermanentEmailError), ("452 4.3.1 Full", TransientEmailError)],
)
def test_smtp_refused_data(reply: str, error: type[EmailSendError]) -> None:
    with SmtpSink() as sink:
        sink.data_reply = reply
        with pytest.raises(error, match=reply.split()[0]):
            SmtpSender(sink.url(), timeout=5).send(EMAIL)


def test_smtp_connection_refused_is_transient() -> None:
    with SmtpSink() as sink:
        url = sink.url()
    with pytest.raises(TransientEmailError, match="unreachable"):
        SmtpSender(url, timeout=2).send(EMAIL)


def test_smtp_url_parsing() -> None:
    assert SmtpSender("smtp://mail.example.com").port == 25
    assert SmtpSender("smtp://mail.example.com?starttls=1").port == 587
    sender = SmtpSender("smtps://u%40x:p%2Fw@mail.example.com")
    assert (sender.port, sender.implicit_tls, sender.username) == (465, True, "u@x")
    assert "p/w" not in repr(sender)
    with pytest.raises(PermanentEmailError) as caught:
        SmtpSender("http://user:hunter2@mail.example.com")
    assert "hunter2" not in str(caught.value)


def test_smtp_bad_recipient_address_is_permanent() -> None:
    with pytest.raises(PermanentEmailError, match="address"):
        SmtpSender("smtp://127.0.0.1:9").send(replace(EMAIL, to="a@b.c, victim@example.com"))


# --- File and console ---------------------------------------------------------------------


def test_file_sender_writes_one_parseable_eml_per_message(tmp_path: Path) -> None:
    sender = FileSender(tmp_path / "outbox")
    first = sender.send(EMAIL)
    second = sender.send(replace(EMAIL, message_id="outbox-43@bookctl"))
    files = sorted(path.name for path in (tmp_path / "outbox").iterdir())
    assert files == sorted([first, second])
    assert first is not None and first.endswith("-outbox-42@bookctl.eml")
    assert first[:8].isdigit()
    parsed = message_from_bytes((tmp_path / "outbox" / first).read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == "<outbox-42@bookctl>"
    assert parsed["Subject"] == EMAIL.subject
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["invite.ics"]


def test_file_sender_names_are_safe_for_odd_message_ids(tmp_path: Path) -> None:
    name = FileSender(tmp_path).send(replace(EMAIL, message_id="../../etc/passwd@x"))
    assert name is not None and "/" not in name
    assert (tmp_path / name).is_file()


def test_file_sender_unwritable_folder_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(EmailSendError, match="outbox"):
        FileSender(blocker / "outbox").send(EMAIL)


def test_console_sender_writes_a_readable_message_to_its_stream() -> None:
    stream = io.StringIO()
    message_id = ConsoleSender(stream=stream).send(EMAIL)
    out = stream.getvalue()
    assert message_id == "<outbox-42@bookctl>"
    assert f"Subject: {EMAIL.subject}" in out
    assert "Su cita está confirmada." in out  # decoded, not quoted-printable
    assert "<p>Hola, Ana:</p>" in out
    assert "BEGIN:VCALENDAR" in out
    assert "attachment invite.ics" in out


def test_console_sender_defaults_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSender().send(EMAIL)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert EMAIL.subject in captured.err


# --- Factory and the in-memory fake ---------------------------------------------------------


def settings(**values: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "email_provider": "file",
        "email_from": "citas@estudio.example",
        "outbox_dir": Path("outbox"),
        "sendgrid_api_key": None,
        "sendgrid_api_url": "https://api.sendgrid.com",
        "postmark_server_token": None,
        "postmark_api_url": "https://api.postmarkapp.com",
        "smtp_url": None,
    }
    base.update(values)
    return SimpleNamespace(**base)


def test_make_sender_builds_each_provider(tmp_path: Path) -> None:
    assert isinstance(make_sender(settings(outbox_dir=tmp_path)), FileSender)
    assert isinstance(make_sender(settings(email_provider="console")), ConsoleSender)
    sendgrid = make_sender(
        settings(email_provider="sendgrid", sendgrid_api_key=SecretStr(API_KEY), email_timeout=3)
    )
    assert isinstance(sendgrid, SendGridSender) and sendgrid.timeout == 3
    assert API_KEY not in repr(sendgrid)
    postmark = make_sender(settings(email_provider="postmark", postmark_server_token=PM_TOKEN))
    assert isinstance(postmark, PostmarkSender) and postmark.timeout == 10
    smtp = make_sender(
        settings(email_provider="smtp", smtp_url=SecretStr("smtp://u:p@mail.example.com:2525"))
    )
    assert isinstance(smtp, SmtpSender) and smtp.port == 2525


@pytest.mark.parametrize("provider", ["sendgrid", "postmark", "smtp"])
def test_make_sender_without_credentials_is_a_config_error(provider: str) -> None:
    with pytest.raises(PermanentEmailError, match="not set"):
        make_sender(settings(email_provider=provider))


def test_make_sender_refuses_unknown_provider_and_bad_from() -> None:
    with pytest.raises(PermanentEmailError, match="unknown"):
        make_sender(settings(email_provider="pigeon"))
    with pytest.raises(PermanentEmailError, match="EMAIL_FROM"):
        make_sender(settings(email_from="not an address"))


def test_make_sender_works_with_the_real_settings_class(tmp_path: Path) -> None:
    from bookctl.settings import Settings

    real = Settings(email_provider="file", outbox_dir=tmp_path, email_from="citas@estudio.example")
    sender = make_sender(real)
    assert isinstance(sender, FileSender) and sender.outbox_dir == tmp_path


def test_secret_value_accepts_secretstr_str_and_none() -> None:
    assert secret_value(SecretStr("x")) == "x"
    assert secret_value("y") == "y"
    assert secret_value(None) is None
    assert secret_value("") is None


def test_recording_sender_records_and_scripts_failures() -> None:
    sender = RecordingSender()
    sender.fail_next(1)
    sender.fail_next(1, transient=False)
    with pytest.raises(TransientEmailError):
        sender.send(EMAIL)
    with pytest.raises(PermanentEmailError):
        sender.send(EMAIL)
    assert sender.send(EMAIL) == "recorded-1"
    assert sender.sent == [EMAIL] and sender.attempts == 3
