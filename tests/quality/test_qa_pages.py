"""The QA pages through the test client: the inbox and its badge, the review page for the
reviewer, the lead, the reviewed specialist and strangers; scoring, contesting once and a lead's
amendment through the forms; sending a case to QA from the case page; the QA columns of the
productivity page and of a specialist's own page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quality.models import QAReview
from quality.rollups import roll_up
from tests.factories import StaffFactory
from tests.quality.qa_cases import Cases, due_review
from tests.quality.scenario import Story, at

pytestmark = pytest.mark.django_db

ITEMS = [
    "decision_correct",
    "amount_correct",
    "evidence_reviewed",
    "policy_followed",
    "communication",
    "sla_kept",
]
WEEK = {"date_from": "2026-11-02", "date_to": "2026-11-08"}


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scorecard(**changes) -> dict:
    data = {code: "passed" for code in ITEMS}
    data.update(money_error="", comment="Checked the ledger.")
    data.update(changes)
    return data


@pytest.fixture
def story(seller_a, seller_a_user, time_machine):
    return Story(seller=seller_a, seller_user=seller_a_user, time_machine=time_machine)


@pytest.fixture
def review(story, specialist, qa):
    """An approved case (4 × 12.50 USD) decided by `specialist`, waiting for `qa`."""
    case = story.file("2026-11-02T09:00")
    story.assign(case, "2026-11-02T10:00", specialist)
    decision = story.decide(case, "2026-11-02T11:00", specialist, outcome="approved")
    story.clock.move_to(at("2026-11-03T09:00"), tick=False)
    return due_review(decision, reviewer=qa)


def page_of(review) -> str:
    return reverse("quality:qa_review", args=[review.pk])


def score(client, review, **changes):
    return client.post(reverse("quality:qa_score", args=[review.pk]), scorecard(**changes))


# --- who may open what --------------------------------------------------------------------------


def test_the_reviewer_and_a_lead_open_a_due_review_with_the_scorecard(review, qa, lead):
    for user in (qa, lead):
        response = browser_for(user).get(page_of(review))
        assert response.status_code == 200, user
        body = response.content.decode()
        assert review.dispute.reference in body
        assert 'name="decision_correct"' in body and "Money error (USD)" in body
        assert 'id="checks"' in body and 'id="evidence"' in body and 'id="messages"' in body
        assert "data-recheck" not in body  # the case is read-only here


def test_the_specialist_sees_their_review_once_scored_and_others_get_404(
    review, qa, specialist, specialist2
):
    assert browser_for(specialist).get(page_of(review)).status_code == 404  # not scored yet
    score(browser_for(qa), review)
    response = browser_for(specialist).get(page_of(review))
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()  # the contest form
    assert 'name="decision_correct"' not in response.content.decode()
    assert browser_for(specialist2).get(page_of(review)).status_code == 404


def test_a_seller_and_a_specialist_cannot_open_the_inbox_nor_a_seller_a_review(
    review, seller_a_user, specialist
):
    assert browser_for(seller_a_user).get(reverse("quality:qa_inbox")).status_code == 403
    assert browser_for(specialist).get(reverse("quality:qa_inbox")).status_code == 403
    assert browser_for(seller_a_user).get(page_of(review)).status_code == 403
    anonymous = Client().get(page_of(review))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_a_specialist_cannot_score_a_review_of_another(review, qa, specialist2):
    response = score(browser_for(specialist2), review)
    assert response.status_code == 404
    assert QAReview.objects.get(pk=review.pk).status == "due"


# --- the inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_the_viewers_due_reviews_oldest_first_with_a_badge(review, qa, lead):
    body = browser_for(qa).get(reverse("quality:qa_inbox")).content.decode()
    assert review.dispute.reference in body
    assert "Random sample" in body and "50.00 USD" in body and "spec" in body
    assert 'title="Reviews waiting for you">1<' in body
    empty = browser_for(lead).get(reverse("quality:qa_inbox")).content.decode()
    assert "No review is waiting for you." in empty and 'data-count="qa"' not in empty


def test_the_inbox_pages_with_a_cursor_and_refuses_a_forged_one(specialist, qa):
    cases = Cases()
    now = timezone.now()
    decisions = cases.decide(
        [(specialist, now - timedelta(minutes=n)) for n in range(30)], amount=Decimal("10")
    )
    for decision in decisions:
        due_review(decision, reviewer=qa)
    client = browser_for(qa)
    first = client.get(reverse("quality:qa_inbox"))
    assert first.content.decode().count("data-review=") == 25
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("quality:qa_inbox"), {"cursor": cursor})
    assert second.content.decode().count("data-review=") == 5
    forged = client.get(reverse("quality:qa_inbox"), {"cursor": "nonsense"})
    assert forged.status_code == 302


@pytest.mark.parametrize("rows", [2, 20])
def test_the_inbox_runs_the_same_queries_whatever_its_length(
    rows, specialist, qa, django_assert_max_num_queries
):
    cases = Cases()
    for decision in cases.decide(
        [(specialist, timezone.now()) for _n in range(rows)], amount=Decimal("10")
    ):
        due_review(decision, reviewer=qa)
    client = browser_for(qa)
    client.get(reverse("quality:qa_inbox"))  # warm the session
    # session, user, the page, the badge, the trend-alert badge and the money badges.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("quality:qa_inbox"))
    assert response.content.decode().count("data-review=") == rows


# --- scoring, contesting, settling --------------------------------------------------------------


def test_a_missing_mark_and_a_bad_money_error_are_shown_in_words(review, qa):
    client = browser_for(qa)
    response = score(client, review, communication="")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The scorecard is not complete: see the items." in body
    assert "Mark this item." in body
    response = score(client, review, money_error="twelve")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter the money error as an amount" in body and "Enter an amount." in body
    assert 'value="twelve"' in body  # the input is kept
    review.refresh_from_db()
    assert review.status == "due"


def test_the_reviewer_scores_through_the_page_and_sees_it_read_only(review, qa):
    response = score(
        browser_for(qa),
        review,
        amount_correct="failed",
        note_amount_correct="Paid 4 units, 3 were lost.",
        money_error="12.50",
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.failed, review.money_error) == (
        "submitted",
        True,
        Decimal("12.50"),
    )
    assert review.score == Decimal("75.00")  # 9 of 12
    body = browser_for(qa).get(page_of(review)).content.decode()
    assert 'data-score="75.00"' in body and "data-failed" in body
    assert "Paid 4 units, 3 were lost." in body and "12.50 USD" in body
    assert 'data-kind="submitted"' in body  # the history
    assert 'name="decision_correct"' not in body


def test_the_specialist_contests_once_and_a_lead_amends(review, qa, specialist, lead):
    score(browser_for(qa), review, amount_correct="failed", money_error="12.50")
    mine = browser_for(specialist)
    contest = reverse("quality:qa_contest", args=[review.pk])
    empty = mine.post(contest, {"reason": "  "})
    assert "Say why you contest the review." in empty.content.decode()
    assert mine.post(contest, {"reason": "The ledger shows 4 lost."}).status_code == 302
    again = mine.post(contest, {"reason": "Again."})
    assert "You already contested this review" in again.content.decode()
    lead_page = browser_for(lead).get(page_of(review)).content.decode()
    assert 'value="amend"' in lead_page and "The ledger shows 4 lost." in lead_page
    resolve = reverse("quality:qa_resolve", args=[review.pk])
    response = browser_for(lead).post(
        resolve,
        {"verdict": "amend", "note": "The ledger agrees.", "amount_correct": "passed"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.score, review.failed) == ("amended", Decimal("100.00"), False)
    assert review.money_error == Decimal("12.50")  # not given: kept
    body = mine.get(page_of(review)).content.decode()
    assert 'data-kind="amended"' in body and "Score 75.00 → 100.00" in body


def test_an_amendment_without_changes_is_refused_in_words(review, qa, specialist, lead):
    score(browser_for(qa), review, amount_correct="failed")
    browser_for(specialist).post(reverse("quality:qa_contest", args=[review.pk]), {"reason": "No."})
    response = browser_for(lead).post(
        reverse("quality:qa_resolve", args=[review.pk]), {"verdict": "amend", "note": "Hm."}
    )
    assert response.status_code == 400
    assert "An amendment changes at least one item" in response.content.decode()


# --- sending a case to QA -----------------------------------------------------------------------


def test_a_lead_gives_a_due_review_to_another_reviewer_from_its_page(review, qa, lead, specialist):
    other = StaffFactory(username="qa2", role="QA Reviewer")
    page = browser_for(lead).get(page_of(review)).content.decode()
    assert 'id="reassign"' in page and f'value="{other.pk}"' in page
    assert f'value="{specialist.pk}"' not in page  # the decider is never offered
    assert 'id="reassign"' not in browser_for(qa).get(page_of(review)).content.decode()
    reassign = reverse("quality:qa_reassign", args=[review.pk])
    assert browser_for(qa).post(reassign, {"reviewer": other.pk}).status_code == 403
    refused = browser_for(lead).post(reassign, {"reviewer": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    done = browser_for(lead).post(reassign, {"reviewer": other.pk}, follow=True)
    assert "The review has a new reviewer." in done.content.decode()
    review.refresh_from_db()
    assert review.reviewer == other
    assert page_of(review) in browser_for(other).get(reverse("quality:qa_inbox")).content.decode()


def test_a_lead_sends_a_decided_case_to_qa_from_the_case_page(story, specialist, lead, qa):
    case = story.file("2026-11-02T09:00")
    story.assign(case, "2026-11-02T10:00", specialist)
    story.decide(case, "2026-11-02T11:00", specialist)
    case_page = reverse("workspace:case", args=[case.reference])
    assert 'id="send-to-qa"' in browser_for(lead).get(case_page).content.decode()
    assert 'id="send-to-qa"' not in browser_for(specialist).get(case_page).content.decode()
    send = reverse("quality:qa_send", args=[case.reference])
    assert browser_for(specialist).post(send, {"reason": "Mine."}).status_code == 403
    response = browser_for(lead).post(send, {"reason": "Odd denial."}, follow=True)
    assert "Sent to QA" in response.content.decode()
    review = QAReview.objects.get(dispute=case)
    assert review.reason == "by_hand" and review.reviewer_id not in (None, specialist.pk)
    again = browser_for(lead).post(send, {"reason": "Again."}, follow=True)
    assert "This decision is already in QA." in again.content.decode()
    # The case page links to its review for the lead and the reviewer, not for the specialist.
    for user in (lead, qa):
        body = browser_for(user).get(case_page).content.decode()
        assert f'href="{page_of(review)}"' in body and f'data-review="{review.pk}"' in body
    assert page_of(review) not in browser_for(specialist).get(case_page).content.decode()
    assert "calibrations/new/?case=" not in browser_for(qa).get(case_page).content.decode()


def test_a_case_without_a_decision_cannot_be_sent(story, lead):
    case = story.file("2026-11-02T09:00")
    send = reverse("quality:qa_send", args=[case.reference])
    assert browser_for(lead).post(send).status_code == 404


# --- the figures --------------------------------------------------------------------------------


def test_the_productivity_page_and_its_csv_carry_the_qa_figures(review, qa, lead, specialist):
    score(browser_for(qa), review, amount_correct="failed", money_error="-12.50")
    roll_up(now=at("2026-11-04T00:00"))
    client = browser_for(lead)
    body = client.get(reverse("quality:productivity"), WEEK).content.decode()
    assert '<td class="num" data-qa="reviews">1</td>' in body
    assert '<td class="num" data-qa="score">75.00</td>' in body
    assert '<td class="num" data-qa="critical">1</td>' in body
    assert "-12.50 USD" in body and "75.00%" in body  # 1 − 12.50 / 50.00
    response = client.get(reverse("quality:productivity"), {**WEEK, "export": "specialists"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-3:] == ["QA reviews", "Average QA score", "Critical failures"]
    assert rows[1][-3:] == ["1", "75.00", "1"]
    response = client.get(reverse("quality:productivity"), {**WEEK, "export": "qa-money"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1] == ["spec", "USD", "50.00", "-12.50", "12.50", "75.00"]


def test_my_numbers_show_my_qa_figures_and_my_recent_reviews(review, qa, specialist):
    score(browser_for(qa), review, money_error="0")
    roll_up(now=at("2026-11-04T00:00"))
    body = browser_for(specialist).get(reverse("quality:mine"), WEEK).content.decode()
    assert '<td class="num" data-qa="score">100.00</td>' in body
    assert page_of(review) in body and 'id="qa-reviews"' in body
