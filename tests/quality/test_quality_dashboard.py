"""The quality dashboard: QA scores per specialist against the period before, the weekly trend,
critical failures and financial accuracy, against the reviews themselves; the page and its
CSVs. Its query count is pinned with the other dashboards' (test_dashboards.TEAM_PAGES)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.urls import reverse

from quality.filters import DashboardFilterForm
from quality.models import QAReview
from quality.qa import submit_review
from quality.rollups import roll_up
from quality.selectors.qa_dashboard import quality_dashboard
from tests.quality.qa_cases import ALL_PASS, Cases, due_review

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": "2026-11-09", "date_to": "2026-11-22"}  # two weeks from a Monday
WRONG = {**ALL_PASS, "decision_correct": "failed"}  # a critical item
SLOW = {**ALL_PASS, "sla_kept": "failed"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def filters(**data):
    form = DashboardFilterForm({**PERIOD, **data})
    assert form.is_valid(), form.errors
    return form.filters()


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scored(time_machine, cases, specialist, reviewer, when, marks, *, amount="100.00", error="0"):
    (decision,) = cases.decide(
        [(specialist, at(when) - timedelta(days=1))], amount=Decimal(amount), outcome="approved"
    )
    review = due_review(decision, reviewer=reviewer)
    time_machine.move_to(at(when), tick=False)
    return submit_review(review=review, by=reviewer, items=marks, money_error=Decimal(error))


@pytest.fixture
def month(time_machine, specialist, specialist2, qa):
    usd, eur = Cases(), Cases(currency="EUR")
    scored(time_machine, usd, specialist, qa, "2026-11-03T10:00", ALL_PASS)  # the period before
    scored(time_machine, usd, specialist, qa, "2026-11-10T10:00", WRONG, error="25.00")
    scored(time_machine, usd, specialist, qa, "2026-11-18T10:00", SLOW, error="-5.00")
    scored(time_machine, eur, specialist2, qa, "2026-11-11T10:00", ALL_PASS, amount="80.00")
    scored(time_machine, usd, specialist2, qa, "2026-11-25T10:00", WRONG)  # after the period
    time_machine.move_to(at("2026-11-23T09:00"), tick=False)


def average(reviews) -> Decimal:
    total = sum(review.score for review in reviews) / len(reviews)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def scored_between(first: str, last: str, **narrow) -> list[QAReview]:
    return list(
        QAReview.objects.filter(
            submitted_at__date__gte=date.fromisoformat(first),
            submitted_at__date__lte=date.fromisoformat(last),
            **narrow,
        )
    )


@pytest.mark.parametrize("rolled_up", [False, True])
def test_the_figures_equal_the_reviews_counted_one_by_one(
    month, specialist, specialist2, rolled_up
):
    if rolled_up:
        roll_up(now=at("2026-11-24T00:00"))
    data = quality_dashboard(filters())
    now = scored_between("2026-11-09", "2026-11-22")
    before = scored_between("2026-10-26", "2026-11-08")
    assert (data.previous_from, data.previous_to) == (date(2026, 10, 26), date(2026, 11, 8))
    assert data.reviews == len(now) == 3 and data.average_score == average(now)
    assert data.critical_failures == sum(review.failed for review in now) == 1
    rows = {row["specialist_pk"]: row for row in data.specialists}
    mine = [review for review in now if review.specialist_id == specialist.pk]
    assert rows[specialist.pk]["qa"].average_score == average(mine)
    assert rows[specialist.pk]["previous"].average_score == average(before) == Decimal(100)
    assert rows[specialist.pk]["change"] == average(mine) - average(before) < 0
    assert rows[specialist2.pk]["previous"] is None and rows[specialist2.pk]["change"] is None
    assert data.specialists[0]["specialist_pk"] == specialist.pk  # the lowest score first
    # The trend: one row per week of the period, each specialist's own average in it.
    assert [week.monday for week in data.weeks] == [date(2026, 11, 9), date(2026, 11, 16)]
    first_week = scored_between("2026-11-09", "2026-11-15")
    assert data.weeks[0].average_score == average(first_week)
    assert data.weeks[0].by_specialist == {
        specialist.pk: average([r for r in first_week if r.specialist_id == specialist.pk]),
        specialist2.pk: Decimal(100),
    }
    assert (data.weeks[1].reviews, data.weeks[1].critical_failures) == (1, 0)
    # The team's financial accuracy per currency: 1 − (25 + 5) / 200 in dollars.
    money = {m.currency: m for m in data.money}
    assert money["USD"].reviewed_amount == sum(
        r.reviewed_amount for r in now if r.currency == "USD"
    )
    assert (money["USD"].money_error, money["USD"].accuracy_percent) == (20, Decimal("85.00"))
    assert money["EUR"].accuracy_percent == Decimal("100.00")


def test_the_specialist_filter_narrows_and_an_empty_period_shows_nothing(
    month, specialist, specialist2
):
    data = quality_dashboard(filters(specialist=specialist2.pk))
    assert [row["specialist_pk"] for row in data.specialists] == [specialist2.pk]
    empty = quality_dashboard(filters(date_from="2026-09-01", date_to="2026-09-07"))
    assert (empty.reviews, empty.average_score, empty.specialists, empty.money) == (0, None, [], [])
    assert [week.reviews for week in empty.weeks] == [0, 0]


def test_a_lead_and_a_qa_reviewer_open_the_page_and_a_specialist_gets_403(
    month, lead, qa, specialist
):
    for user in (lead, qa):
        body = browser_for(user).get(reverse("quality:quality"), PERIOD).content.decode()
        assert 'data-figure="score"' in body and 'id="chart-quality"' in body
        assert 'data-figure="accuracy-USD">85.00%' in body
    assert browser_for(specialist).get(reverse("quality:quality")).status_code == 403


def test_every_table_downloads_as_csv(month, lead, specialist):
    client = browser_for(lead)
    tables = {}
    for name in ("specialists", "financial-accuracy", "weeks"):
        response = client.get(reverse("quality:quality"), {**PERIOD, "export": name})
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode()
        tables[name] = list(csv.reader(io.StringIO(body)))
    assert tables["specialists"][0][:3] == ["Specialist", "QA reviews", "Average QA score"]
    assert tables["specialists"][1][:2] == ["spec", "2"]
    assert [row[0] for row in tables["weeks"][1:]] == ["2026-11-09", "2026-11-16"]
    assert {row[1] for row in tables["financial-accuracy"][1:]} == {"USD", "EUR"}
