"""Business-time arithmetic in a calendar's own time zone: working hours per weekday, holidays.

All inputs and outputs are aware datetimes; durations are real elapsed seconds that fall
inside working intervals, so nights, weekends, holidays and DST changes are all exact.

A day is worked or not by the first rule that applies: a hand-added working day is worked; a
hand-added day off is not; a public holiday of the calendar's country is not; an official
make-up working day of the country (a weekend day in China, 调休) is worked; otherwise the
weekday's hours apply. A day worked although its weekday has no hours (a make-up Saturday on a
Monday-to-Friday calendar) gets the hours of the calendar's first weekday that has any.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.public_holidays import public_year

MAX_DAYS_SCANNED = 3 * 366  # a calendar with no working time at all must not loop forever


class NoWorkingTime(ValueError):
    pass


@dataclass(frozen=True)
class Calendar:
    """A plain description of working time: weekday → [(start, end)], days off, zone."""

    time_zone: str
    hours: dict[int, tuple[tuple[time, time], ...]]  # 0 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)  # hand-added days off
    working_days: frozenset[date] = field(default_factory=frozenset)  # hand-added, worked
    country: str = ""  # ISO 3166 alpha-2: its public holidays are days off; "" = none
    subdivision: str = ""  # a region of the country whose holidays apply too

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _hours_of_a_worked_day(calendar: Calendar, day: date) -> tuple[tuple[time, time], ...]:
    own = calendar.hours.get(day.weekday())
    if own:
        return own
    return next((calendar.hours[d] for d in sorted(calendar.hours) if calendar.hours[d]), ())


def spans_of_day(calendar: Calendar, day: date) -> tuple[tuple[time, time], ...]:
    """The local working spans of one date, after holidays and working days (see above)."""
    if day in calendar.working_days:
        return _hours_of_a_worked_day(calendar, day)
    if day in calendar.holidays:
        return ()
    if calendar.country:
        public = public_year(calendar.country, calendar.subdivision, day.year)
        if day in public.days_off:
            return ()
        if day in public.working_days:
            return _hours_of_a_worked_day(calendar, day)
    return calendar.hours.get(day.weekday(), ())


def _local_intervals(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals of one local date, as UTC datetimes."""
    spans = spans_of_day(calendar, day)
    if not spans:
        return []
    zone = calendar.zone
    intervals = []
    for start, end in spans:
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
