"""The slot engine: weekly rules, date overrides and busy time in, bookable sessions out.

Pure (no I/O, stdlib only). Every instant is aware and compared in UTC. Wall times become
UTC per local date through the zone's real offset transitions, so a DST gap opens nothing,
a fold opens both repeated hours (each instant once), and nothing adds hours across midnight.

Candidate starts lie on a grid anchored at the first instant of their merged window. A window
that runs without a gap for more than a week (in practice: open around the clock) has no
first instant a query could find, so its grid is anchored at the Unix epoch instead; that
keeps every answer independent of the range asked about, which ``is_bookable`` relies on.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DateOverride",
    "Interval",
    "ServiceSpec",
    "WeeklyRule",
    "compute_slots",
    "day_start",
    "is_bookable",
    "local_span",
    "merge",
    "open_windows",
]


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span [start, end) of aware datetimes (UTC in practice)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Open every `weekday` from `start` to `end` (None = 24:00), wall times in `tz`."""

    weekday: int
    start: time
    end: time | None
    tz: str


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Hours for one local date that replace the weekly rules; no start and end = closed."""

    day: date
    start: time | None
    end: time | None
    tz: str


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How long a session lasts, the grid it starts on and the booking horizon."""

    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    interval: timedelta
    min_notice: timedelta
    max_advance: timedelta


_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# Every UTC offset tzdata has ever used lies within ±15:56 (LMT of Asia/Manila), so all
# instants of a local date fall within this pad of that date's midnight read as UTC.
_PAD = timedelta(hours=16)
# No zone changes its offset twice within an hour, so sampling this often finds every
# transition and bisection pins it to the second.
_SAMPLE = timedelta(hours=1)
_SECOND = timedelta(seconds=1)
_LONG_WINDOW = timedelta(days=7)
# Enough extra days each way to see any window of up to _LONG_WINDOW whole, whatever the
# zones' offsets (each query already pads one day).
_MAX_EXTRA_DAYS = 8
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_Segment = tuple[datetime, datetime, timedelta]


# -- time zones ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _offset(zone: ZoneInfo, naive_utc: datetime) -> timedelta:
    offset = zone.fromutc(naive_utc.replace(tzinfo=zone)).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _first_change(zone: ZoneInfo, lo: datetime, hi: datetime, offset: timedelta) -> datetime:
    """First whole second in (lo, hi] whose offset differs from `offset` (lo has `offset`)."""
    while hi - lo > _SECOND:
        mid = lo + (hi - lo) // 2
        mid -= timedelta(microseconds=mid.microsecond)  # tzdata transitions are whole seconds
        if mid <= lo:
            mid = lo + _SECOND
        if _offset(zone, mid) == offset:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=8192)
def _segments(tz: str, day: date) -> tuple[_Segment, ...]:
    """Constant-offset (naive UTC start, naive UTC end, offset) runs covering local `day`."""
    zone = _zone(tz)
    midnight = datetime.combine(day, time())
    t, stop = midnight - _PAD, midnight + _DAY + _PAD
    seg_start, offset = t, _offset(zone, t)
    segments: list[_Segment] = []
    while t < stop:
        nxt = min(t + _SAMPLE, stop)
        known = t
        while _offset(zone, nxt) != offset:
            change = _first_change(zone, known, nxt, offset)
            segments.append((seg_start, change, offset))
            seg_start, offset, known = change, _offset(zone, change), change
        t = nxt
    segments.append((seg_start, stop, offset))
    return tuple(segments)


def _naive_time(value: time, name: str) -> time:
    if not isinstance(value, time):
        raise ValueError(f"{name} must be a time, not {type(value).__name__}")
    if value.tzinfo is not None:
        raise ValueError(f"{name} is a wall time and must not carry a time zone")
    return value.replace(fold=0)


