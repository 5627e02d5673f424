"""Email through the CLI: the default file provider writes what a real flow produces.

Booking, rescheduling and cancelling send their notices right after the commit; the job
sends the rest. Runs on SQLite and PostgreSQL with the clock frozen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from bookctl.domain.tokens import verify_manage_token
from tests.conftest import Cli
from tests.email.helpers import open_shop
from tests.email.mail import outbox, read_invitation

NOW = "2027-03-01T08:00:00Z"  # Monday 09:00 in Madrid
SECRET = "test-secret-key"
EVENT_KEYS = {
    "id",
    "recipient",
    "template",
    "status",
    "provider_message_id",
    "created_at",
    "appointment_id",
    "send_at",
    "sent_at",
    "attempts",
    "last_error",
}


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def shop(cli: Cli, clock: FrozenDateTimeFactory) -> Cli:
    cli.env(
        BOOKCTL_SECRET_KEY=SECRET,
        BOOKCTL_BUSINESS_NAME="Clínica Sol",
        BOOKCTL_EMAIL_FROM="citas@clinica.example",
        BOOKCTL_PUBLIC_URL="https://citas.example",
    )
    return open_shop(cli)


@pytest.fixture
def mails(isolated_env: Path) -> Path:
    return isolated_env / "outbox"


def book(
    cli: Cli,
    *extra: str,
    start: str = "2027-03-03T10:00",
    name: str = "Ana García",
    email: str = "ana@example.com",
) -> str:
    result = cli(
        "appointments",
        "book",
        "consulta",
        "--start",
        start,
        "--name",
        name,
        "--email",
        email,
        "--json",
        *extra,
    )
    assert result.exit_code == 0, result.stderr
    return str(result.json()["id"])


def test_booking_sends_confirmation_and_welcome_at_once(shop: Cli, mails: Path) -> None:
    appointment_id = book(shop, "--lang", "es")
    messages = outbox(mails)
    assert len(messages) == 2
    confirmation = next(m for m in messages if m.calendar is not None)
    welcome = next(m for m in messages if m.calendar is None)
    assert confirmation.header("To") == "Ana García <ana@example.com>"
    assert confirmation.header("From") == "Clínica Sol <citas@clinica.example>"
    assert "Consulta" in confirmation.header("Subject")
    # The customer's zone and language: 11:00 in Madrid, named.
    assert "miércoles, 3 de marzo de 2027" in confirmation.text
    assert "11:00" in confirmation.text and "Europe/Madrid" in confirmation.text
    assert "Clínica Sol" in confirmation.text and "Clínica Sol" in welcome.text
    token = re.search(r"https://citas\.example/manage/(\S+)", confirmation.text)
    assert token is not None
    import uuid

    verify_manage_token(SECRET, token.group(1), uuid.UUID(appointment_id))
    assert confirmation.calendar_method == "REQUEST"
    assert confirmation.attachment == confirmation.calendar
    invite = read_invitation(confirmation.calendar or b"")
    assert (invite.method, invite.sequence, invite.status) == ("REQUEST", 0, "CONFIRMED")
    assert invite.uid == f"{appointment_id}@bookctl"
    assert invite.organizer == "mailto:citas@clinica.example"
    assert invite.attendee == "mailto:ana@example.com"

    listed = shop("emails", "list", "--json").json()
    assert {row["template"]: row["status"] for row in listed} == {
        "booking_confirmation": "sent",
        "welcome": "sent",
        "reminder_24h": "queued",
        "reminder_1h": "queued",
        "post_session_feedback": "queued",
    }
    assert all(set(row) >= EVENT_KEYS for row in listed)


def test_reschedule_and_cancel_update_the_same_invitation(shop: Cli, mails: Path) -> None:
    appointment_id = book(shop)
    moved = shop("appointments", "reschedule", appointment_id[:8], "--start", "2027-03-04T12:00")
    assert moved.exit_code == 0, moved.stderr
    canceled = shop("appointments", "cancel", appointment_id[:8], "--reason", "Enfermedad")
    assert canceled.exit_code == 0, canceled.stderr
    invitations = [read_invitation(m.calendar) for m in outbox(mails) if m.calendar]
    assert [(i.method, i.sequence, i.status) for i in invitations] == [
        ("REQUEST", 0, "CONFIRMED"),
        ("REQUEST", 1, "CONFIRMED"),
        ("CANCEL", 2, "CANCELLED"),
    ]
    assert len({i.uid for i in invitations}) == 1
    reschedule_mail = outbox(mails)[-2]
    assert "12:00" in reschedule_mail.text  # the new time, in Madrid
    cancellation = outbox(mails)[-1]
    assert "Enfermedad" in cancellation.text


def test_no_email_books_silently_but_keeps_the_reminders(shop: Cli, mails: Path) -> None:
    book(shop, "--no-email")
    assert outbox(mails) == []
    queued = shop("emails", "list", "--status", "queued", "--json").json()
    assert sorted(row["template"] for row in queued) == [
        "post_session_feedback",
        "reminder_1h",
        "reminder_24h",
    ]


def test_the_job_is_silent_when_nothing_is_due(shop: Cli) -> None:
    result = shop("jobs", "send-reminders")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_the_job_sends_due_reminders_and_reports(
    shop: Cli, mails: Path, clock: FrozenDateTimeFactory
) -> None:
    book(shop, "--no-email")
    clock.move_to("2027-03-02T10:00:00Z")
    dry = shop("jobs", "send-reminders", "--dry-run", "--json")
    assert dry.exit_code == 0
    assert [(row["template"], row["action"]) for row in dry.json()] == [("reminder_24h", "send")]
    assert outbox(mails) == []
    result = shop("jobs", "send-reminders", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "sent": 1,
        "failed": 0,
        "retrying": 0,
        "skipped": 0,
        "completed": 0,
        "processes": 1,
        "errors": [],
    }
    assert len(outbox(mails)) == 1
    clock.move_to("2027-03-03T08:00:00Z")
    plain = shop("jobs", "send-reminders")
    assert plain.stdout == (
        "sent\t1\nfailed\t0\nretrying\t0\nskipped\t0\ncompleted\t0\nprocesses\t1\n"
    )
    clock.move_to("2027-03-03T13:00:00Z")
    quiet = shop("-q", "jobs", "send-reminders")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert len(outbox(mails)) == 3


def test_limit_caps_the_run(shop: Cli, clock: FrozenDateTimeFactory) -> None:
    book(shop, "--no-email")
    book(shop, "--no-email", start="2027-03-03T12:00", email="b@example.com")
    clock.move_to("2027-03-02T12:00:00Z")
    assert shop("jobs", "send-reminders", "--limit", "1", "--json").json()["sent"] == 1
    assert shop("jobs", "send-reminders", "--json").json()["sent"] == 1
    assert shop("jobs", "send-reminders", "--limit", "0").exit_code == 2


def test_emails_show_and_retry(shop: Cli) -> None:
    book(shop)
    sent = shop("emails", "list", "--template", "welcome", "--json").json()
    (welcome,) = sent
    shown = shop("emails", "show", welcome["id"][:8], "--json")
    assert shown.exit_code == 0
    assert shown.json()["id"] == welcome["id"]
    again = shop("emails", "retry", welcome["id"])
    assert again.exit_code == 4
    assert again.stderr == f"error: email {welcome['id']} was already sent; it is not sent twice\n"
    missing = shop("emails", "show", "ffffffff")
    assert (missing.exit_code, missing.stderr) == (3, "error: no email with id ffffffff\n")
    bad = shop("emails", "list", "--status", "bounced")
    assert bad.exit_code == 2
    assert "unknown email status 'bounced'" in bad.stderr


@pytest.mark.parametrize(
    "template",
    [
        "welcome",
        "booking_confirmation",
        "reminder_24h",
        "reminder_1h",
        "post_session_feedback",
        "cancellation",
        "reschedule",
    ],
)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_preview_renders_every_template_in_both_languages(
    shop: Cli, template: str, lang: str
) -> None:
    text = shop("emails", "preview", template, "--lang", lang)
    assert text.exit_code == 0, text.stderr
    assert text.stdout.startswith("Subject: ")
    assert "Clínica Sol" in text.stdout
    html = shop("emails", "preview", template, "--lang", lang, "--format", "html")
    assert html.exit_code == 0
    assert html.stdout.lstrip().lower().startswith("<!doctype html>")


def test_preview_of_a_real_appointment_and_bad_input(shop: Cli) -> None:
    appointment_id = book(shop, "--lang", "en", name="Bob <b>Bold</b>")
    result = shop(
        "emails", "preview", "reminder_1h", "--appointment", appointment_id[:8], "--format", "html"
    )
    assert result.exit_code == 0
    assert "Bob &lt;b&gt;Bold&lt;/b&gt;" in result.stdout
    assert "<b>Bold</b>" not in result.stdout
    assert shop("emails", "preview", "nope").exit_code == 2
    assert shop("emails", "preview", "welcome", "--format", "pdf").exit_code == 2
    assert shop("emails", "preview", "welcome", "--lang", "fr").exit_code == 2


def test_provider_outage_defers_then_every_email_goes_out_once(
    shop: Cli, clock: FrozenDateTimeFactory
) -> None:
    from tests.fakes.sendgrid import DEFAULT_API_KEY, FakeSendGrid

    with FakeSendGrid() as fake:
        shop.env(
            BOOKCTL_EMAIL_PROVIDER="sendgrid",
            BOOKCTL_SENDGRID_API_URL=fake.url,
            BOOKCTL_SENDGRID_API_KEY=DEFAULT_API_KEY,
        )
        fake.mode = "500"
        booked = shop(
            "appointments",
            "book",
            "consulta",
            "--start",
            "2027-03-03T10:00",
            "--name",
            "Ana García",
            "--email",
            "ana@example.com",
        )
        assert booked.exit_code == 0  # the booking stands
        assert booked.stderr.count("warning: email not sent now: ") == 2
        assert "SendGrid" in booked.stderr and DEFAULT_API_KEY not in booked.stderr
        queued = shop("emails", "list", "--status", "queued", "--json").json()
        first = {row["template"]: row for row in queued}
        assert first["booking_confirmation"]["attempts"] == 1
        assert "500" in first["booking_confirmation"]["last_error"]

        # Still down a minute later: the job exits 5 so cron monitoring notices.
        clock.tick(61)
        down = shop("jobs", "send-reminders")
        assert down.exit_code == 5
        assert down.stderr.endswith(
            "error: the email provider failed for 2 email(s): 2 will be retried, 0 marked failed\n"
        )
        retried = {row["template"]: row for row in shop("emails", "list", "--json").json()}
        assert retried["booking_confirmation"]["attempts"] == 2
        # Backoff doubles: the next try is two minutes after the second failure.
        assert retried["booking_confirmation"]["send_at"].startswith("2027-03-01T08:03:01")

        fake.mode = "ok"
        clock.tick(60)
        assert shop("jobs", "send-reminders").stdout == ""  # not due yet: nothing to say
        clock.tick(60)
        up = shop("jobs", "send-reminders", "--json")
        assert up.exit_code == 0, up.stderr
        assert up.json()["sent"] == 2
        keys = [r.body["custom_args"]["idempotency_key"] for r in fake.received]
        assert len(keys) == len(set(keys)) == 2
        assert fake.validation_errors == []
        rows = {row["template"]: row for row in shop("emails", "list", "--json").json()}
        assert rows["booking_confirmation"]["status"] == "sent"
        assert rows["booking_confirmation"]["attempts"] == 3
        assert rows["booking_confirmation"]["provider_message_id"]


def test_a_permanent_failure_is_marked_failed_and_can_be_retried(shop: Cli) -> None:
    from tests.fakes.sendgrid import DEFAULT_API_KEY, FakeSendGrid

    with FakeSendGrid() as fake:
        shop.env(
            BOOKCTL_EMAIL_PROVIDER="sendgrid",
            BOOKCTL_SENDGRID_API_URL=fake.url,
            BOOKCTL_SENDGRID_API_KEY=DEFAULT_API_KEY,
        )
        fake.mode = "400"
        book(shop)
        failed = shop("emails", "list", "--status", "failed", "--json").json()
        assert sorted(row["template"] for row in failed) == ["booking_confirmation", "welcome"]
        fake.mode = "ok"
        retried = shop("emails", "retry", failed[0]["id"], "--json")
        assert retried.exit_code == 0, retried.stderr
        assert retried.json()["status"] == "sent"


def test_postmark_delivery_records_its_message_ids(shop: Cli) -> None:
    from tests.fakes.postmark import DEFAULT_SERVER_TOKEN, FakePostmark

    with FakePostmark() as fake:
        shop.env(
            BOOKCTL_EMAIL_PROVIDER="postmark",
            BOOKCTL_POSTMARK_API_URL=fake.url,
            BOOKCTL_POSTMARK_SERVER_TOKEN=DEFAULT_SERVER_TOKEN,
        )
        book(shop)
        assert fake.validation_errors == []
        from email.header import decode_header, make_header

        recipients = {str(make_header(decode_header(r.body["To"]))) for r in fake.received}
        assert len(fake.received) == 2
        assert recipients == {"Ana García <ana@example.com>"}
    sent = shop("emails", "list", "--status", "sent", "--json").json()
    assert len(sent) == 2
    assert all(len(row["provider_message_id"]) == 36 for row in sent)  # Postmark's UUIDs


def test_a_provider_misconfiguration_leaves_the_emails_queued_and_unclaimed(shop: Cli) -> None:
    from tests.fakes.sendgrid import DEFAULT_API_KEY, FakeSendGrid

    with FakeSendGrid() as fake:
        shop.env(BOOKCTL_EMAIL_PROVIDER="sendgrid", BOOKCTL_SENDGRID_API_URL=fake.url)
        booked = shop(
            "appointments",
            "book",
            "consulta",
            "--start",
            "2027-03-03T10:00",
            "--name",
            "Ana García",
            "--email",
            "ana@example.com",
        )
        assert booked.exit_code == 0
        assert booked.stderr.startswith("warning: email deferred: ")
        job = shop("jobs", "send-reminders")
        assert job.exit_code == 5
        assert "BOOKCTL_SENDGRID_API_KEY" in job.stderr
        queued = shop("emails", "list", "--status", "queued", "--json").json()
        assert {row["attempts"] for row in queued} == {0}
        # Fixed: the very next run sends them; no claim was left behind to wait out.
        shop.env(BOOKCTL_SENDGRID_API_KEY=DEFAULT_API_KEY)
        assert shop("jobs", "send-reminders", "--json").json()["sent"] == 2
        assert len(fake.received) == 2
