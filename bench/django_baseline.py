"""Baseline for the "slots for 31 days" benchmark: django-appointment's slot computation.

Run with the isolated venv's interpreter (see bench/setup_baseline.sh), never the product's:

    bench/.venv-django/bin/python bench/django_baseline.py [--start YYYY-MM-DD] [--repeats 5]

Prints exactly one JSON line on stdout; everything else (including django-appointment's
own log output) goes to stderr so a harness can parse stdout directly.

Scenario, meant to match what bookctl's own engine is given:
  * one staff member, working hours Monday-Friday 09:00-17:00, 60-minute slots;
  * one service lasting 60 minutes;
  * 4 booked appointments on every weekday (09:00, 11:00, 13:00, 15:00), inside the
    31-day window and on enough weekdays before/after it to store --appointments rows
    in total, so the queries run against a realistically sized table;
  * slots are computed day by day for 31 consecutive days, the way django-appointment's
    own booking views call it. Expected: 10:00, 12:00, 14:00, 16:00 free on each weekday,
    nothing on weekends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time

# django-appointment attaches its loggers to sys.stdout when its modules are imported.
# Pointing sys.stdout at stderr before any import keeps stdout for our single JSON line.
_RESULT_OUT = sys.stdout
sys.stdout = sys.stderr

import django  # noqa: E402
from django.conf import settings  # noqa: E402

WORK_START = dt.time(9, 0)
WORK_END = dt.time(17, 0)
SLOT_MINUTES = 60
SERVICE_MINUTES = 60
# Back-to-back-free pattern: every other hour is booked, leaving 4 of the 8 slots open.
BOOKED_STARTS = (dt.time(9, 0), dt.time(11, 0), dt.time(13, 0), dt.time(15, 0))
EXPECTED_FREE = (dt.time(10, 0), dt.time(12, 0), dt.time(14, 0), dt.time(16, 0))


def configure_django() -> None:
    settings.configure(
        # DEBUG=False: with DEBUG on, Django records every SQL query in memory, which
        # would inflate the baseline's timings with bookkeeping no deployment pays for.
        DEBUG=False,
        SECRET_KEY="bench-only-not-secret",
        USE_TZ=True,
        TIME_ZONE="UTC",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",  # StaffMember/Appointment point at AUTH_USER_MODEL
            "appointment",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        # The wheel ships no migrations (its README has users run `makemigrations
        # appointment`). Declaring the app unmigrated and using --run-syncdb builds the
        # same tables, indexes and constraints without writing into site-packages.
        MIGRATION_MODULES={"appointment": None},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        # Mirrors the per-staff settings below, so no code path falls back to the
        # library defaults (30-minute slots, 09:00-18:30).
        APPOINTMENT_SLOT_DURATION=SLOT_MINUTES,
        APPOINTMENT_LEAD_TIME=(WORK_START.hour, WORK_START.minute),
        APPOINTMENT_FINISH_TIME=(WORK_END.hour, WORK_END.minute),
        APPOINTMENT_BUFFER_TIME=0,
    )
    django.setup()


def default_start(today: dt.date) -> dt.date:
    # The next Monday strictly after today: the window is in the future (the library hides
    # slots earlier than "now"), and always has the same shape: 31 days = 23 weekdays.
    return today + dt.timedelta(days=7 - today.weekday())


def weekdays_around(start: dt.date, days: int, total_days_needed: int) -> list[dt.date]:
    """Every weekday of the window, plus weekdays alternately before and after it."""
    window = [start + dt.timedelta(days=i) for i in range(days)]
    chosen = [d for d in window if d.weekday() < 5]
    before, after = start, window[-1]
    take_before = True
    while len(chosen) < total_days_needed:
        if take_before:
            before -= dt.timedelta(days=1)
            candidate = before
        else:
            after += dt.timedelta(days=1)
            candidate = after
        if candidate.weekday() < 5:
            chosen.append(candidate)
            take_before = not take_before
    return chosen


def build_fixture(start: dt.date, days: int, n_appointments: int):
    from appointment.models import (
        Appointment,
        AppointmentRequest,
        Config,
        Service,
        StaffMember,
        WorkingHours,
    )
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)

    # A live install has its singleton Config (created in the admin). Without one, the
    # library's get_config() caches None and re-queries on every call, which would make
    # the baseline look slower than it is in practice.
    Config.objects.create(
        slot_duration=SLOT_MINUTES,
        lead_time=WORK_START,
        finish_time=WORK_END,
        appointment_buffer_time=0,
        slot_gap_time=0,
    )

    user_model = get_user_model()
    # password=None -> unusable password: skips PBKDF2, which would only slow the setup.
    staff_user = user_model.objects.create_user(
        username="staff", email="staff@example.test", password=None, first_name="Sam"
    )
    client = user_model.objects.create_user(
        username="client", email="client@example.test", password=None
    )

    service = Service.objects.create(
        name="Consultation", duration=dt.timedelta(minutes=SERVICE_MINUTES), price=0
    )
    staff = StaffMember.objects.create(
        user=staff_user,
        slot_duration=SLOT_MINUTES,
        appointment_buffer_time=0,
        slot_gap_time=0,
    )
    staff.services_offered.add(service)
    # django-appointment numbers days 0=Sunday .. 6=Saturday; 1..5 is Monday-Friday.
    for day_of_week in range(1, 6):
        WorkingHours.objects.create(
            staff_member=staff, day_of_week=day_of_week, start_time=WORK_START, end_time=WORK_END
        )

    per_day = len(BOOKED_STARTS)
    dates = weekdays_around(start, days, -(-n_appointments // per_day))
    # bulk_create on purpose: AppointmentRequest.save() rejects past dates, but a real
    # database holds years of past bookings, and 10k one-by-one saves would take longer
    # than the benchmark itself. The rows are the same ones save() would write.
    requests = [
        AppointmentRequest(
            date=day,
            start_time=t,
            end_time=(dt.datetime.combine(day, t) + dt.timedelta(minutes=SERVICE_MINUTES)).time(),
            service=service,
            staff_member=staff,
            id_request=f"bench-{day.isoformat()}-{t.hour:02d}",
        )
        for day in dates
        for t in BOOKED_STARTS
    ]
    requests = AppointmentRequest.objects.bulk_create(requests, batch_size=2000)
    Appointment.objects.bulk_create(
        [
            Appointment(
                client=client, appointment_request=ar, amount_to_pay=0, id_request=ar.id_request
            )
            for ar in requests
        ],
        batch_size=2000,
    )
    return staff, service, Appointment.objects.count(), (min(dates), max(dates))


def compute_window(start: dt.date, days: int, staff, service) -> dict[dt.date, list[dt.datetime]]:
    """One pass over the window, called exactly as appointment.views does."""
    from appointment.services import get_available_slots_for_staff
    from appointment.utils.db_helpers import get_weekday_num_from_date

    result = {}
    for i in range(days):
        day = start + dt.timedelta(days=i)
        result[day] = get_available_slots_for_staff(
            day, staff, get_weekday_num_from_date(day), service=service
        )
    return result


def check_slots(slots_by_day: dict[dt.date, list[dt.datetime]]) -> tuple[int, int]:
    """Fail loudly unless every day shows exactly the slots the scenario implies."""
    expected_total = 0
    for day, slots in slots_by_day.items():
        expected = list(EXPECTED_FREE) if day.weekday() < 5 else []
        expected_total += len(expected)
        got = [s.time() for s in slots]
        if got != expected:
            raise SystemExit(
                f"slot check failed on {day} ({day:%A}): expected {expected}, got {got}"
            )
    return sum(len(s) for s in slots_by_day.values()), expected_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        default=None,
        help="first day of the window (default: next Monday)",
    )
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--appointments",
        type=int,
        default=10_000,
        help="appointments stored in total, inside and around the window",
    )
    args = parser.parse_args()

    configure_django()
    from importlib.metadata import version

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    today = timezone.localdate()
    start = args.start or default_start(today)
    if start <= today:
        # Slots earlier than "now" are hidden by the library, which would skew the count.
        parser.error(f"--start must be after today ({today})")

    t0 = time.perf_counter()
    staff, service, stored, (first, last) = build_fixture(start, args.days, args.appointments)
    setup_s = time.perf_counter() - t0

    # Untimed warm-up pass: first-call costs (query compilation, lazy imports) are not
    # what is being compared. It also yields the slot check and the query count.
    with CaptureQueriesContext(connection) as queries:
        slots_by_day = compute_window(start, args.days, staff, service)
    slots_found, slots_expected = check_slots(slots_by_day)

    runs = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        compute_window(start, args.days, staff, service)
        runs.append(time.perf_counter() - t)

    weekdays = sum(1 for d in slots_by_day if d.weekday() < 5)
    print(
        f"django-appointment {version('django-appointment')} / Django {django.get_version()}: "
        f"{stored} appointments stored ({first}..{last}), setup {setup_s:.2f}s; window "
        f"{start}..{start + dt.timedelta(days=args.days - 1)}: {weekdays} weekdays x "
        f"{len(EXPECTED_FREE)} free = {slots_found} slots (expected {slots_expected}); "
        f"{len(queries)} SQL queries per pass; runs {[round(r, 4) for r in runs]}",
        file=sys.stderr,
    )
    json.dump(
        {
            "baseline": "django-appointment",
            "version": version("django-appointment"),
            "days": args.days,
            "median_s": round(statistics.median(runs), 6),
            "slots_found": slots_found,
            "repeats": args.repeats,
            # Extra context so the comparison with bookctl can be checked, not just trusted.
            "slots_expected": slots_expected,
            "start": start.isoformat(),
            "appointments_stored": stored,
            "queries_per_pass": len(queries),
            "runs_s": [round(r, 6) for r in runs],
            "django": django.get_version(),
        },
        _RESULT_OUT,
    )
    _RESULT_OUT.write("\n")


if __name__ == "__main__":
    main()
