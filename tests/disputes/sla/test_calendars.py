"""Business calendars: a country's public holidays from the `holidays` package, hand-added days
on top, validation of the country, the seeded calendars and what the admin shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.business_time import add_business_time
from disputes.models import BusinessCalendar, Holiday, SlaPolicy, WorkingHours

pytestmark = pytest.mark.django_db


def office_calendar(name: str, zone: str, country: str = "", **fields) -> BusinessCalendar:
    """Monday to Friday, 09:00–18:00 local time."""
    calendar = BusinessCalendar.objects.create(name=name, time_zone=zone, country=country, **fields)
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start=time(9), end=time(18))
        for day in range(5)
    )
    return calendar


def default_policy_on(calendar: BusinessCalendar) -> None:
    SlaPolicy.objects.filter(queue=None, priority=None).update(calendar=calendar)


def test_a_first_response_on_a_japanese_calendar_skips_a_japanese_public_holiday(opened):
    default_policy_on(office_calendar("Tokyo office", "Asia/Tokyo", "JP"))
    # Friday 20 Nov 2026, 16:00 in Tokyo; Monday 23 Nov is Labor Thanksgiving Day.
    with time_machine.travel(datetime(2026, 11, 20, 7, 0, tzinfo=UTC), tick=False):
        dispute = opened()
    # 240 business minutes: 2 h on Friday, 2 h on Tuesday 24 Nov (09:00–11:00 in Tokyo).
    assert dispute.first_response_due_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_a_first_response_on_a_us_calendar_works_on_a_japanese_public_holiday(opened):
    default_policy_on(office_calendar("New York office", "America/New_York", "US"))
    # Friday 20 Nov 2026, 16:00 in New York (UTC-5).
    with time_machine.travel(datetime(2026, 11, 20, 21, 0, tzinfo=UTC), tick=False):
        dispute = opened()
    # 2 h on Friday, 2 h on Monday 23 Nov (09:00–11:00 in New York).
    assert dispute.first_response_due_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_a_chinese_calendar_skips_the_national_day_week_and_hand_added_days(opened):
    calendar = office_calendar("Guangzhou office", "Asia/Shanghai", "CN")
    Holiday.objects.create(calendar=calendar, date=date(2026, 10, 8), name="Team offsite")
    default_policy_on(calendar)
    # Wednesday 30 Sep 2026, 16:00 in Shanghai; off 1–7 Oct (National Day) and 8 Oct (added).
    with time_machine.travel(datetime(2026, 9, 30, 8, 0, tzinfo=UTC), tick=False):
        dispute = opened()
    assert dispute.first_response_due_at == datetime(2026, 10, 9, 3, 0, tzinfo=UTC)


def test_as_calendar_carries_the_country_and_both_kinds_of_hand_added_days():
    calendar = office_calendar("Shenzhen office", "Asia/Shanghai", "CN")
    Holiday.objects.create(calendar=calendar, date=date(2026, 12, 24), name="Company day")
    Holiday.objects.create(calendar=calendar, date=date(2026, 10, 2), is_working_day=True)
    plain = BusinessCalendar.objects.prefetch_related("hours", "holidays").get(pk=calendar.pk)
    result = plain.as_calendar()
    assert result.country == "CN"
    assert result.holidays == frozenset({date(2026, 12, 24)})
    assert result.working_days == frozenset({date(2026, 10, 2)})
    start = datetime(2026, 9, 30, 17, 0, tzinfo=result.zone)
    assert add_business_time(result, start, 2 * 3600) == datetime(
        2026, 10, 2, 10, 0, tzinfo=result.zone
    )


@pytest.mark.parametrize("country", ["CN", "JP", "US", "GB", ""])
def test_a_country_the_package_knows_or_none_is_accepted(country):
    BusinessCalendar(name="Office", time_zone="UTC", country=country).full_clean()


@pytest.mark.parametrize("country", ["XX", "cn", "JPN", "EU"])
def test_an_unknown_country_is_refused_with_a_clear_message(country):
    calendar = BusinessCalendar(name="Office", time_zone="UTC", country=country)
    with pytest.raises(ValidationError) as refused:
        calendar.full_clean()
    messages = refused.value.message_dict["country"]
    assert any(
        message.startswith(f"{country} is not a country the holidays package knows")
        and "such as CN, JP or US" in message
        for message in messages
    ), messages


def test_a_subdivision_must_belong_to_the_country():
    BusinessCalendar(name="London", time_zone="UTC", country="GB", subdivision="ENG").full_clean()
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar(
            name="London", time_zone="UTC", country="GB", subdivision="CA"
        ).full_clean()
    assert refused.value.message_dict["subdivision"] == [
        "CA is not a subdivision of GB in the holidays package (it knows: ENG, NIR, SCT, WLS)."
    ]
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar(name="London", time_zone="UTC", subdivision="ENG").full_clean()
    assert refused.value.message_dict["subdivision"] == ["A subdivision needs a country."]


def test_the_seeded_calendars_name_the_countries_of_their_time_zones():
    countries = dict(BusinessCalendar.objects.values_list("name", "country"))
    assert countries == {"Standard (UTC)": "", "Shanghai office": "CN", "Tokyo shifts": "JP"}


def test_the_admin_offers_the_package_countries_and_shows_the_coming_public_holidays(
    admin_client,
):
    shanghai = BusinessCalendar.objects.get(name="Shanghai office")
    Holiday.objects.create(calendar=shanghai, date=date(2026, 12, 24), name="Company day")
    url = reverse("admin:disputes_businesscalendar_change", args=[shanghai.pk])
    with time_machine.travel(datetime(2026, 9, 1, 4, 0, tzinfo=UTC), tick=False):
        page = admin_client.get(url).content.decode()
    assert '<option value="CN" selected>CN — China</option>' in page
    assert "2026-10-01" in page and "National Day" in page
    assert "2026-09-20" in page and "official working day (make-up day)" in page
    assert "2027-10-01" not in page  # only the next 12 months
    assert "Company day" in page  # the hand-added days, in their inline


def test_the_admin_says_when_a_calendar_names_no_country(admin_client):
    standard = BusinessCalendar.objects.get(name="Standard (UTC)")
    page = admin_client.get(reverse("admin:disputes_businesscalendar_change", args=[standard.pk]))
    assert "None: the calendar names no country." in page.content.decode()
    new = admin_client.get(reverse("admin:disputes_businesscalendar_add"))
    assert new.status_code == 200
    assert "— none: no public holidays —" in new.content.decode()


def test_the_admin_saves_a_country_and_refuses_an_unknown_one(admin_client):
    calendar = office_calendar("Berlin office", "Europe/Berlin")
    url = reverse("admin:disputes_businesscalendar_change", args=[calendar.pk])
    form = {
        "name": "Berlin office",
        "time_zone": "Europe/Berlin",
        "country": "DE",
        "subdivision": "BE",
        "hours-TOTAL_FORMS": "0",
        "hours-INITIAL_FORMS": "0",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    assert admin_client.post(url, form).status_code == 302
    calendar.refresh_from_db()
    assert (calendar.country, calendar.subdivision) == ("DE", "BE")
    refused = admin_client.post(url, {**form, "country": "XX"})
    assert refused.status_code == 200
    assert "XX is not one of the available choices" in refused.content.decode()
