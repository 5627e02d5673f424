"""Availability and the appointment lifecycle through the CLI, on SQLite and PostgreSQL.

The clock is frozen at Monday 2027-03-01 08:00 UTC (09:00 in Madrid).
"""

from __future__ import annotations

import pytest
from freezegun import freeze_time

NOW = "2027-03-01T08:00:00Z"


@pytest.fixture
def shop(cli):
    """A 60-minute service and Monday–Friday 09:00–13:00 Madrid hours."""
    with freeze_time(NOW):
        assert (
            cli("services", "add", "consulta", "--name", "Consulta", "--duration", "60").exit_code
            == 0
        )
        for day in range(5):
            assert (
                cli(
                    "rules", "add", "--weekday", str(day), "--start", "09:00", "--end", "13:00"
                ).exit_code
                == 0
            )
        yield cli


def book(cli, start: str, *extra: str, email: str = "ana@example.com"):
    return cli(
        "appointments",
        "book",
        "consulta",
        "--start",
        start,
        "--name",
        "Ana García",
        "--email",
        email,
        *extra,
    )


def test_availability_json_in_business_and_viewer_zone(shop) -> None:
    result = shop("availability", "consulta", "--date", "2027-03-02", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "service_id": "consulta",
        "timezone": "Europe/Madrid",
        "slots": [
            {
                "start": f"2027-03-02T{h:02d}:00:00+01:00",
                "end": f"2027-03-02T{h + 1:02d}:00:00+01:00",
            }
            for h in range(9, 13)
        ],
    }
    kolkata = shop(
        "availability", "consulta", "--date", "2027-03-02", "--tz", "Asia/Kolkata", "--json"
    ).json()
    # 09:00 Madrid (UTC+1) is 13:30 in Kolkata (UTC+5:30); only slots starting on the 2nd there.
    assert [slot["start"] for slot in kolkata["slots"]] == [
        "2027-03-02T13:30:00+05:30",
        "2027-03-02T14:30:00+05:30",
        "2027-03-02T15:30:00+05:30",
        "2027-03-02T16:30:00+05:30",
    ]
    plain = shop("availability", "consulta", "--date", "2027-03-02")
    assert plain.stdout.splitlines()[0] == "2027-03-02T09:00:00+01:00\t2027-03-02T10:00:00+01:00"


def test_availability_today_respects_notice(shop) -> None:
    # At 09:00 Madrid with 60 minutes' notice, 09:00 is gone and 10:00 is the first slot.
    slots = shop("availability", "consulta", "--date", "2027-03-01", "--json").json()["slots"]
    assert [s["start"][11:16] for s in slots] == ["10:00", "11:00", "12:00"]