@lru_cache(maxsize=16384)
def _local_span(day: date, start: time, end: time | None, tz: str) -> tuple[Interval, ...]:
    wall_lo = datetime.combine(day, _naive_time(start, "start"))
    if end is None:
        wall_hi = datetime.combine(day + _DAY, time())
    else:
        wall_hi = datetime.combine(day, _naive_time(end, "end"))
    if wall_hi <= wall_lo:
        return ()
    pieces: list[Interval] = []
    for seg_start, seg_end, offset in _segments(tz, day):
        # The segment's instants show wall times [seg_start + offset, seg_end + offset).
        lo = max(seg_start + offset, wall_lo) - offset
        hi = min(seg_end + offset, wall_hi) - offset
        if lo >= hi:
            continue
        lo, hi = lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC)
        if pieces and pieces[-1].end == lo:
            pieces[-1] = Interval(pieces[-1].start, hi)
        else:
            pieces.append(Interval(lo, hi))
    return tuple(pieces)


def local_span(day: date, start: time, end: time | None, tz: str) -> list[Interval]:
    """UTC pieces of the instants whose local wall time on `day` in `tz` lies in [start, end)."""
    return list(_local_span(day, start, end, tz))


def day_start(day: date, tz: str) -> datetime:
    """First UTC instant of local date `day` in `tz`, even when local midnight does not exist."""
    midnight = datetime.combine(day, time())
    # The first instant whose wall time reaches `day`: midnight itself, the end of a gap
    # swallowing it, or, for a date the zone skipped entirely, the start of the next one.
    for seg_start, seg_end, offset in _segments(tz, day):
        if seg_end + offset > midnight:
            return max(seg_start, midnight - offset).replace(tzinfo=UTC)
    raise AssertionError("unreachable: the last segment reaches past the next midnight")


# -- intervals ----------------------------------------------------------------------------


def _utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _pairs(intervals: Iterable[Interval], name: str) -> list[tuple[datetime, datetime]]:
    """Validated UTC (start, end) pairs, empty intervals dropped."""
    pairs = []
    for interval in intervals:
        start, end = _utc(interval.start, f"{name} start"), _utc(interval.end, f"{name} end")
        if end < start:
            raise ValueError(f"{name} interval ends before it starts: {interval!r}")
        if end > start:
            pairs.append((start, end))
    return pairs


