"""Rows every database needs (queues, roles, policies): created by migrations, and again by
the test suite after a transactional test has flushed the tables."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.apps import apps as installed_apps

from disputes.claim_types import CLAIM_TYPES, QUEUES
from disputes.roles import sync_roles
from quality.rubric_defaults import create_default_rubric


def create_queues(apps, schema_editor=None) -> None:
    queue_model = apps.get_model("disputes", "Queue")
    for slug, (name, description) in QUEUES.items():
        queue_model.objects.get_or_create(
            slug=slug, defaults={"name": str(name), "description": str(description)}
        )


def create_default_policies(apps, schema_editor=None) -> None:
    policy_model = apps.get_model("reimbursements", "ReimbursementPolicy")
    for code, claim_type in CLAIM_TYPES.items():
        policy_model.objects.get_or_create(
            claim_type=code,
            version=1,
            defaults={
                "filing_window_days": claim_type.filing_window_days,
                "opens_after_days": claim_type.opens_after_days,
            },
        )


# Version 1 of the fee tables: (tier, longest side up to cm, weight up to g, fee per currency).
FEE_TIERS = (
    (
        "Small standard",
        "38.0",
        450,
        {
            "USD": "3.22",
            "EUR": "2.95",
            "GBP": "2.60",
            "JPY": "434",
            "CNY": "23.00",
            "INR": "268.00",
        },
    ),
    (
        "Large standard",
        "45.0",
        9000,
        {
            "USD": "5.40",
            "EUR": "4.95",
            "GBP": "4.35",
            "JPY": "728",
            "CNY": "38.50",
            "INR": "450.00",
        },
    ),
    (
        "Small oversize",
        "152.0",
        31500,
        {
            "USD": "9.73",
            "EUR": "8.90",
            "GBP": "7.85",
            "JPY": "1311",
            "CNY": "69.40",
            "INR": "810.00",
        },
    ),
    (
        "Large oversize",
        "999.0",
        68000,
        {
            "USD": "19.05",
            "EUR": "17.45",
            "GBP": "15.35",
            "JPY": "2567",
            "CNY": "135.80",
            "INR": "1586.00",
        },
    ),
)


def create_fee_tables(apps, schema_editor=None) -> None:
    table_model = apps.get_model("reimbursements", "FeeTable")
    tier_model = apps.get_model("reimbursements", "FeeTier")
    for currency in FEE_TIERS[0][3]:
        table, created = table_model.objects.get_or_create(currency=currency, version=1)
        if not created:
            continue
        for name, longest, weight, fees in FEE_TIERS:
            tier_model.objects.create(
                table=table,
                name=name,
                max_longest_cm=Decimal(longest),
                max_weight_g=weight,
                fee=Decimal(fees[currency]),
            )


CALENDARS = {
    # name: (time zone, {weekday: [(start, end)]})
    "Standard (UTC)": ("UTC", {d: [("08:00", "20:00")] for d in range(5)}),
    "Shanghai office": ("Asia/Shanghai", {d: [("09:00", "18:00")] for d in range(5)}),
    "Tokyo shifts": ("Asia/Tokyo", {d: [("08:00", "20:00")] for d in range(7)}),
}
# Whose public holidays each seeded calendar keeps (from its time zone); UTC keeps none.
CALENDAR_COUNTRIES = {"Shanghai office": "CN", "Tokyo shifts": "JP"}


def create_sla_defaults(apps, schema_editor=None) -> None:
    """Three calendars, a default policy and a faster one for urgent cases."""
    calendar_model = apps.get_model("disputes", "BusinessCalendar")
    hours_model = apps.get_model("disputes", "WorkingHours")
    policy_model = apps.get_model("disputes", "SlaPolicy")
    for name, (zone, week) in CALENDARS.items():
        calendar, created = calendar_model.objects.get_or_create(
            name=name, defaults={"time_zone": zone}
        )
        if created:
            for weekday, spans in week.items():
                for start, end in spans:
                    hours_model.objects.create(
                        calendar=calendar,
                        weekday=weekday,
                        start=time.fromisoformat(start),
                        end=time.fromisoformat(end),
                    )
    standard = calendar_model.objects.get(name="Standard (UTC)")
    policy_model.objects.get_or_create(
        queue=None,
        priority=None,
        defaults={
            "name": "Default",
            "calendar": standard,
            "first_response_minutes": 240,
            "next_response_minutes": 480,
            "resolution_minutes": 2160,
        },
    )
    policy_model.objects.get_or_create(
        queue=None,
        priority=4,
        defaults={
            "name": "Urgent",
            "calendar": standard,
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 720,
            "breach_action": "escalate",
        },
    )


def name_calendar_countries(apps, schema_editor=None) -> None:
    """The seeded calendars take their country's public holidays; a calendar that already
    names a country or a subdivision is left as it is."""
    calendar_model = apps.get_model("disputes", "BusinessCalendar")
    for name, country in CALENDAR_COUNTRIES.items():
        calendar_model.objects.filter(name=name, country="", subdivision="").update(country=country)


def ensure_reference_data() -> None:
    create_queues(installed_apps)
    sync_roles(installed_apps)
    create_default_policies(installed_apps)
    create_sla_defaults(installed_apps)
    name_calendar_countries(installed_apps)
    create_fee_tables(installed_apps)
    create_default_rubric(installed_apps)
