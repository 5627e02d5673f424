"""Property tests: compute_slots against a brute-force oracle on random schedules.

The oracle shares no code with the engine. It walks UTC time in 15-minute cells and asks,
for each cell, whether its local wall time (per zone, per local date) lies in a rule or
override. That is exact here: every rule time is on a 15-minute grid, and every zone drawn
from ZONES has offsets and transition instants on a 15-minute UTC grid, so openness is
constant within a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookctl.domain.slots import (
    DateOverride,
    Interval,
    ServiceSpec,
    WeeklyRule,
    compute_slots,
    is_bookable,
    open_windows,
)

ZONES = ["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
DST_DATES = [
    date(2027, 3, 28),  # Madrid gap
    date(2027, 10, 31),  # Madrid fold
    date(2027, 3, 14),  # New York gap
    date(2027, 11, 7),  # New York fold
    date(2027, 4, 4),  # Lord Howe 30-minute fold
    date(2027, 10, 3),  # Lord Howe 30-minute gap
]
CELL = timedelta(minutes=15)
LONG = timedelta(days=7)  # windows longer than this use the epoch grid
SCAN = timedelta(days=9)  # > LONG, so any short window touching the range is seen whole
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO = timedelta(0)
MICROSECOND = timedelta(microseconds=1)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def quarter(index: int) -> time | None:
    """Wall time index x 15 minutes; 96 is 24:00 (None)."""
    return None if index == 96 else time(index // 4, index % 4 * 15)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# -- strategies ---------------------------------------------------------------------------


@st.composite
def weekly_rules(draw: st.DrawFn, base: date) -> list[WeeklyRule]:
    rules = []
    for _ in range(draw(st.integers(0, 8))):
        # Mostly weekdays the range covers, so that most cases have windows.
        weekday = draw(
            st.one_of(
                st.integers(-1, 3).map(lambda n: (base + timedelta(days=n)).weekday()),
                st.integers(0, 6),
            )
        )
        start = draw(st.integers(0, 95))
        if draw(st.integers(0, 9)) == 0:
            end = draw(st.integers(1, start + 1))  # end <= start opens nothing
        else:
            end = draw(st.integers(start + 1, 96))
        rules.append(
            WeeklyRule(
                weekday,
                time(start // 4, start % 4 * 15),
                quarter(end),
                draw(st.sampled_from(ZONES)),
            )
        )
    if draw(st.integers(0, 9)) == 0:  # now and then a zone open around the clock
        tz = draw(st.sampled_from(ZONES))
        rules += [WeeklyRule(d, time(0), None, tz) for d in range(7)]
    return rules


@st.composite
def date_overrides(draw: st.DrawFn, base: date) -> list[DateOverride]:
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        day = base + timedelta(days=draw(st.integers(-2, 5)))
        tz = draw(st.sampled_from(ZONES))
        if draw(st.integers(0, 3)) == 0:
            overrides.append(DateOverride(day, None, None, tz))
        else:
            start = draw(st.integers(0, 95))
            end = draw(st.integers(start + 1, 96))
            overrides.append(DateOverride(day, time(start // 4, start % 4 * 15), quarter(end), tz))
    return overrides


@st.composite
def busy_times(draw: st.DrawFn, start: datetime, length: timedelta) -> list[Interval]:
    span = int(length / minutes(1)) + 2 * 1440
    busy = []
    for _ in range(draw(st.integers(0, 5))):  # time off, calendar busy times
        at = start - timedelta(days=1) + minutes(draw(st.integers(0, span)))
        busy.append(Interval(at, at + minutes(draw(st.integers(1, 240)))))
    for _ in range(draw(st.integers(0, 8))):  # appointments, widened by their own buffers
        at = start - timedelta(days=1) + minutes(draw(st.integers(0, span)))
        length = minutes(draw(st.integers(1, 12)) * 15)
        before, after = minutes(draw(st.integers(0, 30))), minutes(draw(st.integers(0, 30)))
        busy.append(Interval(at - before, at + length + after))
    return draw(st.permutations(busy))


services = st.builds(
    ServiceSpec,
    duration=st.integers(1, 48).map(lambda n: minutes(5 * n)),
    buffer_before=st.integers(0, 12).map(lambda n: minutes(5 * n)),
    buffer_after=st.integers(0, 12).map(lambda n: minutes(5 * n)),
    interval=st.integers(1, 24).map(lambda n: minutes(5 * n)),
    min_notice=st.one_of(st.just(0), st.integers(0, 1440)).map(minutes),
    max_advance=st.one_of(st.just(30 * 1440), st.integers(0, 10 * 1440)).map(minutes),
)


@dataclass(frozen=True)
class Case:
    service: ServiceSpec
    rules: list[WeeklyRule]
    overrides: list[DateOverride]
    busy: list[Interval]
    now: datetime
    start: datetime
    end: datetime


@st.composite
def cases(draw: st.DrawFn) -> Case:
    base = draw(
        st.one_of(st.sampled_from(DST_DATES), st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    )
    midnight = datetime.combine(base, time(), UTC)
    start = midnight - timedelta(days=1) + minutes(draw(st.integers(0, 2 * 1440)))
    whole_days = st.integers(1, 4).map(lambda n: n * 1440)
    length = minutes(draw(st.one_of(whole_days, st.integers(1, 4 * 1440))))
    return Case(
        service=draw(services),
        rules=draw(weekly_rules(base)),
        overrides=draw(date_overrides(base)),
        busy=draw(busy_times(start, length)),
        now=start + minutes(draw(st.one_of(st.integers(-1440, 0), st.integers(-4320, 4320)))),
        start=start,
        end=start + length,
    )


# -- oracle -------------------------------------------------------------------------------


def opened(instant: datetime, rules: list[WeeklyRule], overrides: list[DateOverride]) -> bool:
    """Whether some rule or override of the instant's own local date opens its wall time."""
    overridden = {o.day for o in overrides}
    for tz in {r.tz for r in rules} | {o.tz for o in overrides}:
        local = instant.astimezone(zone(tz))
        day, wall = local.date(), local.time()
        if day in overridden:
            hours = [(o.start, o.end) for o in overrides if o.tz == tz and o.day == day]
        else:
            hours = [(r.start, r.end) for r in rules if r.tz == tz and r.weekday == day.weekday()]
        for lo, hi in hours:
            if lo is not None and lo <= wall and (hi is None or wall < hi):
                return True
    return False


