"""QA calibration: a team lead has one decided case scored blind by themselves and several
reviewers. The services (who may start, take part, score once and close), the blind rule through
the selector and the pages, the calibration spread and the deviations from the lead against
figures worked out by hand, the specialist's QA figures left alone, the reads' query counts, and
the whole round in a real browser under the Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.errors import InvalidInput, NotAllowed, NotFound, TransitionNotAllowed
from core.money import Money
from quality.models import QACalibration, QACalibrationMark, QACalibrationScore, QAReview
from quality.qa import (
    Mark,
    close_calibration,
    get_active_rubric,
    start_calibration,
    submit_calibration_score,
    submit_review,
)
from quality.selectors import (
    get_calibration_page_for,
    list_waiting_calibrations_for,
    page_calibrations_for,
    qa_figures,
)
from tests.factories import StaffFactory
from tests.quality.qa_cases import ALL_PASS, Cases, due_review
from tests.quality.test_dashboards_browser import REPORT_VIOLATIONS, _shot, _sign_in

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 10, 12, tzinfo=UTC)


def marks(**changes: str) -> dict[str, str]:
    return {**ALL_PASS, **changes}


@pytest.fixture
def qa2(db):
    return StaffFactory(username="qa2", role="QA Reviewer")


@pytest.fixture
def qa3(db):
    return StaffFactory(username="qa3", role="QA Reviewer")


@pytest.fixture
def cases():
    return Cases()


@pytest.fixture
def decision(cases, specialist, lead2):
    """An approved case (200.00 USD) decided by `specialist`, its payout approved by `lead2`."""
    (decision,) = cases.decide([(specialist, NOON)], amount=Decimal("200.00"), outcome="approved")
    cases.pay(decision, amount=Decimal("200.00"), approver=lead2)
    return decision


@pytest.fixture
def calibration(decision, lead, qa, qa2, qa3):
    return start_calibration(
        decision=decision, reviewers=[qa, qa2, qa3], by=lead, note="Is 'evidence' one item?"
    )


def score(calibration, user, **changes):
    return submit_calibration_score(
        calibration=calibration, by=user, items=marks(**changes), money_error=None
    )


# --- starting -----------------------------------------------------------------------------------


def test_a_lead_starts_a_calibration_with_an_empty_scorecard_per_participant(
    calibration, decision, lead, qa, qa2, qa3
):
    assert calibration.status == QACalibration.Status.OPEN
    assert calibration.rubric == get_active_rubric()
    assert (calibration.dispute_id, calibration.currency) == (decision.dispute_id, "USD")
    assert calibration.note == "Is 'evidence' one item?"
    rows = QACalibrationScore.objects.filter(calibration=calibration)
    assert sorted(rows.values_list("reviewer_id", flat=True)) == sorted(
        [lead.pk, qa.pk, qa2.pk, qa3.pk]
    )
    assert not rows.filter(submitted_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["qa", "specialist2"])
def test_only_a_team_lead_starts_a_calibration(request, who, decision, qa2, qa3, lead2):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed) as refused:
        start_calibration(decision=decision, reviewers=[qa2, qa3, lead2], by=user)
    assert refused.value.code == "not_a_lead"
    assert not QACalibration.objects.exists()


def test_the_decider_and_the_payout_approver_never_take_part(
    decision, lead, lead2, specialist, qa, qa2
):
    with pytest.raises(InvalidInput) as decider:
        start_calibration(decision=decision, reviewers=[qa, qa2, specialist], by=lead)
    assert decider.value.fields["reviewers"] == [
        "spec decided this case or approved its payout, so cannot score it."
    ]
    with pytest.raises(InvalidInput) as approver:
        start_calibration(decision=decision, reviewers=[qa, qa2, lead2], by=lead)
    assert approver.value.fields["reviewers"] == [
        "lead2 decided this case or approved its payout, so cannot score it."
    ]
    # The approver cannot lead it either: the lead scores too.
    with pytest.raises(NotAllowed) as leading:
        start_calibration(decision=decision, reviewers=[qa, qa2], by=lead2)
    assert leading.value.code == "involved_lead"
    assert not QACalibration.objects.exists()


def test_a_lead_who_decided_the_case_cannot_take_part_and_a_specialist_never(
    cases, lead, lead2, qa, qa2, specialist2
):
    (decided,) = cases.decide([(lead, NOON)], amount=Decimal("10.00"), outcome="approved")
    with pytest.raises(InvalidInput) as refused:
        start_calibration(decision=decided, reviewers=[qa, qa2, lead, specialist2], by=lead2)
    assert refused.value.message == (
        "Some of the reviewers chosen cannot score this case: see the reviewers."
    )
    assert refused.value.fields["reviewers"] == [
        "lead decided this case or approved its payout, so cannot score it.",
        "spec2 is not a QA reviewer or a team lead.",
    ]


@pytest.mark.parametrize("chosen", [["qa"], ["qa", "lead"], []])
def test_at_least_two_reviewers_besides_the_lead(request, chosen, decision, lead):
    reviewers = [request.getfixturevalue(name) for name in chosen]
    with pytest.raises(InvalidInput) as refused:
        start_calibration(decision=decision, reviewers=reviewers, by=lead)
    assert refused.value.message == "Choose at least two reviewers besides yourself."


def test_one_open_calibration_per_decision_and_a_new_one_once_closed(calibration, lead, qa, qa2):
    with pytest.raises(TransitionNotAllowed) as refused:
        start_calibration(decision=calibration.decision, reviewers=[qa, qa2], by=lead)
    assert refused.value.code == "calibration_open"
    score(calibration, lead)
    close_calibration(calibration=calibration, by=lead)
    again = start_calibration(decision=calibration.decision, reviewers=[qa, qa2], by=lead)
    assert again.pk != calibration.pk


def test_a_due_date_in_the_past_is_refused(decision, lead, qa, qa2):
    with pytest.raises(InvalidInput) as refused:
        start_calibration(
            decision=decision,
            reviewers=[qa, qa2],
            by=lead,
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert "due_on" in refused.value.fields
    later = start_calibration(
        decision=decision, reviewers=[qa, qa2], by=lead, due_on=date(2099, 1, 31)
    )
    assert later.due_on == date(2099, 1, 31)


# --- scoring and closing ------------------------------------------------------------------------


def test_a_participant_scores_every_item_once_by_the_review_rule(calibration, qa):
    with pytest.raises(InvalidInput) as incomplete:
        submit_calibration_score(
            calibration=calibration, by=qa, items={"decision_correct": "passed"}
        )
    assert incomplete.value.fields["sla_kept"] == ["Mark this item."]
    scorecard = submit_calibration_score(
        calibration=calibration,
        by=qa,
        items=marks(
            evidence_reviewed=Mark("failed", " No ledger. "), communication="not_applicable"
        ),
        money_error=Money(Decimal("-5"), "USD"),
        comment="  Close call. ",
    )
    scorecard.refresh_from_db()
    # Counted 11, passed 9 → 81.82, as a review would score it.
    assert (scorecard.score, scorecard.failed, scorecard.money_error, scorecard.comment) == (
        Decimal("81.82"),
        False,
        Decimal("-5.00"),
        "Close call.",
    )
    assert QACalibrationMark.objects.filter(score=scorecard).count() == 6
    assert QACalibrationMark.objects.get(
        score=scorecard, rubric_item__code="evidence_reviewed"
    ).comment == ("No ledger.")
    with pytest.raises(TransitionNotAllowed) as again:
        score(calibration, qa)
    assert again.value.code == "already_scored"


def test_a_scorecard_of_nothing_or_in_another_currency_is_refused(calibration, qa):
    with pytest.raises(InvalidInput) as nothing:
        submit_calibration_score(
            calibration=calibration, by=qa, items=dict.fromkeys(ALL_PASS, "not_applicable")
        )
    assert "a review of nothing has no score" in nothing.value.message
    with pytest.raises(InvalidInput) as currency:
        submit_calibration_score(
            calibration=calibration, by=qa, items=ALL_PASS, money_error=Money(Decimal(1), "EUR")
        )
    assert currency.value.fields["money_error"] == ["Use USD."]
    assert not QACalibrationMark.objects.exists()


def test_someone_not_taking_part_cannot_score(calibration, lead2, specialist2):
    for user in (lead2, specialist2):
        with pytest.raises(NotAllowed):
            score(calibration, user)


def test_only_the_lead_closes_and_only_once_they_have_scored(calibration, lead, lead2, qa):
    with pytest.raises(NotAllowed):
        close_calibration(calibration=calibration, by=qa)
    with pytest.raises(NotAllowed) as other_lead:
        close_calibration(calibration=calibration, by=lead2)
    assert other_lead.value.code == "not_the_lead"
    with pytest.raises(TransitionNotAllowed) as unscored:
        close_calibration(calibration=calibration, by=lead)
    assert unscored.value.code == "lead_not_scored"
    score(calibration, lead)
    closed = close_calibration(calibration=calibration, by=lead)
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(TransitionNotAllowed):
        close_calibration(calibration=calibration, by=lead)


def test_a_closed_calibration_takes_no_more_scorecards(calibration, lead, qa):
    score(calibration, lead)
    close_calibration(calibration=calibration, by=lead)
    with pytest.raises(TransitionNotAllowed) as refused:
        score(calibration, qa)
    assert refused.value.code == "calibration_closed"
    assert "closed" in refused.value.message


# --- blind --------------------------------------------------------------------------------------


def visible_reviewers(page) -> set[str]:
    if page.results is None:
        return {page.mine.reviewer.username}
    return {column.reviewer.username for column in page.results.columns}


def test_blind_nobody_sees_another_scorecard_before_the_rules_allow(
    calibration, lead, qa, qa2, qa3
):
    def page_for(user):
        return get_calibration_page_for(user=user, calibration_id=calibration.pk)

    score(calibration, qa, evidence_reviewed="failed")
    # qa scored, but the calibration is open: only their own scorecard.
    mine = page_for(qa)
    assert mine.results is None and mine.mine.score.score == Decimal("83.33")
    assert len(mine.mine.marks) == 6
    # The lead has not scored: they see nobody's figures, only who has scored.
    before = page_for(lead)
    assert before.results is None and before.mine.marks == {}
    assert [(p.user.username, p.submitted) for p in before.participants] == [
        ("lead", False),
        ("qa", True),
        ("qa2", False),
        ("qa3", False),
    ]
    assert not hasattr(before.participants[1], "score")
    # qa2 has not scored: nothing of qa's.
    assert page_for(qa2).results is None

    score(calibration, lead)
    # The lead sees every scorecard in at once; the reviewers still only their own.
    assert visible_reviewers(page_for(lead)) == {"lead", "qa"}
    assert page_for(lead).results.not_scored == [qa2, qa3]
    assert page_for(qa).results is None

    score(calibration, qa2)
    close_calibration(calibration=calibration, by=lead)
    assert visible_reviewers(page_for(qa)) == {"lead", "qa", "qa2"}
    assert visible_reviewers(page_for(qa2)) == {"lead", "qa", "qa2"}
    # qa3 never scored: closed or not, they see no one else's scorecard.
    assert page_for(qa3).results is None


def test_a_stranger_to_the_calibration_gets_not_found(calibration, lead2, specialist, qa):
    for user in (lead2, specialist):
        with pytest.raises(NotFound):
            get_calibration_page_for(user=user, calibration_id=calibration.pk)
    assert page_calibrations_for(user=lead2).rows == []
    assert [row.pk for row in page_calibrations_for(user=qa).rows] == [calibration.pk]


# --- the spread ---------------------------------------------------------------------------------


@pytest.fixture
def scored(calibration, lead, qa, qa2, qa3):
    """The lead and three reviewers, with marks whose figures are worked out by hand below.
    Weights: decision 3 and amount 3 (both critical), evidence 2, policy 2, communication 1,
    SLA 1: 12 in all."""
    submit_calibration_score(calibration=calibration, by=lead, items=ALL_PASS)  # 12/12 = 100.00
    submit_calibration_score(  # 10/12 = 83.33
        calibration=calibration, by=qa, items=marks(evidence_reviewed="failed")
    )
    submit_calibration_score(  # 8/11 = 72.73, a critical item failed
        calibration=calibration,
        by=qa2,
        items=marks(amount_correct="failed", communication="not_applicable"),
        money_error="12.50",
    )
    submit_calibration_score(  # 9/12 = 75.00
        calibration=calibration,
        by=qa3,
        items=marks(evidence_reviewed="failed", sla_kept="failed"),
        money_error="-5",
    )
    return calibration


def test_the_calibration_spread_and_deviations_match_the_hand_computed_figures(scored, lead):
    results = get_calibration_page_for(user=lead, calibration_id=scored.pk).results
    columns = {column.reviewer.username: column for column in results.columns}
    assert [column.reviewer.username for column in results.columns] == ["lead", "qa", "qa2", "qa3"]
    assert {name: c.score for name, c in columns.items()} == {
        "lead": Decimal("100.00"),
        "qa": Decimal("83.33"),
        "qa2": Decimal("72.73"),
        "qa3": Decimal("75.00"),
    }
    assert {name: c.score_deviation for name, c in columns.items()} == {
        "lead": Decimal("0.00"),
        "qa": Decimal("-16.67"),
        "qa2": Decimal("-27.27"),
        "qa3": Decimal("-25.00"),
    }
    assert {name: c.money_deviation for name, c in columns.items()} == {
        "lead": Decimal("0.00"),
        "qa": Decimal("0.00"),
        "qa2": Decimal("12.50"),
        "qa3": Decimal("-5.00"),
    }
    assert [c.failed for c in results.columns] == [False, False, True, False]
    assert {name: c.items_agreeing for name, c in columns.items()} == {
        "lead": 6,
        "qa": 5,
        "qa2": 4,
        "qa3": 4,
    }
    items = {row.item.code: row for row in results.items}
    assert {code: (r.passed, r.failed, r.not_applicable) for code, r in items.items()} == {
        "decision_correct": (4, 0, 0),
        "amount_correct": (3, 1, 0),
        "evidence_reviewed": (2, 2, 0),
        "policy_followed": (4, 0, 0),
        "communication": (3, 0, 1),
        "sla_kept": (3, 1, 0),
    }
    assert {code: r.agreement for code, r in items.items()} == {
        "decision_correct": Decimal("100.00"),
        "amount_correct": Decimal("75.00"),
        "evidence_reviewed": Decimal("50.00"),
        "policy_followed": Decimal("100.00"),
        "communication": Decimal("75.00"),
        "sla_kept": Decimal("75.00"),
    }
    # Which participant agreed with the lead's mark, lead first.
    assert [cell.agrees for cell in items["evidence_reviewed"].cells] == [True, False, True, False]
    assert [cell.agrees for cell in items["communication"].cells] == [True, True, False, True]
    assert items["evidence_reviewed"].agreeing_with_lead == 1
    # Overall: 100.00 − 72.73; the population standard deviation of the four scores around
    # their mean 82.765 is √114.590225 = 10.7047…; the reviewers' mean distance from the lead
    # is (16.67 + 27.27 + 25.00) / 3 = 22.98.
    assert results.spread == Decimal("27.27")
    assert results.standard_deviation == Decimal("10.70")
    assert results.average_score == Decimal("82.77")
    assert results.average_deviation == Decimal("22.98")
    assert results.not_scored == []


def test_calibration_scorecards_never_count_in_the_specialists_qa_figures(
    scored, decision, specialist, lead, qa
):
    today = timezone.localdate()
    assert qa_figures(start=today, end=today) == []
    # A real QA review of the same decision counts, alone.
    review = due_review(decision, reviewer=qa)
    submit_review(review=review, by=qa, items=ALL_PASS, money_error="0")
    (figures,) = qa_figures(start=today, end=today)
    assert (figures.specialist_id, figures.reviews, figures.average_score) == (
        specialist.pk,
        1,
        Decimal("100.00"),
    )
    assert [(m.reviewed_amount, m.money_error) for m in figures.money] == [
        (Decimal("200.00"), Decimal("0.00"))
    ]
    assert QAReview.objects.count() == 1


# --- the pages ----------------------------------------------------------------------------------


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(calibration) -> str:
    return reverse("quality:calibration", args=[calibration.pk])


def post_score(client, calibration, **changes):
    return client.post(
        reverse("quality:calibration_score", args=[calibration.pk]),
        {**marks(**changes), "money_error": "", "comment": ""},
    )


def test_a_specialist_gets_403_and_a_stranger_404(calibration, specialist, lead2):
    mine = browser_for(specialist)
    for url in (
        reverse("quality:calibrations"),
        reverse("quality:calibration_new"),
        page_of(calibration),
    ):
        assert mine.get(url).status_code == 403, url
    assert post_score(mine, calibration).status_code == 403
    stranger = browser_for(lead2)
    assert stranger.get(page_of(calibration)).status_code == 404
    assert post_score(stranger, calibration).status_code == 404
    close = reverse("quality:calibration_close", args=[calibration.pk])
    assert stranger.post(close).status_code == 404
    assert (
        browser_for(StaffFactory(username="qa9", role="QA Reviewer"))
        .get(reverse("quality:calibration_new"))
        .status_code
        == 403
    )  # reviewers take part; leads start


def test_the_list_shows_the_viewers_calibrations_and_an_empty_state(calibration, lead, qa, lead2):
    body = browser_for(qa).get(reverse("quality:calibrations")).content.decode()
    assert calibration.dispute.reference in body and "data-waiting" in body
    assert "0 of 4" in body and "Start a calibration" not in body
    lead_body = browser_for(lead).get(reverse("quality:calibrations")).content.decode()
    assert "Start a calibration" in lead_body
    empty = browser_for(lead2).get(reverse("quality:calibrations")).content.decode()
    assert "You take part in no calibration yet." in empty


def test_a_lead_starts_a_calibration_through_the_form(decision, lead, qa, qa2, specialist):
    client = browser_for(lead)
    reference = decision.dispute.reference
    form = client.get(reverse("quality:calibration_new"), {"case": reference})
    body = form.content.decode()
    assert f'value="{reference}"' in body
    assert 'name="reviewers"' in body
    assert "specialist" not in form.context["form"].fields["reviewers"].queryset.values_list(
        "username", flat=True
    )
    too_few = client.post(
        reverse("quality:calibration_new"), {"case": reference, "reviewers": [qa.pk]}
    )
    assert too_few.status_code == 400
    assert "Choose at least two reviewers besides yourself." in too_few.content.decode()
    unknown = client.post(
        reverse("quality:calibration_new"), {"case": "DSP-0000-000000", "reviewers": [qa.pk]}
    )
    assert unknown.status_code == 400
    response = client.post(
        reverse("quality:calibration_new"),
        {"case": reference, "reviewers": [qa.pk, qa2.pk], "note": "Week 46."},
    )
    calibration = QACalibration.objects.get()
    assert response.status_code == 302 and response["Location"] == page_of(calibration)
    assert calibration.note == "Week 46." and calibration.scores.count() == 3


def test_the_page_keeps_others_scores_blind_then_shows_the_results_table(
    calibration, lead, qa, qa2, qa3
):
    reviewer = browser_for(qa)
    page = reviewer.get(page_of(calibration))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="decision_correct"' in body and "Money error (USD)" in body
    assert 'id="checks"' in body and 'id="messages"' in body and "data-recheck" not in body
    response = post_score(
        browser_for(qa2), calibration, amount_correct="failed", note_amount_correct="Paid twice."
    )
    assert response.status_code == 302
    assert post_score(reviewer, calibration, sla_kept="").status_code == 400
    assert post_score(reviewer, calibration).status_code == 302
    again = post_score(reviewer, calibration)
    assert "You already scored this calibration" in again.content.decode()
    body = reviewer.get(page_of(calibration)).content.decode()
    assert "data-results" not in body and "Paid twice." not in body and "66.67" not in body
    assert 'data-participant="qa2" data-submitted="yes"' in body

    lead_client = browser_for(lead)
    assert "data-results" not in lead_client.get(page_of(calibration)).content.decode()
    assert post_score(lead_client, calibration).status_code == 302
    lead_body = lead_client.get(page_of(calibration)).content.decode()
    assert "data-results" in lead_body and "Paid twice." in lead_body
    close = reverse("quality:calibration_close", args=[calibration.pk])
    assert browser_for(qa).post(close).status_code == 403
    assert lead_client.post(close).status_code == 302

    body = reviewer.get(page_of(calibration)).content.decode()
    assert "data-calibration-status>Closed<" in body
    assert '<td class="num" data-figure="agreement">66.67%</td>' in body  # amount: 2 of 3
    assert 'data-participant="qa2" data-deviation="-25.00">-25.00<' in body  # 9/12 − 100
    assert 'data-figure="spread">25.00 points<' in body
    assert "Did not score" in body and "qa3" in body


def test_the_inbox_lists_the_calibrations_waiting_and_the_badge_counts_them(calibration, qa, lead):
    body = browser_for(qa).get(reverse("quality:qa_inbox")).content.decode()
    assert f'data-calibration="{calibration.pk}"' in body
    assert 'title="Reviews waiting for you">1<' in body
    score(calibration, qa)
    body = browser_for(qa).get(reverse("quality:qa_inbox")).content.decode()
    assert "data-calibrations-waiting" not in body and 'data-count="qa"' not in body
    assert [s.calibration_id for s in list_waiting_calibrations_for(user=lead)] == [calibration.pk]


def test_the_review_page_offers_a_lead_to_calibrate_the_case(decision, qa, lead):
    review = due_review(decision, reviewer=qa)
    url = reverse("quality:qa_review", args=[review.pk])
    assert "data-start-calibration" in browser_for(lead).get(url).content.decode()
    assert "data-start-calibration" not in browser_for(qa).get(url).content.decode()


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("reviewers", [2, 8])
def test_the_calibration_page_runs_the_same_queries_whatever_the_participants(
    reviewers, decision, lead, django_assert_max_num_queries
):
    people = [StaffFactory(role="QA Reviewer") for _n in range(reviewers)]
    calibration = start_calibration(decision=decision, reviewers=people, by=lead)
    for user in [lead, *people]:
        score(calibration, user, evidence_reviewed="failed" if user.pk % 2 else "passed")
    # The calibration, its scorecards, the rubric's items, the marks, and the case's page.
    with django_assert_max_num_queries(19):
        page = get_calibration_page_for(user=lead, calibration_id=calibration.pk)
        assert len(page.results.columns) == reviewers + 1
    client = browser_for(lead)
    client.get(page_of(calibration))  # warm the session
    # Beside the selector's: the user, their permissions, and the navigation's badges.
    with django_assert_max_num_queries(26):
        response = client.get(page_of(calibration))
    assert response.content.decode().count('data-row="score"') == 1


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_runs_the_same_queries_whatever_its_length(
    rows, cases, specialist, lead, qa, qa2, django_assert_max_num_queries
):
    for decided in cases.decide([(specialist, NOON) for _n in range(rows)], amount=Decimal("1")):
        start_calibration(decision=decided, reviewers=[qa, qa2], by=lead)
    client = browser_for(qa)
    client.get(reverse("quality:calibrations"))
    # The user, their permissions (2), the page, the trend-alert and the QA badges.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("quality:calibrations"))
    assert response.content.decode().count("data-calibration=") == rows


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_lead_calibrates_a_case_with_two_reviewers_in_a_browser(page, specialist, lead, qa, qa2):
    errors: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    (decision,) = Cases().decide(
        [(specialist, timezone.now() - timedelta(hours=2))],
        amount=Decimal("50.00"),
        outcome="approved",
    )
    reference = decision.dispute.reference

    def score_all_yes_but(no: str | None = None, money_error: str = "") -> None:
        for item in page.locator("#score fieldset.qa-item").all():
            item.get_by_label("Yes", exact=True).check()
        if no:
            page.locator(f'#score fieldset[data-item="{no}"]').get_by_label(
                "No", exact=True
            ).check()
        page.get_by_label("Money error (USD)").fill(money_error)
        page.get_by_role("button", name="Submit my scorecard").click()
        expect(page.locator('[data-figure="score"]')).to_be_visible()

    # The lead: QA, the Calibrations tab, a new calibration of the case with two reviewers.
    _sign_in(page, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="QA").click()
    page.get_by_role("navigation", name="QA pages").get_by_role("link", name="Calibrations").click()
    expect(page.get_by_text("You take part in no calibration yet.")).to_be_visible()
    page.get_by_role("link", name="Start a calibration").click()
    page.get_by_label("Case reference").fill(reference)
    page.locator("#reviewers").get_by_label("qa", exact=True).check()
    page.locator("#reviewers").get_by_label("qa2", exact=True).check()
    page.get_by_label("Note for the reviewers").fill("Was the payout right?")
    _shot(page, "qa-calibration-start")
    page.get_by_role("button", name="Start the calibration").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("#checks")).to_be_visible()
    score_all_yes_but()
    expect(page.locator('[data-participants] [data-participant="lead"]')).to_have_attribute(
        "data-submitted", "yes"
    )

    # Two reviewers score blind from their inbox: each sees only their own scorecard.
    for reviewer, no, money_error in ((qa, "amount_correct", "25"), (qa2, "evidence_reviewed", "")):
        _sign_in(page, reviewer)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.locator('[data-count="qa"]')).to_have_text("1")
        nav.get_by_role("link", name=re.compile(r"^QA")).click()
        page.locator("[data-calibrations-waiting]").get_by_role("link", name=reference).click()
        expect(page.locator("[data-results]")).to_have_count(0)
        score_all_yes_but(no, money_error)
        expect(page.locator("[data-blind]")).to_contain_text("once the lead closes")
        expect(page.locator("[data-results]")).to_have_count(0)
        _shot(page, f"qa-calibration-{reviewer.username}")

    # The lead sees everyone's marks, closes, and the table shows the spread.
    _sign_in(page, lead)
    page.goto(reverse("quality:calibrations"))
    page.locator("[data-calibrations]").get_by_role("link", name=reference).click()
    table = page.locator("[data-calibration-table]")
    expect(table.locator("thead th[data-participant]")).to_have_text(["lead lead", "qa", "qa2"])
    page.get_by_role("button", name="Close the calibration").click()
    expect(page.locator("[data-calibration-status]")).to_have_text("Closed")
    # lead 12/12 = 100.00, qa 9/12 = 75.00, qa2 10/12 = 83.33.
    expect(page.locator('[data-figure="spread"]')).to_have_text("25.00 points")
    expect(table.locator('tr[data-item="amount_correct"] [data-figure="agreement"]')).to_have_text(
        "66.67%"
    )
    expect(table.locator('tr[data-item="amount_correct"] td[data-differs]')).to_have_count(1)
    expect(table.locator('tr[data-row="deviation"] td[data-participant="qa"]')).to_have_text(
        "-25.00"
    )
    expect(table.locator('tr[data-row="deviation"] td[data-participant="qa2"]')).to_have_text(
        "-16.67"
    )
    expect(table.locator('tr[data-row="money-deviation"] td[data-participant="qa"]')).to_have_text(
        "+25.00 USD"
    )
    _shot(page, "qa-calibration-results")

    # Closed: the reviewers see the results too.
    _sign_in(page, qa)
    page.goto(reverse("quality:calibrations"))
    expect(page.locator("[data-calibrations] tbody tr")).to_have_attribute("data-status", "closed")
    _shot(page, "qa-calibrations")
    page.locator("[data-calibrations]").get_by_role("link", name=reference).click()
    expect(page.locator('[data-figure="spread"]')).to_have_text("25.00 points")
    assert errors == []
