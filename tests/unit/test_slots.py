"""The slot engine on ordinary days: grid, buffers, horizon, overrides, merging."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookctl.domain.slots import (
    DateOverride,
    Interval,
    ServiceSpec,
    WeeklyRule,
    compute_slots,
    is_bookable,
    local_span,
    merge,
    open_windows,
)

MONDAY = date(2027, 1, 4)
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def service(
    duration: int = 60,
    interval: int | None = None,
    before: int = 0,
    after: int = 0,
    notice: int = 0,
    advance: int = 60 * 24 * 365,
) -> ServiceSpec:
    return ServiceSpec(
        duration=minutes(duration),
        buffer_before=minutes(before),
        buffer_after=minutes(after),
        interval=minutes(duration if interval is None else interval),
        min_notice=minutes(notice),
        max_advance=minutes(advance),
    )


def rule(start: str, end: str | None, weekday: int = 0, tz: str = "UTC") -> WeeklyRule:
    return WeeklyRule(
        weekday, time.fromisoformat(start), None if end is None else time.fromisoformat(end), tz
    )


def starts(
    spec: ServiceSpec,
    rules: list[WeeklyRule],
    overrides: list[DateOverride] | None = None,
    busy: list[Interval] | None = None,
    now: datetime = NOW,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[datetime]:
    slots = compute_slots(
        spec,
        rules,
        overrides or [],
        busy or [],
        now,
        at(0) if start is None else start,
        at(0) + timedelta(days=1) if end is None else end,
    )
    assert all(s.end - s.start == spec.duration for s in slots)
    return [s.start for s in slots]


def block(h1: int, m1: int, h2: int, m2: int, day: date = MONDAY) -> Interval:
    return Interval(at(h1, m1, day), at(h2, m2, day))


# -- grid ---------------------------------------------------------------------------------


def test_basic_grid_fills_the_window() -> None:
    assert starts(service(60), [rule("09:00", "12:00")]) == [at(9), at(10), at(11)]


def test_no_slots_on_other_weekdays() -> None:
    tuesday = MONDAY + timedelta(days=1)
    assert starts(service(60), [rule("09:00", "12:00")], start=at(0, day=tuesday)) == []


def test_interval_shorter_than_duration_overlaps_sessions() -> None:
    assert starts(service(45, interval=30), [rule("09:00", "12:00")]) == [
        at(9),
        at(9, 30),
        at(10),
        at(10, 30),
        at(11),
    ]


def test_interval_longer_than_duration_leaves_gaps() -> None:
    assert starts(service(30, interval=45), [rule("09:00", "12:00")]) == [
        at(9),
        at(9, 45),
        at(10, 30),
        at(11, 15),
    ]


def test_slots_are_returned_in_utc_with_the_session_length() -> None:
    slots = compute_slots(service(30), [rule("09:00", "10:00")], [], [], NOW, at(0), at(23))
    assert slots == [Interval(at(9), at(9, 30)), Interval(at(9, 30), at(10))]
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in slots)


# -- busy time and buffers ------------------------------------------------------------------


def test_busy_block_removes_overlapping_sessions_but_touching_is_fine() -> None:
    spec = service(30)
    assert starts(spec, [rule("09:00", "12:00")], busy=[block(10, 0, 10, 30)]) == [
        at(9),
        at(9, 30),
        at(10, 30),
        at(11),
        at(11, 30),
    ]


def test_buffer_after_that_would_hit_a_block_drops_the_candidate() -> None:
    spec = service(30, after=15)
    assert starts(spec, [rule("09:00", "12:00")], busy=[block(10, 0, 10, 30)]) == [
        at(9),
        at(10, 30),
        at(11),
        at(11, 30),
    ]


def test_buffer_before_that_would_hit_a_block_drops_the_candidate() -> None:
    spec = service(30, before=15)
    assert starts(spec, [rule("09:00", "12:00")], busy=[block(10, 0, 10, 30)]) == [
        at(9),
        at(9, 30),
        at(11),
        at(11, 30),
    ]


def test_buffers_stack_with_the_appointments_own_buffers() -> None:
    # An appointment 10:00-11:00 with 15-minute buffers arrives widened to 09:45-11:15;
    # the candidate's own 15-minute buffers widen the distance further.
    appointment = block(9, 45, 11, 15)
    spec = service(60, interval=15, before=15, after=15)
    assert starts(spec, [rule("08:00", "13:00")], busy=[appointment]) == [
        at(8),
        at(8, 15),
        at(8, 30),
        at(11, 30),
        at(11, 45),
        at(12),
    ]


def test_buffers_may_reach_past_the_window_but_the_session_may_not() -> None:
    window = [rule("09:00", "10:00")]
    assert starts(service(60, before=30, after=30), window) == [at(9)]
    assert starts(service(90), window) == []


def test_a_buffer_outside_the_window_still_respects_busy_time() -> None:
    outside = block(10, 15, 10, 45)
    assert starts(service(60, after=30), [rule("09:00", "10:00")], busy=[outside]) == []
    assert starts(service(60, after=15), [rule("09:00", "10:00")], busy=[outside]) == [at(9)]


def test_busy_may_be_unsorted_and_overlapping() -> None:
    busy = [block(11, 0, 11, 30), block(9, 15, 9, 45), block(9, 30, 10, 0), block(9, 0, 9, 15)]
    assert starts(service(30), [rule("09:00", "12:00")], busy=busy) == [
        at(10),
        at(10, 30),
        at(11, 30),
    ]


def test_busy_in_another_zone_is_compared_as_instants() -> None:
    from zoneinfo import ZoneInfo

    madrid = ZoneInfo("Europe/Madrid")
    # 11:00-12:00 in Madrid in January is 10:00-11:00 UTC.
    busy = [
        Interval(datetime(2027, 1, 4, 11, tzinfo=madrid), datetime(2027, 1, 4, 12, tzinfo=madrid))
    ]
    assert starts(service(60), [rule("09:00", "12:00")], busy=busy) == [at(9), at(11)]


# -- horizon ---------------------------------------------------------------------------------


def test_min_notice_drops_starts_too_soon() -> None:
    spec = service(30, notice=60)
    assert starts(spec, [rule("09:00", "11:00")], now=at(8, 50)) == [at(10), at(10, 30)]


def test_min_notice_boundary_is_inclusive() -> None:
    spec = service(30, notice=60)
    assert starts(spec, [rule("09:00", "11:00")], now=at(9)) == [at(10), at(10, 30)]


def test_max_advance_bounds_the_last_start_inclusively() -> None:
    spec = service(30, advance=180)
    assert starts(spec, [rule("09:00", "12:00")], now=at(7)) == [at(9), at(9, 30), at(10)]


def test_sessions_in_the_past_are_never_offered() -> None:
    assert starts(service(60), [rule("09:00", "12:00")], now=at(10, 1)) == [at(11)]


# -- overrides --------------------------------------------------------------------------------


def test_override_replaces_the_weekly_hours_on_its_date_only() -> None:
    override = DateOverride(MONDAY, time(13), time(15), "UTC")
    next_monday = MONDAY + timedelta(days=7)
    slots = starts(
        service(60), [rule("09:00", "12:00")], [override], end=at(0, day=next_monday + timedelta(1))
    )
    assert slots == [
        at(13),
        at(14),
        at(9, day=next_monday),
        at(10, day=next_monday),
        at(11, day=next_monday),
    ]


def test_several_overrides_on_one_date_give_several_windows() -> None:
    overrides = [
        DateOverride(MONDAY, time(8), time(9), "UTC"),
        DateOverride(MONDAY, time(16), None, "UTC"),
    ]
    assert open_windows([rule("09:00", "12:00")], overrides, at(0), at(23, 59)) == [
        Interval(at(8), at(9)),
        Interval(at(16), at(0, day=MONDAY + timedelta(days=1))),
    ]


def test_closed_override_removes_the_date() -> None:
    closed = DateOverride(MONDAY, None, None, "UTC")
    assert starts(service(60), [rule("09:00", "12:00")], [closed]) == []


def test_closed_override_keeps_other_dates() -> None:
    closed = DateOverride(MONDAY, None, None, "UTC")
    tuesday = MONDAY + timedelta(days=1)
    rules = [rule("09:00", "10:00", weekday=0), rule("09:00", "10:00", weekday=1)]
    assert starts(service(60), rules, [closed], end=at(23, day=tuesday)) == [at(9, day=tuesday)]


def test_override_suppresses_rules_by_calendar_date_in_any_zone() -> None:
    # The override is written in UTC, the rule in Madrid: both name 2027-01-04.
    override = DateOverride(MONDAY, time(15), time(16), "UTC")
    madrid_rule = rule("09:00", "12:00", tz="Europe/Madrid")
    assert starts(service(60), [madrid_rule], [override]) == [at(15)]


def test_override_with_an_end_but_no_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="no start"):
        starts(service(60), [], [DateOverride(MONDAY, None, time(12), "UTC")])


# -- several rules and merging -------------------------------------------------------------


def test_several_rules_on_one_day_give_several_windows() -> None:
    rules = [rule("14:00", "15:00"), rule("09:00", "10:00")]
    assert starts(service(60), rules) == [at(9), at(14)]


def test_overlapping_rules_merge_into_one_window_with_one_grid() -> None:
    rules = [rule("09:00", "11:00"), rule("10:00", "12:00")]
    assert open_windows(rules, [], at(0), at(23)) == [Interval(at(9), at(12))]
    assert starts(service(60, interval=45), rules) == [at(9), at(9, 45), at(10, 30)]


def test_touching_rules_merge_so_a_session_may_span_both() -> None:
    rules = [rule("09:00", "10:00"), rule("10:00", "11:00")]
    assert starts(service(60, interval=30), rules) == [at(9), at(9, 30), at(10)]


def test_rules_in_different_zones_combine() -> None:
    rules = [
        rule("09:00", "10:00", tz="Europe/Madrid"),
        rule("09:00", "10:00", tz="America/New_York"),
    ]
    assert starts(service(60), rules) == [at(8), at(14)]


def test_windows_merge_across_midnight() -> None:
    rules = [rule("22:00", None, weekday=0), rule("00:00", "02:00", weekday=1)]
    tuesday = MONDAY + timedelta(days=1)
    assert open_windows(rules, [], at(0), at(0, day=tuesday + timedelta(1))) == [
        Interval(at(22), at(2, day=tuesday))
    ]
    assert starts(service(90, interval=45), rules, end=at(0, day=tuesday + timedelta(1))) == [
        at(22),
        at(22, 45),
        at(23, 30),
        at(0, 15, day=tuesday),
    ]


# -- ranges ---------------------------------------------------------------------------------


def test_range_keeps_the_grid_anchored_at_the_window_start() -> None:
    spec = service(30, interval=45)
    assert starts(spec, [rule("09:00", "12:00")], start=at(10), end=at(11, 30)) == [
        at(10, 30),
        at(11, 15),
    ]


def test_range_filters_on_the_start_only() -> None:
    spec = service(60)
    assert starts(spec, [rule("09:00", "12:00")], start=at(9, 1), end=at(11)) == [at(10)]
    assert starts(spec, [rule("09:00", "12:00")], start=at(9), end=at(11, 1)) == [
        at(9),
        at(10),
        at(11),
    ]


def test_grid_anchor_of_a_window_begun_the_previous_day_is_kept() -> None:
    rules = [rule("22:00", None, weekday=0), rule("00:00", "02:00", weekday=1)]
    tuesday = MONDAY + timedelta(days=1)
    slots = starts(
        service(90, interval=45), rules, start=at(0, day=tuesday), end=at(1, day=tuesday)
    )
    assert slots == [at(0, 15, day=tuesday)]


def test_open_windows_are_not_clipped_to_the_range() -> None:
    assert open_windows([rule("09:00", "12:00")], [], at(10), at(11)) == [Interval(at(9), at(12))]
    assert open_windows([rule("09:00", "12:00")], [], at(12), at(13)) == []


def test_around_the_clock_windows_use_an_epoch_grid_whatever_the_range() -> None:
    # Open all week: no first instant exists, so the grid counts from 1970-01-01 UTC.
    rules = [rule("00:00", None, weekday=d) for d in range(7)]
    spec = service(25)
    wednesday, thursday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    early = starts(spec, rules, start=at(0), end=at(0, day=thursday))
    late = starts(spec, rules, start=at(0, day=wednesday), end=at(0, day=thursday + timedelta(1)))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert all((s - epoch) % spec.interval == timedelta(0) for s in early + late)
    assert early[0] == at(0, 20)  # 2027-01-04 00:00 UTC is 5 minutes past a multiple of 25
    shared = [s for s in early if s >= at(0, day=wednesday)]
    assert len(shared) == 57  # 00:15, 00:40, ... 23:35
    assert shared == [s for s in late if s < at(0, day=thursday)]


def test_a_week_long_window_keeps_its_true_start() -> None:
    # Monday 08:00 to Sunday 20:00 without a gap: under a week, so the grid starts at 08:00.
    rules = [rule("08:00", None, weekday=0)]
    rules += [rule("00:00", None, weekday=d) for d in range(1, 6)]
    rules += [rule("00:00", "20:00", weekday=6)]
    sunday = MONDAY + timedelta(days=6)
    assert open_windows(rules, [], at(12, day=sunday), at(13, day=sunday)) == [
        Interval(at(8), at(20, day=sunday))
    ]
    spec = service(25)
    # 08:00 + 372 x 25 minutes; an epoch grid would give 19:20 and 19:45 instead.
    assert starts(spec, rules, start=at(19, day=sunday), end=at(20, day=sunday)) == [
        at(19, day=sunday),
        at(19, 25, day=sunday),
    ]


# -- is_bookable ------------------------------------------------------------------------------


def test_is_bookable_matches_the_listed_slots() -> None:
    spec = service(30, interval=45, before=10)
    rules = [rule("09:00", "12:00")]
    busy = [block(10, 0, 10, 20)]
    listed = starts(spec, rules, busy=busy)
    assert listed == [at(9), at(10, 30), at(11, 15)]
    for slot in listed:
        assert is_bookable(spec, rules, [], busy, NOW, slot)
    assert not is_bookable(spec, rules, [], busy, NOW, at(9, 45))  # buffer hits the block
    assert not is_bookable(spec, rules, [], busy, NOW, at(9, 10))  # off the grid
    assert not is_bookable(spec, rules, [], busy, NOW, at(9, 0) + timedelta(microseconds=1))
    assert not is_bookable(spec, rules, [], busy, NOW, at(12))  # session past the window


def test_is_bookable_keeps_the_anchor_of_a_window_begun_long_before() -> None:
    rules = [rule("22:00", None, weekday=0), rule("00:00", "02:00", weekday=1)]
    tuesday = MONDAY + timedelta(days=1)
    spec = service(90, interval=45)
    assert is_bookable(spec, rules, [], [], NOW, at(0, 15, day=tuesday))
    assert not is_bookable(spec, rules, [], [], NOW, at(0, 0, day=tuesday))


# -- merge -----------------------------------------------------------------------------------


def test_merge_sorts_and_unions_overlapping_and_touching() -> None:
    intervals = [
        block(13, 0, 14, 0),
        block(9, 0, 10, 0),
        block(9, 30, 9, 45),
        block(10, 0, 11, 0),
        block(11, 30, 12, 0),
        block(11, 45, 12, 30),
    ]
    assert merge(intervals) == [block(9, 0, 11, 0), block(11, 30, 12, 30), block(13, 0, 14, 0)]


def test_merge_of_nothing_and_of_empty_intervals() -> None:
    assert merge([]) == []
    assert merge([block(9, 0, 9, 0)]) == []


def test_merge_returns_utc() -> None:
    from zoneinfo import ZoneInfo

    madrid = ZoneInfo("Europe/Madrid")
    local = Interval(
        datetime(2027, 1, 4, 10, tzinfo=madrid), datetime(2027, 1, 4, 11, tzinfo=madrid)
    )
    assert merge([local, block(10, 0, 11, 0)]) == [block(9, 0, 11, 0)]
    assert merge([local])[0].start.tzinfo is UTC


def test_merge_rejects_inverted_intervals() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        merge([block(10, 0, 9, 0)])


# -- validation -------------------------------------------------------------------------------


NAIVE = datetime(2027, 1, 4, 9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: merge([Interval(NAIVE, at(10))]),
        lambda: open_windows([rule("09:00", "12:00")], [], NAIVE, at(12)),
        lambda: compute_slots(service(), [], [], [], NAIVE, at(0), at(12)),
        lambda: compute_slots(service(), [], [], [], NOW, at(0), NAIVE),
        lambda: compute_slots(service(), [], [], [Interval(NAIVE, NAIVE)], NOW, at(0), at(12)),
        lambda: is_bookable(service(), [], [], [], NOW, NAIVE),
    ],
    ids=["merge", "open_windows", "now", "end", "busy", "is_bookable"],
)
def test_naive_datetimes_are_rejected(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize(
    "spec",
    [
        service(0),
        service(30, interval=0),
        ServiceSpec(minutes(30), minutes(-1), minutes(0), minutes(30), minutes(0), minutes(60)),
        ServiceSpec(minutes(30), minutes(0), minutes(0), minutes(30), minutes(-5), minutes(60)),
    ],
    ids=["duration", "interval", "buffer", "notice"],
)
def test_invalid_services_are_rejected(spec: ServiceSpec) -> None:
    with pytest.raises(ValueError, match="service"):
        compute_slots(spec, [rule("09:00", "12:00")], [], [], NOW, at(0), at(12))


def test_invalid_rules_are_rejected() -> None:
    with pytest.raises(ValueError, match="weekday"):
        open_windows([rule("09:00", "12:00", weekday=7)], [], at(0), at(12))
    with pytest.raises(ValueError, match="unknown time zone"):
        open_windows([rule("09:00", "12:00", tz="Mars/Olympus")], [], at(0), at(12))
    with pytest.raises(ValueError, match="wall time"):
        local_span(MONDAY, time(9, tzinfo=UTC), None, "UTC")


def test_an_empty_or_inverted_rule_opens_nothing() -> None:
    assert local_span(MONDAY, time(12), time(9), "UTC") == []
    assert local_span(MONDAY, time(9), time(9), "UTC") == []


def test_an_empty_range_has_no_slots() -> None:
    assert starts(service(60), [rule("09:00", "12:00")], start=at(12), end=at(9)) == []