def oracle_runs(case: Case) -> list[Interval]:
    """Maximal open runs of 15-minute UTC cells within SCAN of the range."""
    first = case.start - SCAN
    cell = first - (first - EPOCH) % CELL
    runs: list[Interval] = []
    while cell < case.end + SCAN:
        if opened(cell, case.rules, case.overrides):
            if runs and runs[-1].end == cell:
                runs[-1] = Interval(runs[-1].start, cell + CELL)
            else:
                runs.append(Interval(cell, cell + CELL))
        cell += CELL
    return runs


def overlaps_busy(lo: datetime, hi: datetime, busy: list[Interval]) -> bool:
    return any(b.start < hi and lo < b.end for b in busy)


def grid_anchor(window: Interval, step: timedelta) -> datetime:
    if window.end - window.start > LONG:
        return window.start + (EPOCH - window.start) % step
    return window.start


def oracle_starts(case: Case, runs: list[Interval]) -> set[datetime]:
    spec = case.service
    found = set()
    for run in runs:
        s = grid_anchor(run, spec.interval)
        while s + spec.duration <= run.end:
            if (
                case.start <= s < case.end
                and case.now + spec.min_notice <= s <= case.now + spec.max_advance
                and not overlaps_busy(
                    s - spec.buffer_before, s + spec.duration + spec.buffer_after, case.busy
                )
            ):
                found.add(s)
            s += spec.interval
    return found


def short(windows: list[Interval], case: Case) -> list[Interval]:
    return [
        w for w in windows if w.end - w.start <= LONG and w.end > case.start and w.start < case.end
    ]


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_slots_are_sound_and_complete(case: Case) -> None:
    spec = case.service
    slots = compute_slots(
        spec, case.rules, case.overrides, case.busy, case.now, case.start, case.end
    )
    windows = open_windows(case.rules, case.overrides, case.start, case.end)
    starts = [slot.start for slot in slots]

    assert all(a < b for a, b in pairwise(starts))
    for slot in slots:
        s = slot.start
        assert slot.end - s == spec.duration
        assert s.tzinfo is UTC
        containing = [w for w in windows if w.start <= s and slot.end <= w.end]
        assert len(containing) == 1
        assert (s - grid_anchor(containing[0], spec.interval)) % spec.interval == ZERO
        # Each instant of the session is opened by a rule or override of its own local date.
        probes = [s + CELL * k for k in range(int(spec.duration / CELL) + 1)]
        probes = [p for p in probes if p < slot.end] + [slot.end - MICROSECOND]
        assert all(opened(p, case.rules, case.overrides) for p in probes)
        assert not overlaps_busy(s - spec.buffer_before, slot.end + spec.buffer_after, case.busy)
        assert case.now + spec.min_notice <= s <= case.now + spec.max_advance
        assert case.start <= s < case.end

    runs = oracle_runs(case)
    assert short(windows, case) == short(runs, case)
    expected = oracle_starts(case, runs)
    assert set(starts) == expected  # nothing missed, nothing extra

    # The same slots whatever the range is split into, and is_bookable agrees.
    middle = case.start + (case.end - case.start) // 2
    halves = compute_slots(
        spec, case.rules, case.overrides, case.busy, case.now, case.start, middle
    ) + compute_slots(spec, case.rules, case.overrides, case.busy, case.now, middle, case.end)
    assert halves == slots
    probes = starts[:3] + [s + minutes(5) for s in starts[:3]] + [middle]
    for probe in probes:
        if case.start <= probe < case.end:
            bookable = is_bookable(spec, case.rules, case.overrides, case.busy, case.now, probe)
            assert bookable == (probe in expected)


@settings(max_examples=60, deadline=None)
@given(
    base=st.sampled_from(DST_DATES),
    tz=st.sampled_from(ZONES),
    start=st.integers(0, 95),
    end=st.integers(1, 96),
)
def test_windows_match_wall_clock_on_dst_dates(base: date, tz: str, start: int, end: int) -> None:
    rule = WeeklyRule(base.weekday(), time(start // 4, start % 4 * 15), quarter(end), tz)
    lo = datetime.combine(base, time(), UTC) - timedelta(days=1)
    windows = open_windows([rule], [], lo, lo + timedelta(days=3))
    cell = lo
    while cell < lo + timedelta(days=3):
        inside = any(w.start <= cell < w.end for w in windows)
        assert inside == opened(cell, [rule], [])
        cell += CELL
