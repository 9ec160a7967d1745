"""QA reviews: the score, critical items, the money error, the contest and the lead's verdict,
the rubric's versions, the per-specialist figures, and the reads' query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from core.money import Money
from quality.models import QADailyRollup, QAReview, QARubric
from quality.qa import (
    Mark,
    RubricItemSpec,
    contest_review,
    get_active_rubric,
    publish_rubric_version,
    reassign_review,
    resolve_contest,
    sample_decisions,
    score_of,
    submit_review,
)
from quality.rollups import rebuild_rollups, roll_up
from quality.selectors import get_review_for, list_qa_inbox_for, qa_figures
from tests.factories import StaffFactory
from tests.quality.qa_cases import ALL_PASS, Cases, due_review

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 10, 12, tzinfo=UTC)


@pytest.fixture
def cases():
    return Cases()


@pytest.fixture
def review(cases, specialist, qa):
    (decision,) = cases.decide([(specialist, NOON)], amount=Decimal("200.00"), outcome="approved")
    return due_review(decision, reviewer=qa)


def test_the_default_rubric_v1_is_seeded_with_its_weights_and_critical_items():
    rubric = get_active_rubric()
    assert (rubric.name, rubric.version) == ("Decision quality", 1)
    items = {i.code: (i.weight, i.critical) for i in rubric.items.all()}
    assert items == {
        "decision_correct": (3, True),
        "amount_correct": (3, True),
        "evidence_reviewed": (2, False),
        "policy_followed": (2, False),
        "communication": (1, False),
        "sla_kept": (1, False),
    }


def test_the_score_is_the_weighted_share_of_passed_items_without_not_applicable(review, qa):
    marks = {
        **ALL_PASS,
        "evidence_reviewed": Mark("failed", "  Did not open the ledger.  "),
        "communication": "not_applicable",
    }
    submit_review(review=review, by=qa, items=marks, money_error=None, comment="ok")
    review.refresh_from_db()
    # Counted: 3 + 3 + 2 + 2 + 1 = 11; passed: 11 − 2 = 9 → 81.818… → 81.82.
    assert review.score == Decimal("81.82")
    assert review.failed is False
    assert review.status == QAReview.Status.SUBMITTED
    comments = {row.rubric_item.code: row.comment for row in review.items.all()}
    assert comments["evidence_reviewed"] == "Did not open the ledger."
    assert review.items.count() == 6


def test_a_failed_critical_item_fails_the_review_whatever_the_score(review, qa):
    submit_review(review=review, by=qa, items={**ALL_PASS, "amount_correct": "failed"})
    review.refresh_from_db()
    assert (review.score, review.failed) == (Decimal("75.00"), True)

    # A critical item weighing little still fails a review that scores 99.
    rubric = publish_rubric_version(
        rubric=get_active_rubric(),
        by=None,
        items=[
            RubricItemSpec("minor_but_critical", "Seller told the truth", 1, True),
            RubricItemSpec("everything_else", "Everything else", 99, False),
        ],
    )
    items = list(rubric.items.all())
    result = score_of({items[0]: "failed", items[1]: "passed"})
    assert (result.score, result.failed) == (Decimal("99.00"), True)


def test_a_review_needs_every_item_of_its_rubric_and_a_known_result(review, qa):
    with pytest.raises(InvalidInput) as missing:
        submit_review(review=review, by=qa, items={"decision_correct": "passed"})
    assert "amount_correct" in missing.value.fields
    with pytest.raises(InvalidInput) as unknown:
        submit_review(review=review, by=qa, items={**ALL_PASS, "decision_correct": "maybe"})
    assert "decision_correct" in unknown.value.fields
    with pytest.raises(InvalidInput):
        submit_review(review=review, by=qa, items=dict.fromkeys(ALL_PASS, "not_applicable"))
    with pytest.raises(InvalidInput):
        submit_review(review=review, by=qa, items=ALL_PASS, money_error=Money("5", "EUR"))
    assert QAReview.objects.get(pk=review.pk).status == QAReview.Status.DUE


def test_the_money_error_is_signed_in_the_decisions_currency(review, qa):
    submit_review(review=review, by=qa, items=ALL_PASS, money_error=Decimal("-12.345"))
    review.refresh_from_db()
    assert (review.money_error, review.currency) == (Decimal("-12.35"), "USD")
    assert review.reviewed_amount == Decimal("200.00")


def test_a_review_is_scored_once(review, qa):
    submit_review(review=review, by=qa, items=ALL_PASS)
    with pytest.raises(TransitionNotAllowed):
        submit_review(review=review, by=qa, items=ALL_PASS)


def test_nobody_reviews_their_own_decision(cases, lead, qa, specialist):
    (decision,) = cases.decide([(lead, NOON)])
    review = due_review(decision, reviewer=qa)
    with pytest.raises(NotAllowed) as refused:
        submit_review(review=review, by=lead, items=ALL_PASS)
    assert refused.value.code == "self_review"
    with pytest.raises(NotAllowed):  # a specialist scores nothing
        submit_review(review=review, by=specialist, items=ALL_PASS)
    with pytest.raises(IntegrityError), transaction.atomic():
        QAReview.objects.filter(pk=review.pk).update(reviewer=lead)


def test_nobody_reviews_a_payout_they_approved(cases, specialist, lead, lead2):
    (decision,) = cases.decide([(specialist, NOON)], amount=Decimal("50.00"), outcome="approved")
    cases.pay(decision, amount=Decimal("50.00"), approver=lead2)
    review = due_review(decision, reviewer=lead)
    with pytest.raises(NotAllowed) as refused:
        submit_review(review=review, by=lead2, items=ALL_PASS)
    assert refused.value.code == "approver_review"
    submit_review(review=review, by=lead, items=ALL_PASS)


def test_a_lead_gives_a_review_to_another_when_its_reviewer_approved_the_payout_since(
    cases, specialist, specialist2, lead, lead2, qa
):
    (decision,) = cases.decide([(specialist, NOON)], amount=Decimal("50.00"), outcome="approved")
    review = due_review(decision, reviewer=lead2)
    cases.pay(decision, amount=Decimal("50.00"), approver=lead2)  # after the sampling
    with pytest.raises(NotAllowed) as refused:
        submit_review(review=review, by=lead2, items=ALL_PASS)
    assert refused.value.code == "approver_review"
    refusals = [
        (dict(to=qa, by=specialist2), "not_allowed"),  # only a team lead hands reviews out
        (dict(to=specialist, by=lead), "not_a_reviewer"),  # the decider, and no reviewer
        (dict(to=lead2, by=lead), "excluded_reviewer"),  # the approver, who has it already
    ]
    for arguments, code in refusals:
        with pytest.raises(NotAllowed) as refused:
            reassign_review(review=review, **arguments)
        assert refused.value.code == code, arguments
    reassign_review(review=review, to=qa, by=lead)
    review.refresh_from_db()
    assert (review.reviewer, review.status) == (qa, "due")
    event = review.events.filter(kind="assigned").latest("id")
    assert (event.actor, event.data) == (lead, {"reviewer": qa.pk, "from": lead2.pk})
    with pytest.raises(NotAllowed) as refused:
        reassign_review(review=review, to=qa, by=lead)
    assert refused.value.code == "same_reviewer"
    submit_review(review=review, by=qa, items=ALL_PASS)
    with pytest.raises(TransitionNotAllowed):  # scored: it stays with who scored it
        reassign_review(review=review, to=lead, by=lead)


def test_someone_elses_review_is_refused_to_a_qa_reviewer_but_a_lead_may_take_it(review, lead):
    other = StaffFactory(username="qa2", role="QA Reviewer")
    with pytest.raises(NotAllowed) as refused:
        submit_review(review=review, by=other, items=ALL_PASS)
    assert refused.value.code == "not_the_reviewer"
    submit_review(review=review, by=lead, items=ALL_PASS)
    review.refresh_from_db()
    assert review.reviewer == lead


@pytest.fixture
def scored(review, qa):
    marks = {**ALL_PASS, "amount_correct": Mark("failed", "Paid 4 units, 2 were found.")}
    return submit_review(review=review, by=qa, items=marks, money_error=Decimal("50.00"))


def test_only_the_reviewed_specialist_contests_and_only_once(scored, specialist, specialist2, qa):
    for stranger in (specialist2, qa):
        with pytest.raises(NotAllowed):
            contest_review(review=scored, by=stranger, reason="No.")
    with pytest.raises(InvalidInput):
        contest_review(review=scored, by=specialist, reason="   ")
    contest_review(review=scored, by=specialist, reason="The 2 found units were another lot.")
    scored.refresh_from_db()
    assert scored.status == QAReview.Status.CONTESTED
    assert scored.contest_reason == "The 2 found units were another lot."
    with pytest.raises(TransitionNotAllowed) as again:
        contest_review(review=scored, by=specialist, reason="Again.")
    assert "once" in again.value.message


def test_a_review_without_a_score_cannot_be_contested(review, specialist):
    with pytest.raises(TransitionNotAllowed):
        contest_review(review=review, by=specialist, reason="Too early.")


def test_a_lead_upholds_a_contest_and_it_is_final(scored, specialist, qa, lead, lead2):
    contest_review(review=scored, by=specialist, reason="I disagree.")
    with pytest.raises(NotAllowed):  # QA reviewers do not settle contests
        resolve_contest(review=scored, by=qa, verdict="uphold", note="Fine.")
    with pytest.raises(InvalidInput):
        resolve_contest(review=scored, by=lead, verdict="uphold", note=" ")
    resolve_contest(review=scored, by=lead, verdict="uphold", note="The units were this lot.")
    scored.refresh_from_db()
    assert (scored.status, scored.score, scored.failed) == ("upheld", Decimal("75.00"), True)
    assert scored.resolved_by == lead
    with pytest.raises(TransitionNotAllowed):
        resolve_contest(review=scored, by=lead2, verdict="amend", note="Changed my mind.")
    with pytest.raises(TransitionNotAllowed):
        contest_review(review=scored, by=specialist, reason="Once more.")
    history = list(scored.events.values_list("kind", "from_status", "to_status", "actor"))
    assert history == [
        ("submitted", "due", "submitted", qa.pk),
        ("contested", "submitted", "contested", specialist.pk),
        ("upheld", "contested", "upheld", lead.pk),
    ]


def test_a_lead_amends_the_marks_and_money_error_with_both_figures_in_the_history(
    scored, specialist, lead
):
    contest_review(review=scored, by=specialist, reason="The units were another lot.")
    resolve_contest(
        review=scored,
        by=lead,
        verdict="amend",
        note="Right: another lot.",
        items={"amount_correct": Mark("passed", "Checked the lot numbers.")},
        money_error=Decimal("0"),
    )
    scored.refresh_from_db()
    assert (scored.status, scored.score, scored.failed, scored.money_error) == (
        "amended",
        Decimal("100.00"),
        False,
        Decimal("0.00"),
    )
    event = scored.events.get(kind="amended")
    assert event.note == "Right: another lot."
    assert event.data["before"]["score"] == "75.00"
    assert event.data["before"]["money_error"] == "50.00"
    assert event.data["after"] == {
        "score": "100.00",
        "failed": False,
        "money_error": "0.00",
        "currency": "USD",
    }


def test_the_reviewer_and_the_specialist_never_settle_the_contest(cases, specialist, lead, lead2):
    (decision,) = cases.decide([(specialist, NOON)])
    review = due_review(decision, reviewer=lead)
    submit_review(review=review, by=lead, items=ALL_PASS)
    contest_review(review=review, by=specialist, reason="Why a review at all?")
    with pytest.raises(NotAllowed) as refused:
        resolve_contest(review=review, by=lead, verdict="uphold", note="I stand by it.")
    assert refused.value.code == "involved_lead"
    with pytest.raises(NotAllowed):
        resolve_contest(review=review, by=specialist, verdict="uphold", note="Me.")
    with pytest.raises(InvalidInput):  # an amendment changes something
        resolve_contest(review=review, by=lead2, verdict="amend", note="Nothing.")
    resolve_contest(review=review, by=lead2, verdict="uphold", note="Random samples are fine.")


def test_a_review_keeps_its_rubric_version_after_a_new_one_is_published(
    cases, specialist, specialist2, qa, lead
):
    (first,) = cases.decide([(specialist, NOON)])
    old = due_review(first, reviewer=qa)
    v1 = get_active_rubric()
    v2 = publish_rubric_version(
        rubric=v1,
        by=lead,
        items=[
            RubricItemSpec("decision_correct", "Decision correct", 5, True),
            RubricItemSpec("tone", "Tone", 1, False),
        ],
    )
    assert (v2.name, v2.version, v2.active) == (v1.name, 2, True)
    assert QARubric.objects.get(pk=v1.pk).active is False
    assert v1.items.count() == 6  # untouched

    old.refresh_from_db()
    assert old.rubric == v1
    submit_review(review=old, by=qa, items=ALL_PASS)  # scored on v1's six items
    later = due_review(cases.decide([(specialist2, NOON)])[0], reviewer=qa)
    assert later.rubric == v2
    with pytest.raises(InvalidInput):  # v1's items are not on v2
        submit_review(review=later, by=qa, items=ALL_PASS)
    submit_review(review=later, by=qa, items={"decision_correct": "passed", "tone": "failed"})
    later.refresh_from_db()
    assert later.score == Decimal("83.33")  # 5 of 6

    (new_decision,) = cases.decide([(specialist, NOON)], amount=Decimal("5000"), outcome="approved")
    run = sample_decisions(day=NOON.date(), now=NOON)
    new = next(r for r in run.sampled if r.decision_id == new_decision.pk)
    assert new.rubric == v2
    copy = publish_rubric_version(rubric=v2, by=lead, activate=False)
    assert (copy.version, copy.active, copy.items.count()) == (3, False, 2)
    assert get_active_rubric() == v2


def test_financial_accuracy_and_scores_equal_a_direct_sum(cases, specialist, specialist2, qa):
    eur = Cases(currency="EUR")
    rows = [
        (cases, specialist, "100.00", "10.00", ALL_PASS),
        (cases, specialist, "300.00", "-30.00", {**ALL_PASS, "decision_correct": "failed"}),
        (cases, specialist, None, "-40.00", {**ALL_PASS, "sla_kept": "failed"}),
        (eur, specialist, "80.00", "0", ALL_PASS),
        (cases, specialist2, "50.00", "5.00", ALL_PASS),
    ]
    reviews = []
    for maker, person, amount, error, marks in rows:
        (decision,) = maker.decide(
            [(person, NOON)],
            amount=Decimal(amount) if amount else None,
            outcome="approved" if amount else "denied",
        )
        review = due_review(decision, reviewer=qa)
        submit_review(review=review, by=qa, items=marks, money_error=Decimal(error))
        reviews.append(review)
    # A due review and one scored outside the range count for nothing.
    due_review(cases.decide([(specialist, NOON)])[0], reviewer=qa)

    figures = {f.specialist_id: f for f in qa_figures(start=date(2000, 1, 1), end=date(2100, 1, 1))}
    direct = list(QAReview.objects.filter(submitted_at__isnull=False, specialist=specialist))
    mine = figures[specialist.pk]
    assert mine.reviews == len(direct) == 4
    assert mine.critical_failures == sum(r.failed for r in direct) == 1
    average = sum(r.score for r in direct) / len(direct)
    assert mine.average_score == average.quantize(Decimal("0.01"))
    usd = next(m for m in mine.money if m.currency == "USD")
    usd_rows = [r for r in direct if r.currency == "USD"]
    assert usd.reviewed_amount == sum(r.reviewed_amount for r in usd_rows) == Decimal("400.00")
    assert usd.money_error == sum(r.money_error for r in usd_rows) == Decimal("-60.00")
    assert usd.money_error_gross == sum(abs(r.money_error) for r in usd_rows) == Decimal("80.00")
    assert usd.accuracy == Decimal("0.8000")  # 1 − 80 / 400
    eur_figures = next(m for m in mine.money if m.currency == "EUR")
    assert (eur_figures.reviewed_amount, eur_figures.accuracy) == (Decimal("80.00"), 1)
    assert figures[specialist2.pk].money[0].accuracy == Decimal("0.9000")
    assert qa_figures(start=date(2000, 1, 1), end=date(2000, 1, 2)) == []


def everyone(**kwargs) -> list:
    return qa_figures(start=date(2000, 1, 1), end=date(2100, 1, 1), **kwargs)


def test_the_qa_figures_come_from_the_daily_rollups_and_an_amendment_moves_them(
    cases, specialist, qa, lead
):
    (decision,) = cases.decide([(specialist, NOON)], amount=Decimal("100.00"), outcome="approved")
    review = due_review(decision, reviewer=qa)
    submit_review(
        review=review,
        by=qa,
        items={**ALL_PASS, "decision_correct": "failed"},
        money_error=Decimal("20.00"),
    )
    live = everyone()  # not rolled up yet: counted from the review's history
    assert not QADailyRollup.objects.exists()
    roll_up(now=timezone.now() + timedelta(hours=1))
    assert QADailyRollup.objects.get().reviews == 1
    assert everyone() == live
    (before,) = live

    contest_review(review=review, by=specialist, reason="The photos show the damage.")
    resolve_contest(
        review=review,
        by=lead,
        verdict="amend",
        note="The decision was right.",
        items={"decision_correct": "passed"},
        money_error=Decimal("0"),
    )
    (amended,) = everyone()  # the amendment, counted live before the next run
    review.refresh_from_db()
    assert (amended.average_score, amended.money[0].money_error) == (review.score, 0)
    assert amended.average_score > before.average_score and amended.critical_failures == 0
    roll_up(now=timezone.now() + timedelta(hours=1))
    assert everyone() == [amended]
    rebuild_rollups()
    assert everyone() == [amended] and QADailyRollup.objects.get().score_total == review.score


@pytest.mark.parametrize("size", [2, 20])
def test_the_inbox_reads_due_reviews_oldest_first_in_constant_queries(
    cases, specialist, qa, size, django_assert_max_num_queries
):
    decisions = cases.decide([(specialist, NOON)] * (size + 2))
    for n, decision in enumerate(decisions):
        review = due_review(decision, reviewer=qa)
        QAReview.objects.filter(pk=review.pk).update(sampled_at=NOON.replace(minute=59 - n))
    submit_review(review=QAReview.objects.get(decision=decisions[0]), by=qa, items=ALL_PASS)
    qa.has_perm("disputes.review_quality")  # the permission cache, as a request warms it
    with django_assert_max_num_queries(1):
        page = list_qa_inbox_for(user=qa, limit=size)
    assert len(page.rows) == size
    assert [r.sampled_at for r in page.rows] == sorted(r.sampled_at for r in page.rows)
    with django_assert_max_num_queries(1):
        [row.dispute.seller.name for row in page.rows] + [row.specialist.pk for row in page.rows]
    rest = list_qa_inbox_for(user=qa, after=page.next_after, limit=size)
    assert rest.next_after is None
    seen = [r.pk for r in page.rows + rest.rows]
    assert len(seen) == len(set(seen)) == size + 1


def test_the_inbox_is_empty_for_people_who_do_not_review(cases, specialist):
    assert list_qa_inbox_for(user=specialist).rows == []


def test_a_review_page_reads_the_case_in_constant_queries_and_only_for_its_people(
    scored, specialist, specialist2, qa
):
    qa.has_perm("disputes.review_quality")
    with CaptureQueriesContext(connection) as queries:
        review = get_review_for(user=qa, review_id=scored.pk)
        [item.rubric_item.label for item in review.items.all()]
        [event.actor for event in review.events.all()]
        list(review.dispute.messages.all())
        list(review.dispute.decisions.all())
        list(review.rubric.items.all())
    assert len(queries) <= 12
    assert get_review_for(user=specialist, review_id=scored.pk) == scored
    with pytest.raises(NotFound):
        get_review_for(user=specialist2, review_id=scored.pk)


def test_the_specialist_sees_the_review_only_once_it_is_scored(review, specialist):
    with pytest.raises(NotFound):
        get_review_for(user=specialist, review_id=review.pk)
