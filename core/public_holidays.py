"""Public holidays per country from the `holidays` package, for the business calendars.

The package computes a year's holidays from rules on demand. Business-time arithmetic asks
about one date at a time, many times per deadline, so each (country, subdivision, year) is
expanded once per process and kept as two frozensets: the days off and the weekend days that
are official working days (China's make-up working days, 调休).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays
from holidays import registry

# Django language code → the package's language code for holiday names.
_NAME_LANGUAGES = {"en": "en_US", "zh-hans": "zh_CN", "ja": "ja"}
_SMALL_WORDS = {"and", "of", "the"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublicYear:
    """One year of a country's public calendar."""

    days_off: frozenset[date]
    working_days: frozenset[date]  # weekend dates that are official working days


@lru_cache(maxsize=1024)
def public_year(country: str, subdivision: str, year: int) -> PublicYear:
    """The country's public holidays and make-up working days of `year`, computed once.

    A code the installed package does not know (a row saved around the validation, a code a
    package upgrade dropped) counts as no public holidays, with a warning, rather than
    stopping every deadline of the calendar."""
    try:
        table = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        logger.warning(
            "The holidays package knows no country %r (subdivision %r): no public holidays.",
            country,
            subdivision,
        )
        return PublicYear(days_off=frozenset(), working_days=frozenset())
    return PublicYear(
        days_off=frozenset(day for day in table if day.year == year),
        working_days=frozenset(day for day in table.weekend_workdays if day.year == year),
    )


def _country_name(module: str) -> str:
    return " ".join(
        word if word in _SMALL_WORDS and i else word.capitalize()
        for i, word in enumerate(module.split("_"))
    )


@lru_cache(maxsize=1)
def supported_countries() -> dict[str, str]:
    """ISO 3166 alpha-2 code → English name, for every country the package knows."""
    names = {entry[1]: _country_name(module) for module, entry in registry.COUNTRIES.items()}
    codes = holidays.list_supported_countries(include_aliases=False)
    return {code: names.get(code, code) for code in sorted(codes) if len(code) == 2}


def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the package knows for `country` (e.g. ENG, SCT for GB)."""
    return tuple(holidays.list_supported_countries(include_aliases=False).get(country, ()))


def public_days_between(
    country: str, subdivision: str, start: date, end: date, *, language: str = ""
) -> list[tuple[date, str, bool]]:
    """(date, name, is a working day) of the public holidays and make-up working days from
    `start` to `end` inclusive, in date order; names in `language` (a Django code) if the
    package has it for that country."""
    years = range(start.year, end.year + 1)
    supported = holidays.list_localized_countries(include_aliases=False).get(country, [])
    wanted = _NAME_LANGUAGES.get(language, "en_US")
    if wanted not in supported:
        wanted = "en_US" if "en_US" in supported else None
    try:
        table = holidays.country_holidays(
            country, subdiv=subdivision or None, years=years, language=wanted
        )
    except NotImplementedError:  # an unknown code: the admin page must still open to fix it
        return []
    days = [(day, name, False) for day, name in table.items() if start <= day <= end]
    days += [
        (day, "", True)
        for year in years
        for day in public_year(country, subdivision, year).working_days
        if start <= day <= end
    ]
    return sorted(days)