def test_book_then_slot_disappears_and_double_booking_exits_4(shop) -> None:
    result = book(shop, "2027-03-02T10:00", "--lang", "es", "--order-id", "ORD-1", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert {
        k: data[k]
        for k in (
            "status",
            "service_id",
            "customer_name",
            "customer_email",
            "scheduled_start",
            "scheduled_end",
            "timezone",
            "order_id",
            "language",
        )
    } == {
        "status": "confirmed",
        "service_id": "consulta",
        "customer_name": "Ana García",
        "customer_email": "ana@example.com",
        "scheduled_start": "2027-03-02T09:00:00+00:00",
        "scheduled_end": "2027-03-02T10:00:00+00:00",
        "timezone": "Europe/Madrid",
        "order_id": "ORD-1",
        "language": "es",
    }
    assert data["created_at"] == "2027-03-01T08:00:00+00:00"
    starts = [
        s["start"][11:16]
        for s in shop("availability", "consulta", "--date", "2027-03-02", "--json").json()["slots"]
    ]
    assert starts == ["09:00", "11:00", "12:00"]

    again = book(shop, "2027-03-02T10:00", email="bob@example.com")
    assert again.exit_code == 4
    assert again.stdout == ""
    assert (
        again.stderr
        == "error: 2027-03-02T09:00:00+00:00 is already booked (or too close to a booking)\n"
    )
    assert len(shop("appointments", "list", "--json").json()) == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2027-03-02T10:30", "2027-03-02T09:30:00+00:00 is not an available slot"),
        ("2027-03-06T10:00", "2027-03-06T09:00:00+00:00 is not an available slot"),  # Saturday
        (
            "2027-03-01T09:30",
            "2027-03-01T08:30:00+00:00 is too soon: bookings need 60 minutes' notice",
        ),
        (
            "2027-06-01T10:00",
            "2027-06-01T08:00:00+00:00 is too far ahead: bookings open 60 days ahead",
        ),
    ],
)
def test_unavailable_times_exit_4(shop, start, message) -> None:
    result = book(shop, start)
    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: {message}")
    assert shop("appointments", "list", "--json").json() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email"], "invalid email 'not-an-email'"),
        (["--email", "a" * 250 + "@example.com"], "invalid email: longer than 254 characters"),
        (["--name", "Ana\nBcc: x@y"], "name must not contain control characters or line breaks"),
        (["--name", "x" * 201], "name is longer than 200 characters"),
        (["--name", "   "], "name must not be empty"),
        (["--tz", "Europe/Atlantis"], "unknown time zone 'Europe/Atlantis'"),
        (["--lang", "fr"], "invalid language 'fr': expected es or en"),
    ],
)
def test_bad_booking_input_exits_2_and_writes_nothing(shop, args, message) -> None:
    base = {"--start": "2027-03-02T10:00", "--name": "Ana", "--email": "ana@example.com"}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    merged = [item for pair in {**base, **extra}.items() for item in pair]
    result = shop("appointments", "book", "consulta", *merged)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert shop("appointments", "list", "--json").json() == []


def test_dst_gap_and_fold_local_times_are_refused(shop) -> None:
    gap = book(shop, "2027-03-28T02:30")
    assert (gap.exit_code, gap.stderr) == (
        2,
        "error: 2027-03-28 02:30 does not exist in Europe/Madrid (the clocks skip it)\n",
    )
    fold = book(shop, "2027-10-31T02:30", "--json")
    assert fold.exit_code == 2
    assert fold.stderr.startswith('{"error": {"code": "ambiguous_time", ')


def test_force_books_outside_hours_but_never_over_an_appointment(shop) -> None:
    saturday = book(shop, "2027-03-06T18:00", "--force", "--json")
    assert saturday.exit_code == 0, saturday.stderr
    assert saturday.json()["scheduled_start"] == "2027-03-06T17:00:00+00:00"
    over = book(shop, "2027-03-06T18:30", "--force", email="bob@example.com")
    assert over.exit_code == 4
    assert "already booked" in over.stderr


def test_pending_confirm_complete_and_invalid_transitions(shop) -> None:
    created = book(shop, "2027-03-01T10:00", "--pending", "--json").json()
    assert created["status"] == "pending"
    ident = created["id"]
    assert shop("appointments", "complete", ident).stderr == (
        "error: cannot change an appointment that is pending to completed\n"
    )
    confirmed = shop("appointments", "confirm", ident[:8], "--json")
    assert (confirmed.exit_code, confirmed.json()["status"]) == (0, "confirmed")
    twice = shop("appointments", "confirm", ident)
    assert (twice.exit_code, twice.stderr) == (
        4,
        "error: cannot change an appointment that is confirmed to confirmed\n",
    )
    early = shop("appointments", "complete", ident)
    assert early.exit_code == 4
    assert "has not started" in early.stderr
    with freeze_time("2027-03-01T10:00:00Z"):
        done = shop("appointments", "complete", ident, "--json")
    assert (done.exit_code, done.json()["status"]) == (0, "completed")
    cancel = shop("appointments", "cancel", ident)
    assert (cancel.exit_code, cancel.stderr) == (
        4,
        "error: cannot change an appointment that is completed to canceled\n",
    )