def _union(pairs: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    pairs.sort()
    out: list[tuple[datetime, datetime]] = []
    for start, end in pairs:
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and union overlapping or touching intervals (in UTC; empty ones dropped)."""
    return [Interval(start, end) for start, end in _union(_pairs(intervals, "interval"))]


# -- windows ------------------------------------------------------------------------------


class _Schedule:
    """Rules and overrides indexed for expanding one local date of one zone."""

    def __init__(self, rules: Iterable[WeeklyRule], overrides: Iterable[DateOverride]) -> None:
        self.rules: dict[tuple[str, int], list[tuple[time, time | None]]] = {}
        self.overrides: dict[tuple[str, date], list[tuple[time, time | None]]] = {}
        self.overridden: set[date] = set()
        zones: set[str] = set()
        for rule in rules:
            if not 0 <= rule.weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {rule.weekday}")
            _zone(rule.tz)
            zones.add(rule.tz)
            self.rules.setdefault((rule.tz, rule.weekday), []).append((rule.start, rule.end))
        for override in overrides:
            _zone(override.tz)
            zones.add(override.tz)
            self.overridden.add(override.day)
            if override.start is None:
                if override.end is not None:
                    raise ValueError(f"override on {override.day} has an end but no start")
                continue  # closed all day: only suppresses the rules
            key = (override.tz, override.day)
            self.overrides.setdefault(key, []).append((override.start, override.end))
        self.zones = sorted(zones)

    def pieces(self, tz: str, day: date) -> list[Interval]:
        """Open UTC pieces that zone `tz` contributes for its local date `day`."""
        if day in self.overridden:
            hours = self.overrides.get((tz, day), ())
        else:
            hours = self.rules.get((tz, day.weekday()), ())
        out: list[Interval] = []
        for start, end in hours:
            out.extend(_local_span(day, start, end, tz))
        return out


def _windows(
    rules: Iterable[WeeklyRule],
    overrides: Iterable[DateOverride],
    start: datetime,
    end: datetime,
) -> list[tuple[Interval, bool]]:
    """Merged windows intersecting [start, end), each with whether it is longer than a week."""
    schedule = _Schedule(rules, overrides)
    if end <= start or not schedule.zones:
        return []
    first = {tz: start.astimezone(_zone(tz)).date() - _DAY for tz in schedule.zones}
    last = {tz: end.astimezone(_zone(tz)).date() + _DAY for tz in schedule.zones}
    pairs: list[tuple[datetime, datetime]] = []
    for tz in schedule.zones:
        day = first[tz]
        while day <= last[tz]:
            pairs.extend((p.start, p.end) for p in schedule.pieces(tz, day))
            day += _DAY

    extra_days = 0
    while True:
        merged = [(s, e) for s, e in _union(pairs) if e > start and s < end]
        # A window touching the edge of the expanded dates may continue beyond it.
        lo_edge = max(day_start(first[tz], tz) for tz in schedule.zones)
        hi_edge = min(day_start(last[tz] + _DAY, tz) for tz in schedule.zones)
        grow_lo = bool(merged) and merged[0][0] <= lo_edge
        grow_hi = bool(merged) and merged[-1][1] >= hi_edge
        if not (grow_lo or grow_hi) or extra_days == _MAX_EXTRA_DAYS:
            break
        extra_days += 1
        for tz in schedule.zones:
            if grow_lo:
                first[tz] -= _DAY
                pairs.extend((p.start, p.end) for p in schedule.pieces(tz, first[tz]))
            if grow_hi:
                last[tz] += _DAY
                pairs.extend((p.start, p.end) for p in schedule.pieces(tz, last[tz]))

    return [
        (Interval(s, e), e - s > _LONG_WINDOW or s <= lo_edge or e >= hi_edge) for s, e in merged
    ]


def open_windows(
    rules: Iterable[WeeklyRule],
    overrides: Iterable[DateOverride],
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """Merged availability windows (UTC) intersecting [start, end), computed whole, not clipped."""
    start, end = _utc(start, "start"), _utc(end, "end")
    return [window for window, _ in _windows(rules, overrides, start, end)]


# -- slots --------------------------------------------------------------------------------


def _check_service(service: ServiceSpec) -> None:
    if service.duration <= timedelta(0):
        raise ValueError("service duration must be positive")
    if service.interval <= timedelta(0):
        raise ValueError("service interval must be positive")
    for name in ("buffer_before", "buffer_after", "min_notice", "max_advance"):
        if getattr(service, name) < timedelta(0):
            raise ValueError(f"service {name} must not be negative")


def _ceil_div(span: timedelta, step: timedelta) -> int:
    return -(-span // step)


def compute_slots(
    service: ServiceSpec,
    rules: Iterable[WeeklyRule],
    overrides: Iterable[DateOverride],
    busy: Iterable[Interval],
    now: datetime,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """Every bookable session [s, s+duration) with start s in [start, end), in UTC, time-ordered."""
    _check_service(service)
    now, start, end = _utc(now, "now"), _utc(start, "start"), _utc(end, "end")
    blocks = _union(_pairs(busy, "busy"))
    block_starts = [s for s, _ in blocks]
    block_ends = [e for _, e in blocks]
    duration, step = service.duration, service.interval
    before, after = service.buffer_before, service.buffer_after
    earliest = max(start, now + service.min_notice)
    latest = now + service.max_advance

    slots: list[Interval] = []
    i = 0  # blocks[:i] end before every buffered range still to test: starts only grow
    for window, long in _windows(rules, overrides, start, end):
        anchor = window.start + (_EPOCH - window.start) % step if long else window.start
        last = min(window.end - duration, latest)
        s = anchor + _ceil_div(max(window.start, earliest) - anchor, step) * step
        while s <= last and s < end:
            i = bisect_right(block_ends, s - before, i)
            if i < len(blocks) and block_starts[i] < s + duration + after:
                # Jump to the first grid start whose buffered range clears this block.
                s = anchor + _ceil_div(block_ends[i] + before - anchor, step) * step
                continue
            slots.append(Interval(s, s + duration))
            s += step
    return slots


def is_bookable(
    service: ServiceSpec,
    rules: Iterable[WeeklyRule],
    overrides: Iterable[DateOverride],
    busy: Iterable[Interval],
    now: datetime,
    slot_start: datetime,
) -> bool:
    """True when slot_start is exactly one of compute_slots' starts (same code path)."""
    slot_start = _utc(slot_start, "slot_start")
    slots = compute_slots(
        service, rules, overrides, busy, now, slot_start, slot_start + _MICROSECOND
    )
    return bool(slots) and slots[0].start == slot_start
