"""Business-time arithmetic: nights, weekends, holidays, DST, zones, and the round trip.

Public holidays come from the `holidays` package; the dates below are the ones it lists for
2026 (Japan: Labor Thanksgiving Day, Mon 23 Nov; China: National Day week 1–7 Oct, with the
make-up working days Sun 20 Sep and Sat 10 Oct; England: Easter Monday, 6 Apr).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_time import (
    Calendar,
    NoWorkingTime,
    add_business_time,
    business_seconds_between,
)
from core.public_holidays import public_year

SHANGHAI = Calendar(
    "Asia/Shanghai",
    {d: ((time(9), time(18)),) for d in range(5)},
    holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
)
TOKYO_SHIFTS = Calendar("Asia/Tokyo", {d: ((time(8), time(20)),) for d in range(7)})
NEW_YORK = Calendar(
    "America/New_York", {d: ((time(0), time(0)),) for d in range(7)}
)  # round the clock
SPLIT_BERLIN = Calendar(
    "Europe/Berlin", {d: ((time(8), time(12)), (time(13), time(17))) for d in range(5)}
)
OFFICE_HOURS = {d: ((time(9), time(18)),) for d in range(5)}  # Monday to Friday
JAPAN = Calendar("Asia/Tokyo", OFFICE_HOURS, country="JP")
CHINA = Calendar("Asia/Shanghai", OFFICE_HOURS, country="CN")
UNITED_STATES = Calendar("America/New_York", OFFICE_HOURS, country="US")
HOUR = 3600


def local(calendar, *args):
    return datetime(*args, tzinfo=ZoneInfo(calendar.time_zone))


def test_hours_carry_over_the_night():
    start = local(SHANGHAI, 2026, 11, 18, 17, 0)  # Wednesday 17:00
    assert add_business_time(SHANGHAI, start, 2 * HOUR) == local(SHANGHAI, 2026, 11, 19, 10, 0)


def test_hours_carry_over_the_weekend():
    start = local(SHANGHAI, 2026, 11, 20, 17, 30)  # Friday 17:30
    assert add_business_time(SHANGHAI, start, HOUR) == local(SHANGHAI, 2026, 11, 23, 9, 30)


def test_holidays_are_skipped():
    start = local(SHANGHAI, 2026, 9, 30, 17, 0)  # Wednesday before two holidays
    assert add_business_time(SHANGHAI, start, 2 * HOUR) == local(SHANGHAI, 2026, 10, 5, 10, 0)


def test_a_start_outside_hours_begins_at_the_next_opening():
    saturday = local(SHANGHAI, 2026, 11, 21, 12, 0)
    assert add_business_time(SHANGHAI, saturday, 0) == local(SHANGHAI, 2026, 11, 23, 9, 0)
    assert add_business_time(SHANGHAI, saturday, 30 * 60) == local(SHANGHAI, 2026, 11, 23, 9, 30)


def test_seven_day_shifts_work_on_sundays():
    sunday_evening = local(TOKYO_SHIFTS, 2026, 11, 22, 19, 0)
    assert add_business_time(TOKYO_SHIFTS, sunday_evening, 2 * HOUR) == local(
        TOKYO_SHIFTS, 2026, 11, 23, 9, 0
    )


def test_split_days_skip_the_lunch_break():
    start = local(SPLIT_BERLIN, 2026, 11, 23, 11, 0)
    assert add_business_time(SPLIT_BERLIN, start, 2 * HOUR) == local(
        SPLIT_BERLIN, 2026, 11, 23, 14, 0
    )


def test_dst_spring_forward_day_has_23_working_hours_round_the_clock():
    day = local(NEW_YORK, 2026, 3, 8, 0, 0)  # clocks jump 02:00 → 03:00
    assert business_seconds_between(NEW_YORK, day, local(NEW_YORK, 2026, 3, 9, 0, 0)) == 23 * HOUR
    assert add_business_time(NEW_YORK, day, 3 * HOUR) == local(NEW_YORK, 2026, 3, 8, 4, 0)


def test_dst_fall_back_day_has_25_working_hours_round_the_clock():
    day = local(NEW_YORK, 2026, 11, 1, 0, 0)
    assert business_seconds_between(NEW_YORK, day, local(NEW_YORK, 2026, 11, 2, 0, 0)) == 25 * HOUR


def test_calendars_in_different_zones_disagree_about_the_same_instant():
    instant = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 Shanghai, 09:30 Tokyo
    assert add_business_time(SHANGHAI, instant, HOUR) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert add_business_time(TOKYO_SHIFTS, instant, HOUR) == datetime(
        2026, 11, 23, 1, 30, tzinfo=UTC
    )


def test_measuring_backwards_is_negative():
    a = local(SHANGHAI, 2026, 11, 23, 10, 0)
    b = local(SHANGHAI, 2026, 11, 23, 12, 0)
    assert business_seconds_between(SHANGHAI, b, a) == -2 * HOUR


def test_a_japanese_calendar_skips_a_japanese_public_holiday():
    start = local(JAPAN, 2026, 11, 20, 17, 0)  # Friday 17:00; Monday 23 Nov is a holiday
    assert add_business_time(JAPAN, start, 2 * HOUR) == local(JAPAN, 2026, 11, 24, 10, 0)


def test_a_us_calendar_works_on_a_japanese_public_holiday():
    start = local(UNITED_STATES, 2026, 11, 20, 17, 0)
    assert add_business_time(UNITED_STATES, start, 2 * HOUR) == local(
        UNITED_STATES, 2026, 11, 23, 10, 0
    )


def test_a_us_calendar_skips_thanksgiving():
    start = local(UNITED_STATES, 2026, 11, 25, 17, 0)  # Wednesday before Thanksgiving
    assert add_business_time(UNITED_STATES, start, 2 * HOUR) == local(
        UNITED_STATES, 2026, 11, 27, 10, 0
    )


def test_a_chinese_calendar_skips_the_national_day_week():
    start = local(CHINA, 2026, 9, 30, 17, 0)  # Wednesday; off Thursday 1 to Wednesday 7 Oct
    assert add_business_time(CHINA, start, 2 * HOUR) == local(CHINA, 2026, 10, 8, 10, 0)
    week = business_seconds_between(
        CHINA, local(CHINA, 2026, 10, 1, 0, 0), local(CHINA, 2026, 10, 8, 0, 0)
    )
    assert week == 0


def test_a_chinese_calendar_works_the_official_make_up_weekend_days():
    # Sunday 20 Sep and Saturday 10 Oct 2026 are working days (调休), on Monday's hours.
    assert add_business_time(CHINA, local(CHINA, 2026, 9, 18, 17, 0), 2 * HOUR) == local(
        CHINA, 2026, 9, 20, 10, 0
    )
    assert add_business_time(CHINA, local(CHINA, 2026, 10, 9, 17, 0), 2 * HOUR) == local(
        CHINA, 2026, 10, 10, 10, 0
    )
    ordinary_saturday = local(CHINA, 2026, 10, 17, 12, 0)
    assert add_business_time(CHINA, ordinary_saturday, 0) == local(CHINA, 2026, 10, 19, 9, 0)


def test_a_hand_added_day_off_is_skipped_on_top_of_the_public_holidays():
    calendar = Calendar(
        "Asia/Shanghai", OFFICE_HOURS, holidays=frozenset({date(2026, 10, 8)}), country="CN"
    )
    start = local(calendar, 2026, 9, 30, 17, 0)
    assert add_business_time(calendar, start, 2 * HOUR) == local(calendar, 2026, 10, 9, 10, 0)


def test_a_hand_added_working_day_overrides_a_public_holiday_and_a_make_up_day_off():
    calendar = Calendar(
        "Asia/Shanghai",
        OFFICE_HOURS,
        holidays=frozenset({date(2026, 9, 20)}),  # the team keeps the make-up Sunday off
        working_days=frozenset({date(2026, 10, 2)}),  # and works National Day's Friday
        country="CN",
    )
    assert add_business_time(calendar, local(calendar, 2026, 9, 18, 17, 0), 2 * HOUR) == local(
        calendar, 2026, 9, 21, 10, 0
    )
    assert add_business_time(calendar, local(calendar, 2026, 9, 30, 17, 0), 2 * HOUR) == local(
        calendar, 2026, 10, 2, 10, 0
    )


def test_a_subdivision_adds_its_own_holidays():
    united_kingdom = Calendar("Europe/London", OFFICE_HOURS, country="GB")
    england = Calendar("Europe/London", OFFICE_HOURS, country="GB", subdivision="ENG")
    start = datetime(2026, 4, 2, 16, 0, tzinfo=ZoneInfo("Europe/London"))  # Thursday
    # Good Friday is off everywhere in the UK; Easter Monday only in England, Wales, N. Ireland.
    assert add_business_time(united_kingdom, start, 4 * HOUR) == local(
        united_kingdom, 2026, 4, 6, 11, 0
    )
    assert add_business_time(england, start, 4 * HOUR) == local(england, 2026, 4, 7, 11, 0)


def test_each_country_and_year_is_computed_once():
    public_year.cache_clear()
    start = local(CHINA, 2026, 12, 1, 9, 0)
    for _ in range(50):
        add_business_time(CHINA, start, 60 * 9 * HOUR)  # 60 working days: into 2027
    info = public_year.cache_info()
    assert info.misses == 2  # 2026 and 2027
    assert info.hits > 50 * 60


def test_a_country_the_package_does_not_know_counts_as_no_public_holidays(caplog):
    calendar = Calendar("Asia/Tokyo", OFFICE_HOURS, country="XX")
    start = local(calendar, 2026, 11, 20, 17, 0)
    assert add_business_time(calendar, start, 2 * HOUR) == local(calendar, 2026, 11, 23, 10, 0)
    assert "knows no country 'XX'" in caplog.text


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(NoWorkingTime):
        add_business_time(Calendar("UTC", {}), datetime(2026, 1, 1, tzinfo=UTC), HOUR)


def test_negative_durations_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(SHANGHAI, datetime(2026, 1, 1, tzinfo=UTC), -1)


CALENDARS = st.sampled_from([SHANGHAI, TOKYO_SHIFTS, NEW_YORK, SPLIT_BERLIN, CHINA, JAPAN])
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    calendar=CALENDARS, start=INSTANTS, seconds=st.integers(min_value=0, max_value=90 * 24 * HOUR)
)
def test_adding_then_measuring_business_time_round_trips(calendar, start, seconds):
    end = add_business_time(calendar, start, seconds)
    assert end >= start
    assert business_seconds_between(calendar, start, end) == pytest.approx(seconds, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    calendar=CALENDARS,
    start=INSTANTS,
    first=st.integers(min_value=0, max_value=20 * 24 * HOUR),
    second=st.integers(min_value=0, max_value=20 * 24 * HOUR),
)
def test_adding_in_two_steps_equals_adding_once(calendar, start, first, second):
    middle = add_business_time(calendar, start, first)
    assert (
        add_business_time(calendar, middle, second)
        == add_business_time(calendar, start, first + second)
        or second == 0
    )


@settings(max_examples=200, deadline=None)
@given(calendar=CALENDARS, a=INSTANTS, gap=st.integers(min_value=0, max_value=30 * 24 * HOUR))
def test_business_time_never_exceeds_elapsed_time(calendar, a, gap):
    b = a + timedelta(seconds=gap)
    assert 0 <= business_seconds_between(calendar, a, b) <= gap
