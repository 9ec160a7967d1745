"""QA sampling over a generated month: the random share, the new-specialist boost, the weekly
minimum, high amounts and overrides always, outcomes that moved later, reruns that sample
nothing new, and reviewers who never review their own decision or a payout they approved."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from core.errors import NotAllowed, TransitionNotAllowed
from quality.models import QAReview
from quality.qa import draw, sample_decisions, send_to_qa
from quality.tasks import sample_for_qa_task
from reimbursements.models import Reversal
from tests.factories import StaffFactory
from tests.quality.qa_cases import Cases

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)  # four ISO weeks: 2026-W45 … W48
DAYS = [MONDAY + timedelta(days=n) for n in range(28)]
RATE, NEW_RATE, MINIMUM = 0.10, 0.50, 2


def at(day: date, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=minute)


@pytest.fixture(autouse=True)
def qa_settings(settings):
    settings.ARBITER = {
        **django_settings.ARBITER,
        "QA_SAMPLE_RATE": RATE,
        "QA_NEW_SPECIALIST_RATE": NEW_RATE,
        "QA_NEW_SPECIALIST_DAYS": 60,
        "QA_MIN_PER_WEEK": MINIMUM,
        "QA_HIGH_AMOUNT_USD": "1000.00",
    }


def staff(name: str, role: str, joined: str) -> object:
    user = StaffFactory(username=name, role=role)
    user.date_joined = datetime.fromisoformat(joined).replace(tzinfo=UTC)
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def people(qa, lead, lead2):
    return {
        "veteran": staff("veteran", "Specialist", "2024-03-01"),
        "rookie": staff("rookie", "Specialist", "2026-10-20"),  # first 60 days: to 2026-12-19
        "part_timer": staff("part-timer", "Specialist", "2023-01-01"),
        "qa": qa,
        "lead": lead,
        "lead2": lead2,
    }


@pytest.fixture
def month(people):
    """280 decisions each for the veteran and the rookie, three a week for the part-timer, and
    a few high amounts and overrides by the veteran."""
    usd, jpy = Cases(), Cases(currency="JPY")
    made = {
        "veteran": [],
        "rookie": [],
        "part_timer": [],
        "high": [],
        "low_jpy": [],
        "override": [],
    }
    for day in DAYS:
        made["veteran"] += usd.decide([(people["veteran"], at(day, n)) for n in range(10)])
        made["rookie"] += usd.decide([(people["rookie"], at(day, n)) for n in range(10)])
        if day.isoweekday() in (1, 3, 5):
            made["part_timer"] += usd.decide([(people["part_timer"], at(day, 30))])
    for day in DAYS[3::7]:
        made["high"] += usd.decide(
            [(people["veteran"], at(day, 40))], amount=Decimal("1000.01"), outcome="approved"
        )
        made["high"] += jpy.decide(  # 200,000 JPY ≈ 1,333 USD
            [(people["veteran"], at(day, 41))], amount=Decimal("200000"), outcome="approved"
        )
        made["low_jpy"] += jpy.decide(  # 100,000 JPY ≈ 667 USD: not high
            [(people["veteran"], at(day, 42))], amount=Decimal("100000"), outcome="approved"
        )
        (override,) = usd.decide(
            [(people["veteran"], at(day, 43))], amount=Decimal("90.00"), outcome="approved"
        )
        usd.pay(
            override, amount=Decimal("90.00"), proposed=Decimal("75.00"), approver=people["lead"]
        )
        made["override"].append(override)
    return made


def run_month() -> list:
    return [sample_decisions(day=day, now=at(day + timedelta(days=1))) for day in DAYS]


def reviews_of(decisions) -> dict[int, QAReview]:
    return {r.decision_id: r for r in QAReview.objects.filter(decision__in=decisions)}


def test_a_month_samples_the_share_with_a_boost_for_new_specialists(month):
    run_month()
    veteran = reviews_of(month["veteran"])
    drawn = {d.pk for d in month["veteran"] if draw(d.pk) < RATE}
    # Exactly the decisions whose draw is under the rate (the veteran never needs the minimum).
    assert {pk for pk, r in veteran.items() if r.reason == "random"} == drawn
    assert set(veteran) == drawn
    assert 8 <= len(drawn) <= 48  # 10% of 280 = 28, ± 4 standard deviations

    rookie = reviews_of(month["rookie"])
    assert {r.reason for r in rookie.values()} <= {"new_specialist"}
    assert set(rookie) == {d.pk for d in month["rookie"] if draw(d.pk) < NEW_RATE}
    assert 100 <= len(rookie) <= 180  # 50% of 280 = 140 ± 4 sd
    assert len(rookie) > 2 * len(veteran)


def test_the_weekly_minimum_tops_up_a_specialist_with_few_decisions(month):
    run_month()
    reviews = reviews_of(month["part_timer"])
    for week in range(4):
        decisions = [
            d for d in month["part_timer"] if (d.decided_at.date() - MONDAY).days // 7 == week
        ]
        assert len(decisions) == 3
        in_qa = [reviews[d.pk] for d in decisions if d.pk in reviews]
        random = [r for r in in_qa if r.reason == "random"]
        assert len(in_qa) == max(MINIMUM, len(random))
        topped_up = [r for r in in_qa if r.reason == "weekly_minimum"]
        assert len(topped_up) == max(0, MINIMUM - len(random))
        # Sampled on the week's Sunday, not before.
        assert all(r.sampled_at.date() == MONDAY + timedelta(days=7 * week + 7) for r in topped_up)


def test_high_amounts_and_overrides_are_always_sampled(month):
    run_month()
    high = reviews_of(month["high"])
    assert len(high) == 8 and {r.reason for r in high.values()} == {"high_amount"}
    override = reviews_of(month["override"])
    assert len(override) == 4 and {r.reason for r in override.values()} == {"override"}
    low = reviews_of(month["low_jpy"])
    assert {r.reason for r in low.values()} <= {"random"}
    assert set(low) == {d.pk for d in month["low_jpy"] if draw(d.pk) < RATE}
    assert {r.reviewed_amount for r in high.values()} == {Decimal("1000.01"), Decimal("200000")}


def test_reruns_sample_nothing_new(month):
    first = run_month()
    count = QAReview.objects.count()
    assert count == sum(len(run.sampled) for run in first) > 0
    again = run_month()
    assert [len(run.sampled) for run in again] == [0] * len(DAYS)
    assert QAReview.objects.count() == count
    assert sample_for_qa_task.delay(DAYS[5].isoformat()).get() == 0


def test_nobody_reviews_their_own_decision_or_a_payout_they_approved_and_loads_even_out(
    month, people
):
    run_month()
    reviews = list(QAReview.objects.select_related("decision__reimbursement"))
    assert all(r.reviewer_id and r.reviewer_id != r.specialist_id for r in reviews)
    for review in reviews:
        payout = getattr(review.decision, "reimbursement", None)
        if payout is not None:
            assert review.reviewer_id != payout.approver_id
    loads = Counter(r.reviewer_id for r in reviews)
    assert set(loads) == {people["qa"].pk, people["lead"].pk, people["lead2"].pk}
    assert max(loads.values()) - min(loads.values()) <= 1
    history = Counter(QAReview.objects.values_list("events__kind", flat=True))
    assert history == {"sampled": len(reviews), "assigned": len(reviews)}


def test_a_review_waits_for_a_reviewer_when_only_the_decider_could_take_it(lead):
    Cases().decide([(lead, at(MONDAY))], amount=Decimal("5000"), outcome="approved")
    (review,) = sample_decisions(day=MONDAY).sampled
    assert review.reviewer is None and review.reason == "high_amount"
    qa = StaffFactory(username="qa-new", role="QA Reviewer")
    run = sample_decisions(day=MONDAY + timedelta(days=1))
    assert run.assigned == 1
    review.refresh_from_db()
    assert review.reviewer == qa and review.assigned_at is not None


@pytest.fixture
def quiet(settings):
    """No random draws and no minimum: only the rules that always sample."""
    settings.ARBITER = {**settings.ARBITER, "QA_SAMPLE_RATE": 0, "QA_MIN_PER_WEEK": 0}


def test_an_outcome_that_moved_later_is_sampled_when_the_run_sees_it(quiet, people):
    cases = Cases()
    veteran, other = people["veteran"], people["part_timer"]
    overturned, same, paid = cases.decide([(veteran, at(DAYS[2]))] * 3)
    assert sample_decisions(day=DAYS[2]).sampled == []
    cases.decide(
        [(other, at(DAYS[9]))],
        disputes=[overturned.dispute],
        on_appeal=True,
        outcome="approved",
        amount=Decimal("40.00"),
    )
    cases.decide([(other, at(DAYS[9], 5))], disputes=[same.dispute], on_appeal=True)
    (moved,) = sample_decisions(day=DAYS[9]).sampled
    assert (moved.decision_id, moved.reason) == (overturned.pk, "outcome_moved")

    (refund,) = cases.decide([(veteran, at(DAYS[3]))], amount=Decimal("30"), outcome="approved")
    payout = cases.pay(refund, amount=Decimal("30.00"))
    Reversal.objects.create(
        reference="RVS-1",
        dispute=refund.dispute,
        reimbursement=payout,
        seller=cases.seller,
        status=Reversal.Status.COMPLETED,
        quantity=1,
        unit_value=Decimal("15.00"),
        amount=Decimal("-15.00"),
        currency="USD",
        record_kind="ledger",
        record_id="L-1",
        resolved_by=veteran,
        resolved_at=at(DAYS[12]),
    )
    (reversed_review,) = sample_decisions(day=DAYS[12]).sampled
    assert (reversed_review.decision_id, reversed_review.reason) == (refund.pk, "outcome_moved")
    assert not QAReview.objects.filter(decision__in=[same, paid]).exists()


def test_a_lead_sends_any_decision_to_qa_by_hand_once(people):
    (decision,) = Cases().decide([(people["lead"], at(MONDAY))])
    with pytest.raises(NotAllowed):
        send_to_qa(decision=decision, by=people["qa"], reason="Looks odd.")
    review = send_to_qa(decision=decision, by=people["lead2"], reason="  Looks odd.  ")
    assert review.reason == "by_hand" and review.reviewer_id not in (None, people["lead"].pk)
    sampled = review.events.get(kind="sampled")
    assert (sampled.actor, sampled.note) == (people["lead2"], "Looks odd.")
    with pytest.raises(TransitionNotAllowed):
        send_to_qa(decision=decision, by=people["lead2"], reason="Again.")
    assert sample_decisions(day=MONDAY).sampled == []


def test_the_nightly_task_samples_yesterday_on_the_analytics_queue(people, time_machine):
    time_machine.move_to(at(MONDAY + timedelta(days=1)), tick=False)
    Cases().decide([(people["veteran"], at(MONDAY))], amount=Decimal("2000"), outcome="approved")
    assert sample_for_qa_task.delay().get() == 1
    assert timezone.localdate() == MONDAY + timedelta(days=1)
    assert django_settings.CELERY_TASK_ROUTES["quality.sample_for_qa"] == {"queue": "analytics"}
    beat = django_settings.CELERY_BEAT_SCHEDULE["sample-for-qa"]
    assert beat["task"] == "quality.sample_for_qa"