def test_cancel_frees_the_slot(shop) -> None:
    ident = book(shop, "2027-03-02T10:00", "--json").json()["id"]
    canceled = shop("appointments", "cancel", ident, "--reason", "Enfermedad", "--json").json()
    assert (canceled["status"], canceled["cancel_reason"], canceled["canceled_at"]) == (
        "canceled",
        "Enfermedad",
        "2027-03-01T08:00:00+00:00",
    )
    assert book(shop, "2027-03-02T10:00", email="bob@example.com").exit_code == 0
    again = shop("appointments", "cancel", ident)
    assert (again.exit_code, again.stderr) == (
        4,
        "error: cannot change an appointment that is canceled to canceled\n",
    )


def test_reschedule_keeps_id_and_frees_old_slot(shop) -> None:
    ident = book(shop, "2027-03-02T10:00", "--json").json()["id"]
    other = book(shop, "2027-03-02T12:00", "--json", email="bob@example.com").json()["id"]
    onto_other = shop("appointments", "reschedule", ident, "--start", "2027-03-02T12:00")
    assert onto_other.exit_code == 4
    moved = shop("appointments", "reschedule", ident, "--start", "2027-03-03T11:00", "--json")
    assert moved.exit_code == 0, moved.stderr
    assert (moved.json()["id"], moved.json()["scheduled_start"]) == (
        ident,
        "2027-03-03T10:00:00+00:00",
    )
    starts = [
        s["start"][11:16]
        for s in shop("availability", "consulta", "--date", "2027-03-02", "--json").json()["slots"]
    ]
    assert starts == ["09:00", "10:00", "11:00"]
    # Moving within its own buffered range is allowed (it does not collide with itself).
    assert shop("appointments", "reschedule", other, "--start", "2027-03-02T11:00").exit_code == 0


def test_list_filters_and_prefixes(shop) -> None:
    a = book(shop, "2027-03-02T10:00", "--json").json()
    b = book(shop, "2027-03-03T10:00", "--pending", "--json", email="Bob@Example.com").json()
    with freeze_time("2027-03-01T09:30:00Z"):
        shop(
            "appointments",
            "book",
            "consulta",
            "--start",
            "2027-03-01T12:00",
            "--name",
            "C",
            "--email",
            "c@example.com",
        )
    shop("appointments", "cancel", a["id"])

    def ids(*args: str) -> list[str]:
        result = shop("appointments", "list", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [item["id"] for item in result.json()]

    everything = ids()
    assert len(everything) == 3 and everything[1:] == [a["id"], b["id"]]
    assert ids("--status", "pending") == [b["id"]]
    assert ids("--email", "bob@example.COM") == [b["id"]]
    assert ids("--from", "2027-03-02", "--to", "2027-03-02") == [a["id"]]
    assert ids("--from", "2027-03-03") == [b["id"]]
    assert ids("--service", "other") == []
    with freeze_time("2027-03-03T12:00:00Z"):
        assert ids() == [b["id"]]  # from today on by default
    bad = shop("appointments", "list", "--status", "done")
    assert (bad.exit_code, bad.stderr) == (
        2,
        "error: invalid status 'done': expected one of pending, confirmed, completed, canceled\n",
    )
    backwards = shop("appointments", "list", "--from", "2027-03-05", "--to", "2027-03-01")
    assert (backwards.exit_code, backwards.stderr) == (2, "error: --to must not be before --from\n")
    unknown = shop("appointments", "show", "ffffffff")
    assert (unknown.exit_code, unknown.stderr) == (3, "error: no appointment with id ffffffff\n")
    assert shop("appointments", "show", "zz-not-hex").exit_code == 3


def test_ambiguous_prefix_is_a_usage_error_listing_matches(shop) -> None:
    # 17 ids over 16 possible first hex digits: at least two share a one-digit prefix.
    starts = [f"2027-03-0{d}T{h:02d}:00" for d in (2, 3, 4, 5) for h in (9, 10, 11, 12)] + [
        "2027-03-01T12:00"
    ]
    made = [book(shop, start, "--json").json()["id"] for start in starts[:17]]
    by_first: dict[str, list[str]] = {}
    for ident in made:
        by_first.setdefault(ident[0], []).append(ident)
    prefix, group = next((k, v) for k, v in by_first.items() if len(v) > 1)
    result = shop("appointments", "show", prefix)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: id prefix '{prefix}' matches several appointments: ")
    for ident in group[:5]:
        assert ident in result.stderr
