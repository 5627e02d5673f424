"""Which emails an appointment's life queues, and when each becomes due (frozen clock).

Each test books through the real use cases on SQLite and PostgreSQL and runs the real
send job with an in-memory sender, moving the clock with freezegun.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from bookctl.bootstrap import App
from bookctl.services import booking
from tests.email.helpers import HOUR, book, by_template, events, make_app, run, sent_templates, utc
from tests.fakes.senders import RecordingSender

NOW = utc(2027, 3, 1, 8, 0)  # Monday 09:00 in Madrid
START = utc(2027, 3, 3, 10, 0)  # two days ahead


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture
def app(isolated_env: object, db_url: str, clock: FrozenDateTimeFactory) -> Iterator[App]:
    application = make_app(db_url)
    yield application
    application.close()


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def test_a_confirmed_booking_queues_confirmation_welcome_reminders_and_feedback(
    app: App,
) -> None:
    appointment = book(app, START)
    due = {event.template: event.send_at for event in events(app)}
    assert due == {
        "booking_confirmation": NOW,
        "welcome": NOW,
        "reminder_24h": START - 24 * HOUR,
        "reminder_1h": START - HOUR,
        "post_session_feedback": appointment.scheduled_end + 2 * HOUR,
    }
    assert {event.status for event in events(app)} == {"queued"}
    assert {event.language for event in events(app)} == {"es"}


def test_each_email_goes_out_when_due_and_feedback_only_after_completion(
    app: App, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    appointment = book(app, START)
    assert run(app, sender).sent == 2
    assert sorted(sent_templates(sender)) == ["booking_confirmation", "welcome"]

    clock.move_to(START - 24 * HOUR - HOUR)
    assert run(app, sender).idle
    clock.move_to(START - 24 * HOUR)
    assert run(app, sender).sent == 1
    clock.move_to(START - HOUR)
    assert run(app, sender).sent == 1
    assert sent_templates(sender)[2:] == ["reminder_24h", "reminder_1h"]

    # The session ends at 11:00; the job completes it, but feedback waits its 2 hours.
    clock.move_to(START + HOUR)
    summary = run(app, sender)
    assert (summary.completed, summary.sent) == (1, 0)
    assert booking.get(app.uow(write=False), str(appointment.id)).status.value == "completed"
    clock.move_to(START + 3 * HOUR)
    assert run(app, sender).sent == 1
    assert sent_templates(sender)[-1] == "post_session_feedback"
    assert run(app, sender).idle
    assert {event.status for event in events(app)} == {"sent"}


def test_a_reminder_already_due_at_booking_time_is_not_created(app: App) -> None:
    book(app, NOW + 3 * HOUR)
    assert "reminder_24h" not in by_template(app)
    assert by_template(app)["reminder_1h"] == ["queued"]


def test_a_booking_within_the_hour_gets_no_reminder(app: App) -> None:
    book(app, NOW + HOUR)  # its 1-hour reminder would be due right now
    templates = by_template(app)
    assert "reminder_24h" not in templates and "reminder_1h" not in templates


def test_after_an_outage_the_customer_gets_one_reminder_not_two(
    app: App, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    book(app, START, notify=False)
    clock.move_to(START - HOUR / 2)  # the job did not run for two days
    summary = run(app, sender)
    assert (summary.sent, summary.skipped) == (1, 1)
    assert sent_templates(sender) == ["reminder_1h"]
    (stale,) = events(app, template="reminder_24h")
    assert stale.status == "canceled"
    assert stale.status_reason == "stale: the 1-hour reminder is due"


def test_no_reminder_goes_out_after_the_start(
    app: App, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    book(app, START, notify=False)
    clock.move_to(START + HOUR / 4)
    run(app, sender)
    assert "reminder_1h" not in sent_templates(sender)
    assert "reminder_24h" not in sent_templates(sender)
    assert by_template(app)["reminder_1h"] == ["canceled"]


def test_nothing_goes_to_a_canceled_appointment_but_the_cancellation(
    app: App, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    appointment = book(app, START)
    run(app, sender)
    booking.cancel(app.uow(), str(appointment.id), "Enfermedad")
    templates = by_template(app)
    assert templates["reminder_24h"] == ["canceled"]
    assert templates["reminder_1h"] == ["canceled"]
    assert templates["post_session_feedback"] == ["canceled"]
    assert templates["cancellation"] == ["queued"]
    assert run(app, sender).sent == 1
    clock.move_to(START + 5 * HOUR)
    assert run(app, sender).idle
    sent = sent_templates(sender)
    assert sorted(sent[:2]) == ["booking_confirmation", "welcome"]  # both due at booking
    assert sent[2:] == ["cancellation"]
    assert sender.sent[-1].ics_method == "CANCEL"


def test_reschedule_moves_the_reminders_and_queues_a_notice(
    app: App, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    appointment = book(app, START)
    run(app, sender)
    new_start = START + 24 * HOUR
    booking.reschedule(app.uow(), str(appointment.id), new_start)
    queued = {e.template: e.send_at for e in events(app, status="queued")}
    assert queued == {
        "reschedule": NOW,
        "reminder_24h": new_start - 24 * HOUR,
        "reminder_1h": new_start - HOUR,
        "post_session_feedback": new_start + 3 * HOUR,
    }
    canceled = [e for e in events(app, status="canceled")]
    assert sorted(e.template for e in canceled) == [
        "post_session_feedback",
        "reminder_1h",
        "reminder_24h",
    ]
    assert {e.status_reason for e in canceled} == {"appointment rescheduled"}
    run(app, sender)
    assert sent_templates(sender)[-1] == "reschedule"
    clock.move_to(START - HOUR)  # the old 1-hour reminder time: nothing
    assert run(app, sender).idle
    clock.move_to(START)  # the new 24-hour reminder time
    run(app, sender)
    clock.move_to(new_start - HOUR)
    run(app, sender)
    assert sent_templates(sender)[-2:] == ["reminder_24h", "reminder_1h"]


def test_a_pending_appointment_queues_nothing_until_confirmed(app: App) -> None:
    appointment = book(app, START, pending=True)
    assert by_template(app) == {}
    booking.confirm(app.uow(), str(appointment.id))
    assert sorted(by_template(app)) == [
        "booking_confirmation",
        "post_session_feedback",
        "reminder_1h",
        "reminder_24h",
        "welcome",
    ]


def test_canceling_a_pending_appointment_sends_no_cancellation(app: App) -> None:
    appointment = book(app, START, pending=True)
    booking.cancel(app.uow(), str(appointment.id))
    assert by_template(app) == {}


def test_no_email_suppresses_the_notice_but_reminders_follow_the_appointment(
    app: App,
) -> None:
    appointment = book(app, START, notify=False)
    assert sorted(by_template(app)) == ["post_session_feedback", "reminder_1h", "reminder_24h"]
    booking.reschedule(app.uow(), str(appointment.id), START + HOUR, notify=False)
    assert "reschedule" not in by_template(app)
    assert len(events(app, status="queued")) == 3
    booking.cancel(app.uow(), str(appointment.id), notify=False)
    assert "cancellation" not in by_template(app)
    assert events(app, status="queued") == []


def test_welcome_once_per_address_whatever_its_case(app: App) -> None:
    book(app, START, email="Ana@Example.com")
    book(app, START + 2 * HOUR, email="ana@example.com")
    assert len(events(app, template="welcome")) == 1
    assert len(events(app, template="booking_confirmation")) == 2


def test_a_welcome_canceled_before_it_went_out_is_queued_again_next_time(app: App) -> None:
    first = book(app, START)
    booking.cancel(app.uow(), str(first.id))
    book(app, START + 2 * HOUR)
    assert [e.status for e in events(app, template="welcome")] == ["canceled", "queued"]


def test_feedback_waits_while_auto_complete_is_off(
    isolated_env: object, db_url: str, sender: RecordingSender, clock: FrozenDateTimeFactory
) -> None:
    app = make_app(db_url, auto_complete=False)
    appointment = book(app, START, notify=False)
    clock.move_to(START + 4 * HOUR)
    summary = run(app, sender)
    assert (summary.completed, summary.sent) == (0, 0)
    (feedback,) = events(app, template="post_session_feedback")
    assert feedback.status == "queued"
    assert feedback.send_at == START + 5 * HOUR
    booking.complete(app.uow(), str(appointment.id))
    clock.move_to(START + 5 * HOUR)
    assert run(app, sender).sent == 1
    assert sent_templates(sender) == ["post_session_feedback"]
    app.close()
