"""Business-time arithmetic in a calendar's own time zone: working hours per weekday, holidays.

All inputs and outputs are aware datetimes; durations are real elapsed seconds that fall
inside working intervals, so nights, weekends, holidays and DST changes are all exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_SCANNED = 3 * 366  # a calendar with no working time at all must not loop forever


class NoWorkingTime(ValueError):
    pass


@dataclass(frozen=True)
class Calendar:
    """A plain description of working time: weekday → [(start, end)], holidays, zone."""

    time_zone: str
    hours: dict[int, tuple[tuple[time, time], ...]]  # 0 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _local_intervals(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals of one local date, as UTC datetimes."""
    if day in calendar.holidays:
        return []
    zone = calendar.zone
    intervals = []
    for start, end in calendar.hours.get(day.weekday(), ()):
        begin = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        # An end of 00:00 means midnight at the end of the day.
        finish_day = day + timedelta(days=1) if end == time(0) else day
        finish = datetime.combine(finish_day, end, tzinfo=zone).astimezone(UTC)
        if finish > begin:
            intervals.append((begin, finish))
    return sorted(intervals)


def _intervals_from(calendar: Calendar, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) that end after `moment`, in order, starting the day before
    (an interval may start on the previous local date in UTC terms)."""
    local_day = moment.astimezone(calendar.zone).date() - timedelta(days=1)
    for offset in range(MAX_DAYS_SCANNED):
        for begin, finish in _local_intervals(calendar, local_day + timedelta(days=offset)):
            if finish > moment:
                yield max(begin, moment), finish
    raise NoWorkingTime(f"no working time within {MAX_DAYS_SCANNED} days")


def add_business_time(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of working time after `start`."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    moment = start.astimezone(UTC)
    remaining = timedelta(seconds=seconds)
    for begin, finish in _intervals_from(calendar, moment):
        available = finish - begin
        if remaining <= available:
            # Zero remaining lands at the next opening, never inside closed time.
            return begin + remaining
        remaining -= available
    raise NoWorkingTime("unreachable")  # pragma: no cover - the generator raises first


def business_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Working seconds from `start` to `end` (negative when `end` is earlier)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -business_seconds_between(calendar, end, start)
    total = timedelta(0)
    for begin, finish in _intervals_from(calendar, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total.total_seconds()
