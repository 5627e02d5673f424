"""The slot engine across DST gaps and folds, 30-minute shifts and missing midnights.

Transition instants (checked against zoneinfo in test_transition_facts):
Europe/Madrid 2027-03-28 01:00Z (02:00 CET -> 03:00 CEST), 2027-10-31 01:00Z (03:00 -> 02:00);
America/New_York 2027-03-14 07:00Z (02:00 EST -> 03:00 EDT), 2027-11-07 06:00Z (02:00 -> 01:00);
Australia/Lord_Howe 2027-04-04 (first Sunday of April) 02:00 +11 -> 01:30 +10:30 at 15:00Z
the day before, 2027-10-03 (first Sunday of October) 02:00 +10:30 -> 02:30 +11 at 15:30Z.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookctl.domain.slots import (
    Interval,
    ServiceSpec,
    WeeklyRule,
    compute_slots,
    day_start,
    is_bookable,
    local_span,
    open_windows,
)

MADRID = "Europe/Madrid"
NEW_YORK = "America/New_York"
LORD_HOWE = "Australia/Lord_Howe"
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def service(duration: int, interval: int | None = None) -> ServiceSpec:
    return ServiceSpec(
        duration=timedelta(minutes=duration),
        buffer_before=timedelta(0),
        buffer_after=timedelta(0),
        interval=timedelta(minutes=duration if interval is None else interval),
        min_notice=timedelta(0),
        max_advance=timedelta(days=3650),
    )


def slots_on(
    day: date, start: time, end: time | None, tz: str, spec: ServiceSpec
) -> list[Interval]:
    """Slots of one rule for `day`, asked over the whole local date."""
    rule = WeeklyRule(day.weekday(), start, end, tz)
    slots = compute_slots(
        spec, [rule], [], [], NOW, day_start(day, tz), day_start(day + timedelta(days=1), tz)
    )
    for slot in slots:
        assert slot.end - slot.start == spec.duration  # real elapsed time
    assert len({s.start for s in slots}) == len(slots)
    return slots


def walls(slots: list[Interval], tz: str) -> list[str]:
    zone = ZoneInfo(tz)
    return [s.start.astimezone(zone).isoformat(timespec="minutes") for s in slots]


def test_transition_facts() -> None:
    def offset(tz: str, instant: datetime) -> timedelta | None:
        return instant.astimezone(ZoneInfo(tz)).utcoffset()

    second = timedelta(seconds=1)
    for tz, instant, before, after in [
        (MADRID, utc(2027, 3, 28, 1), 1, 2),
        (MADRID, utc(2027, 10, 31, 1), 2, 1),
        (NEW_YORK, utc(2027, 3, 14, 7), -5, -4),
        (NEW_YORK, utc(2027, 11, 7, 6), -4, -5),
        (LORD_HOWE, utc(2027, 4, 3, 15), 11, 10.5),
        (LORD_HOWE, utc(2027, 10, 2, 15, 30), 10.5, 11),
    ]:
        assert offset(tz, instant - second) == timedelta(hours=before)
        assert offset(tz, instant) == timedelta(hours=after)
    assert date(2027, 4, 4).weekday() == date(2027, 10, 3).weekday() == 6


# -- Europe/Madrid --------------------------------------------------------------------------


def test_madrid_spring_gap_opens_nothing() -> None:
    slots = slots_on(date(2027, 3, 28), time(1), time(4), MADRID, service(60))
    assert [s.start for s in slots] == [utc(2027, 3, 28, 0), utc(2027, 3, 28, 1)]
    assert walls(slots, MADRID) == ["2027-03-28T01:00+01:00", "2027-03-28T03:00+02:00"]


def test_madrid_spring_window_is_two_real_hours() -> None:
    day = date(2027, 3, 28)
    assert local_span(day, time(1), time(4), MADRID) == [
        Interval(utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))
    ]
    assert local_span(day, time(2), time(3), MADRID) == []
    assert local_span(day, time(2, 30), time(4), MADRID) == [
        Interval(utc(2027, 3, 28, 1), utc(2027, 3, 28, 2))
    ]


def test_madrid_session_across_the_gap_lasts_its_real_duration() -> None:
    slots = slots_on(date(2027, 3, 28), time(1), time(4), MADRID, service(90, interval=60))
    assert slots == [Interval(utc(2027, 3, 28, 0), utc(2027, 3, 28, 1, 30))]
    assert walls(slots, MADRID) == ["2027-03-28T01:00+01:00"]
    assert slots[0].end.astimezone(ZoneInfo(MADRID)).time() == time(3, 30)


def test_madrid_autumn_fold_repeats_the_hour() -> None:
    slots = slots_on(date(2027, 10, 31), time(1), time(4), MADRID, service(60))
    assert [s.start for s in slots] == [
        utc(2027, 10, 30, 23),
        utc(2027, 10, 31, 0),
        utc(2027, 10, 31, 1),
        utc(2027, 10, 31, 2),
    ]
    assert walls(slots, MADRID) == [
        "2027-10-31T01:00+02:00",
        "2027-10-31T02:00+02:00",
        "2027-10-31T02:00+01:00",
        "2027-10-31T03:00+01:00",
    ]


def test_madrid_rule_inside_the_fold_gives_two_windows() -> None:
    day = date(2027, 10, 31)
    windows = [
        Interval(utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 1)),
        Interval(utc(2027, 10, 31, 1, 30), utc(2027, 10, 31, 3)),
    ]
    assert local_span(day, time(2, 30), time(4), MADRID) == windows
    rule = WeeklyRule(6, time(2, 30), time(4), MADRID)
    assert open_windows([rule], [], utc(2027, 10, 30, 12), utc(2027, 10, 31, 12)) == windows
    slots = slots_on(day, time(2, 30), time(4), MADRID, service(30))
    assert walls(slots, MADRID) == [
        "2027-10-31T02:30+02:00",
        "2027-10-31T02:30+01:00",
        "2027-10-31T03:00+01:00",
        "2027-10-31T03:30+01:00",
    ]


def test_madrid_full_days_last_23_and_25_hours() -> None:
    spring, autumn = date(2027, 3, 28), date(2027, 10, 31)
    assert local_span(spring, time(0), None, MADRID) == [
        Interval(utc(2027, 3, 27, 23), utc(2027, 3, 28, 22))
    ]
    assert local_span(autumn, time(0), None, MADRID) == [
        Interval(utc(2027, 10, 30, 22), utc(2027, 10, 31, 23))
    ]
    assert len(slots_on(spring, time(0), None, MADRID, service(60))) == 23
    assert len(slots_on(autumn, time(0), None, MADRID, service(60))) == 25


def test_madrid_grid_is_real_time_after_the_gap() -> None:
    # From 01:30 on a 45-minute grid: 01:30 CET, then 45 real minutes later is 03:15 CEST.
    slots = slots_on(date(2027, 3, 28), time(1, 30), time(5), MADRID, service(45))
    assert walls(slots, MADRID) == [
        "2027-03-28T01:30+01:00",
        "2027-03-28T03:15+02:00",
        "2027-03-28T04:00+02:00",
    ]


def test_is_bookable_on_both_instances_of_the_repeated_hour() -> None:
    rule = WeeklyRule(6, time(1), time(4), MADRID)
    first, second = utc(2027, 10, 31, 0), utc(2027, 10, 31, 1)
    assert first.astimezone(ZoneInfo(MADRID)).time() == second.astimezone(ZoneInfo(MADRID)).time()
    assert is_bookable(service(60), [rule], [], [], NOW, first)
    assert is_bookable(service(60), [rule], [], [], NOW, second)
    assert not is_bookable(service(60), [rule], [], [], NOW, utc(2027, 10, 31, 0, 30))


# -- America/New_York -----------------------------------------------------------------------


def test_new_york_spring_gap() -> None:
    slots = slots_on(date(2027, 3, 14), time(1), time(4), NEW_YORK, service(60))
    assert [s.start for s in slots] == [utc(2027, 3, 14, 6), utc(2027, 3, 14, 7)]
    assert walls(slots, NEW_YORK) == ["2027-03-14T01:00-05:00", "2027-03-14T03:00-04:00"]


def test_new_york_autumn_fold() -> None:
    slots = slots_on(date(2027, 11, 7), time(0), time(3), NEW_YORK, service(60))
    assert [s.start for s in slots] == [
        utc(2027, 11, 7, 4),
        utc(2027, 11, 7, 5),
        utc(2027, 11, 7, 6),
        utc(2027, 11, 7, 7),
    ]
    assert walls(slots, NEW_YORK) == [
        "2027-11-07T00:00-04:00",
        "2027-11-07T01:00-04:00",
        "2027-11-07T01:00-05:00",
        "2027-11-07T02:00-05:00",
    ]


# -- Australia/Lord_Howe (30-minute shift) ------------------------------------------------


def test_lord_howe_autumn_fold_repeats_half_an_hour() -> None:
    day = date(2027, 4, 4)
    assert local_span(day, time(1), time(3), LORD_HOWE) == [
        Interval(utc(2027, 4, 3, 14), utc(2027, 4, 3, 16, 30))
    ]
    slots = slots_on(day, time(1), time(3), LORD_HOWE, service(30))
    assert walls(slots, LORD_HOWE) == [
        "2027-04-04T01:00+11:00",
        "2027-04-04T01:30+11:00",
        "2027-04-04T01:30+10:30",
        "2027-04-04T02:00+10:30",
        "2027-04-04T02:30+10:30",
    ]


def test_lord_howe_spring_gap_skips_half_an_hour() -> None:
    day = date(2027, 10, 3)
    assert local_span(day, time(1), time(3), LORD_HOWE) == [
        Interval(utc(2027, 10, 2, 14, 30), utc(2027, 10, 2, 16))
    ]
    assert local_span(day, time(2), time(2, 30), LORD_HOWE) == []
    slots = slots_on(day, time(1), time(3), LORD_HOWE, service(30))
    assert walls(slots, LORD_HOWE) == [
        "2027-10-03T01:00+10:30",
        "2027-10-03T01:30+10:30",
        "2027-10-03T02:30+11:00",
    ]


# -- first instant of a date --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        (date(2027, 1, 4), MADRID, utc(2027, 1, 3, 23)),
        (date(2027, 7, 5), MADRID, utc(2027, 7, 4, 22)),
        (date(2027, 1, 4), "Asia/Kolkata", utc(2027, 1, 3, 18, 30)),
        # Local midnight does not exist: the date begins at the transition.
        (date(2018, 11, 4), "America/Sao_Paulo", utc(2018, 11, 4, 3)),
        (date(2027, 9, 5), "America/Santiago", utc(2027, 9, 5, 4)),
        (date(2027, 3, 14), "America/Havana", utc(2027, 3, 14, 5)),
        # Samoa skipped 2011-12-30 entirely; its first instant is that of 2011-12-31.
        (date(2011, 12, 30), "Pacific/Apia", utc(2011, 12, 30, 10)),
        (date(2011, 12, 31), "Pacific/Apia", utc(2011, 12, 30, 10)),
    ],
)
def test_day_start(day: date, tz: str, expected: datetime) -> None:
    assert day_start(day, tz) == expected
    assert day_start(day, tz).tzinfo is UTC


def test_midnight_gap_day_opens_from_the_transition() -> None:
    day = date(2018, 11, 4)
    assert local_span(day, time(0), time(2), "America/Sao_Paulo") == [
        Interval(utc(2018, 11, 4, 3), utc(2018, 11, 4, 4))
    ]


def test_a_skipped_date_opens_nothing() -> None:
    assert local_span(date(2011, 12, 30), time(0), None, "Pacific/Apia") == []
    friday = WeeklyRule(4, time(9), time(17), "Pacific/Apia")  # 2011-12-30 was a Friday
    assert open_windows([friday], [], utc(2011, 12, 29, 0), utc(2012, 1, 5, 0)) == []
    assert open_windows([friday], [], utc(2011, 12, 22, 0), utc(2011, 12, 24, 0)) == [
        Interval(utc(2011, 12, 23, 19), utc(2011, 12, 24, 3))  # 09:00-17:00 at -10
    ]


# -- viewers in another zone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kolkata"),
    [(date(2027, 1, 4), "14:30"), (date(2027, 7, 5), "13:30")],
    ids=["winter", "summer"],
)
def test_kolkata_viewer_sees_madrid_slots_in_local_time(day: date, kolkata: str) -> None:
    slots = slots_on(day, time(10), time(11), MADRID, service(60))
    assert len(slots) == 1
    assert slots[0].start.astimezone(ZoneInfo(MADRID)).strftime("%H:%M") == "10:00"
    assert slots[0].start.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%H:%M") == kolkata


def test_viewer_range_in_another_zone_selects_by_instant() -> None:
    # Kolkata's 2027-10-31 runs 2027-10-30 18:30Z to 2027-10-31 18:30Z, so the Madrid fold
    # hours all fall inside it.
    rule = WeeklyRule(6, time(1), time(4), MADRID)
    kolkata_day = date(2027, 10, 31)
    slots = compute_slots(
        service(60),
        [rule],
        [],
        [],
        NOW,
        day_start(kolkata_day, "Asia/Kolkata"),
        day_start(kolkata_day + timedelta(days=1), "Asia/Kolkata"),
    )
    assert walls(slots, "Asia/Kolkata") == [
        "2027-10-31T04:30+05:30",
        "2027-10-31T05:30+05:30",
        "2027-10-31T06:30+05:30",
        "2027-10-31T07:30+05:30",
    ]
