"""The quality dashboard: QA scores per specialist against the period before, their weekly
trend, critical failures and financial accuracy, from the QA daily rollups (a fixed number of
queries whatever the number of reviews)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from quality.models import QADailyRollup
from quality.selectors.common import DashboardFilters, Rollups, user_names
from quality.selectors.qa import CurrencyAccuracy, pending_qa_rows, qa_figures

CENT = Decimal("0.01")


@dataclass
class WeekScores:
    """One week (from its Monday, cut to the dates chosen) of scored reviews."""

    monday: date
    reviews: int
    average_score: Decimal | None
    critical_failures: int
    by_specialist: dict[int, Decimal | None]


@dataclass
class QualityDashboard:
    specialists: list[dict]  # name, this period's SpecialistQA, the period before's, the change
    weeks: list[WeekScores]
    reviews: int
    average_score: Decimal | None
    critical_failures: int
    money: list[CurrencyAccuracy]  # the team's, per currency
    previous_from: date
    previous_to: date


def _average(total, reviews: int) -> Decimal | None:
    return (Decimal(total) / reviews).quantize(CENT, rounding=ROUND_HALF_UP) if reviews else None


def _specialist_ids(filters: DashboardFilters) -> list[int] | None:
    """The QA rollups know the specialist, not the case's queue or marketplace: the team and
    specialist filters apply, the others do not (the page says so)."""
    if filters.specialist_pk:
        return [filters.specialist_pk]
    if filters.team is not None:
        return sorted(filters.team_member_pks)
    return None


def quality_dashboard(filters: DashboardFilters) -> QualityDashboard:
    ids = _specialist_ids(filters)
    pending = Rollups(filters).delta
    days = (filters.day_to - filters.day_from).days + 1
    previous_from = filters.day_from - timedelta(days=days)
    previous_to = filters.day_from - timedelta(days=1)
    current = {
        row.specialist_id: row
        for row in qa_figures(
            start=filters.day_from, end=filters.day_to, specialist_ids=ids, pending=pending
        )
    }
    before = {
        row.specialist_id: row
        for row in qa_figures(
            start=previous_from, end=previous_to, specialist_ids=ids, pending=pending
        )
    }
    names = user_names(current)
    specialists = sorted(
        (
            {
                "specialist_pk": pk,
                "specialist": names.get(pk, "—"),
                "qa": qa,
                "previous": before.get(pk),
                "change": (
                    qa.average_score - before[pk].average_score
                    if pk in before and qa.average_score is not None
                    else None
                ),
            }
            for pk, qa in current.items()
        ),
        key=lambda row: (row["qa"].average_score or 0, row["specialist"]),
    )
    money: dict[str, CurrencyAccuracy] = {}
    for qa in current.values():
        for figures in qa.money:
            team = money.setdefault(
                figures.currency,
                CurrencyAccuracy(figures.currency, Decimal(0), Decimal(0), Decimal(0)),
            )
            team.reviewed_amount += figures.reviewed_amount
            team.money_error += figures.money_error
            team.money_error_gross += figures.money_error_gross
    reviews = sum(qa.reviews for qa in current.values())
    return QualityDashboard(
        specialists=specialists,
        weeks=_weeks(filters, ids, pending),
        reviews=reviews,
        average_score=_average(sum(qa.score_total for qa in current.values()), reviews),
        critical_failures=sum(qa.critical_failures for qa in current.values()),
        money=[money[currency] for currency in sorted(money)],
        previous_from=previous_from,
        previous_to=previous_to,
    )


def _weeks(filters: DashboardFilters, ids: list[int] | None, pending) -> list[WeekScores]:
    """The weekly trend: the days' rollup rows (one query) and the pending rows, summed per week
    and per specialist in the week."""
    rows = QADailyRollup.objects.filter(day__gte=filters.day_from, day__lte=filters.day_to)
    if ids is not None:
        rows = rows.filter(specialist_pk__in=ids)
    sums: dict[tuple[date, int], list] = defaultdict(lambda: [0, Decimal(0), 0])

    def add(day: date, specialist_pk: int, reviews, score_total, failures) -> None:
        row = sums[day - timedelta(days=day.weekday()), specialist_pk]
        row[0] += reviews
        row[1] += score_total
        row[2] += failures

    for row in (
        rows.values("day", "specialist_pk")
        .order_by()
        .annotate(
            reviews=Sum("reviews"),
            score_total=Sum("score_total"),
            failures=Sum("critical_failures"),
        )
    ):
        add(row["day"], row["specialist_pk"], row["reviews"], row["score_total"], row["failures"])
    for day, specialist_pk, _currency, changes in pending_qa_rows(
        pending, start=filters.day_from, end=filters.day_to, specialist_ids=ids
    ):
        add(
            day,
            specialist_pk,
            changes.get("reviews", 0),
            changes.get("score_total", 0),
            changes.get("critical_failures", 0),
        )
    first = filters.day_from - timedelta(days=filters.day_from.weekday())
    weeks = []
    monday = first
    while monday <= filters.day_to:
        mine = {pk: row for (week, pk), row in sums.items() if week == monday and row[0]}
        reviews = sum(row[0] for row in mine.values())
        weeks.append(
            WeekScores(
                monday=monday,
                reviews=reviews,
                average_score=_average(sum(row[1] for row in mine.values()), reviews),
                critical_failures=sum(row[2] for row in mine.values()),
                by_specialist={pk: _average(row[1], row[0]) for pk, row in mine.items()},
            )
        )
        monday += timedelta(days=7)
    return weeks
