"""QA over a worked history, for the demo and the benchmark: each night's sampling as the task
runs it, and the reviewers' scores a day later, so that the QA inbox, the quality dashboard and
the specialists' own numbers have weeks of reviews to show.

The scores go through the scoring service (its checks and the review's history), then take
the moment the reviewer would have scored at: the service stamps the present."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from quality.models import QAReview, QAReviewEvent
from quality.qa.reviews import submit_review
from quality.qa.sampling import sample_decisions
from quality.qa_status import ItemResult, QAEventKind, QAStatus

SAMPLED_AT = time(1, 30)  # the nightly task's hour
# Chance that an item is failed; the first items (the decision and the amount) fail least.
FAILURE_CHANCE = {"decision_correct": 0.04, "amount_correct": 0.06}
OTHER_FAILURE_CHANCE = 0.1
NOT_APPLICABLE_CHANCE = 0.05


@dataclass(frozen=True)
class QAHistory:
    sampled: int
    scored: int


def review_history(*, first: date, last: date, due_days: int = 2, seed: int = 11) -> QAHistory:
    """Sample every day from `first` to `last`, then score the reviews sampled more than
    `due_days` days before the last night; the later ones stay due (the inbox's work)."""
    zone = timezone.get_default_timezone()
    sampled = 0
    day = first
    while day <= last:
        night = datetime.combine(day + timedelta(days=1), SAMPLED_AT, tzinfo=zone)
        run = sample_decisions(day=day, now=night)
        # The history's lines at the night's hour, as the task would have written them.
        QAReviewEvent.objects.filter(review__in=run.sampled).update(created_at=night)
        sampled += len(run.sampled)
        day += timedelta(days=1)
    cutoff = datetime.combine(last + timedelta(days=1 - due_days), SAMPLED_AT, tzinfo=zone)
    due = (
        QAReview.objects.filter(status=QAStatus.DUE, reviewer__isnull=False, sampled_at__lt=cutoff)
        .prefetch_related("rubric__items")
        .order_by("pk")
    )
    users = get_user_model().objects.in_bulk({review.reviewer_id for review in due})
    scored = 0
    # Seeded by the review's place in the history, not its id: ids depend on what the database
    # held before, so the same seed would score the same history differently.
    for index, review in enumerate(due):
        _score(review, users[review.reviewer_id], random.Random(seed * 100_003 + index))
        scored += 1
    return QAHistory(sampled=sampled, scored=scored)


@transaction.atomic
def _score(review: QAReview, reviewer, rng: random.Random) -> None:
    marks = {}
    for item in review.rubric.items.all():
        roll = rng.random()
        if roll < FAILURE_CHANCE.get(item.code, OTHER_FAILURE_CHANCE):
            marks[item.code] = ItemResult.FAILED
        elif not item.critical and roll > 1 - NOT_APPLICABLE_CHANCE:
            marks[item.code] = ItemResult.NOT_APPLICABLE
        else:
            marks[item.code] = ItemResult.PASSED
    error = Decimal(0)
    if marks.get("amount_correct") == ItemResult.FAILED and review.reviewed_amount:
        share = Decimal(rng.choice((-20, -10, -5, 5, 10, 25))) / 100
        error = (review.reviewed_amount * share).quantize(Decimal("0.01"))
    submit_review(review=review, by=reviewer, items=marks, money_error=error)
    # Scored between the next morning and two days after the sampling, in working hours.
    moment = review.sampled_at + timedelta(hours=rng.randint(7, 16), days=rng.randint(0, 1))
    QAReview.objects.filter(pk=review.pk).update(submitted_at=moment, updated_at=moment)
    QAReviewEvent.objects.filter(review=review, kind=QAEventKind.SUBMITTED).update(
        created_at=moment
    )
