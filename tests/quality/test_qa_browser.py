"""QA in a real browser, under the Content-Security-Policy: a QA reviewer opens a sampled case
from the inbox and scores it with a money error, the specialist contests it from their own
numbers, a team lead amends it, and the productivity dashboard shows the amended figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine as clock
from django.utils import timezone
from playwright.sync_api import expect

from tests.quality.qa_cases import due_review
from tests.quality.scenario import Story
from tests.quality.test_dashboards_browser import REPORT_VIOLATIONS, _shot, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def errors(page):
    """Script errors, console errors and CSP refusals while the test runs."""
    seen: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    return seen


@pytest.fixture
def sampled(seller_a, seller_a_user, specialist, qa):
    """An approved case (4 × 12.50 USD) decided by `specialist` three hours ago, sampled for
    `qa`. The clock is back to now after, so the browser's session is not born expired."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    def moment(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).replace(tzinfo=None).isoformat()

    with clock.travel(start, tick=False) as traveller:
        story = Story(seller=seller_a, seller_user=seller_a_user, time_machine=traveller)
        case = story.file(moment(0))
        story.assign(case, moment(10), specialist)
        decision = story.decide(case, moment(20), specialist, outcome="approved")
    return due_review(decision, reviewer=qa)


def test_a_review_is_scored_contested_amended_and_counted(
    page, errors, sampled, qa, specialist, lead
):
    reference = sampled.dispute.reference
    # The QA reviewer: the inbox from the navigation, the case beside the scorecard.
    _sign_in(page, qa)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator('[data-count="qa"]')).to_have_text("1")
    nav.get_by_role("link", name=re.compile(r"^QA")).click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("#checks")).to_be_visible()
    for item in page.locator("fieldset.qa-item").all():
        item.get_by_label("Yes", exact=True).check()
    amount = page.locator('fieldset[data-item="amount_correct"]')
    amount.get_by_label("No", exact=True).check()
    amount.locator("input[type=text]").fill("Paid 4 units; the ledger shows 3 lost.")
    page.get_by_label("Money error (USD)").fill("12.50")
    page.get_by_label("Overall comment").fill("One unit too many.")
    _shot(page, "qa-review-form")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.locator("[data-qa-status]")).to_have_text("Submitted")
    expect(page.locator('[data-figure="score"]')).to_have_text("75.00")
    expect(page.locator('[data-figure="money-error"]')).to_have_text("12.50 USD")
    expect(nav.locator('[data-count="qa"]')).to_have_count(0)

    # The specialist: their own numbers list the review; they contest it once.
    _sign_in(page, specialist)
    page.goto("/workspace/dashboard/me/")
    page.locator("#qa-reviews").get_by_role("link", name=reference).click()
    page.get_by_label("Why do you contest this review?").fill("The ledger shows 4 lost units.")
    page.get_by_role("button", name="Contest", exact=True).click()
    expect(page.locator("[data-qa-status]")).to_have_text("Contested")
    expect(page.locator("#contest-form")).to_have_count(0)

    # A team lead amends: the amount was right, no money error.
    _sign_in(page, lead)
    page.goto(f"/workspace/dashboard/qa/{sampled.pk}/")
    expect(page.locator("[data-contest-reason]")).to_contain_text("4 lost units")
    page.get_by_label("Note for the specialist and the reviewer").fill("The ledger agrees.")
    page.get_by_text("Amend: change marks or the money error").click()
    page.locator("#resolve select[name=amount_correct]").select_option("passed")
    page.locator("#resolve").get_by_label("Money error (USD)").fill("0")
    page.get_by_role("button", name="Amend", exact=True).click()
    expect(page.locator("[data-qa-status]")).to_have_text("Amended")
    expect(page.locator('[data-figure="score"]')).to_have_text("100.00")
    expect(page.locator('[data-qa-history] li[data-kind="amended"]')).to_contain_text(
        "Score 75.00 → 100.00"
    )
    _shot(page, "qa-review-amended")

    # The productivity dashboard counts the amended review.
    today = timezone.localdate()
    page.goto(f"/workspace/dashboard/productivity/?date_from={today - timedelta(days=2)}")
    row = page.locator("#specialists table.data tbody tr").filter(has_text="spec")
    expect(row.locator('[data-qa="reviews"]')).to_have_text("1")
    expect(row.locator('[data-qa="score"]')).to_have_text("100.00")
    expect(row.locator('[data-qa="critical"]')).to_have_text("0")
    expect(row.locator('[data-qa="money-error"]')).to_have_text("0.00 USD")
    expect(row.locator('[data-qa="accuracy"]')).to_contain_text("100.00%")
    _shot(page, "qa-productivity")
    assert errors == []
