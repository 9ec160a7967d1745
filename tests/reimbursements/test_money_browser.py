"""Money in a real browser: a team lead approves from the approvals queue, finance pays the
batch, and the seller sees the payout on their reimbursements page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from disputes import services
from reimbursements.models import Reimbursement
from tests.factories import PASSWORD, MembershipFactory, StaffFactory
from tests.reimbursements.common import dispute_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_lead_approves_from_the_queue_and_the_seller_sees_the_payout(page, specialist, lead):
    dispute = dispute_for(currency="USD", value="24.99", quantity=2, assignee=specialist)
    services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
        amount=Decimal("60.00"),
        amount_change_reason="The seller's invoice shows 30.00 a unit",
    )
    payout = Reimbursement.objects.get(dispute=dispute)
    seller_user = MembershipFactory(seller=dispute.seller).user

    _sign_in(page, lead)
    expect(page.locator('[data-count="approvals"]')).to_have_text("1")
    page.get_by_role("link", name="Approvals").click()
    row = page.locator(f'[data-reimbursement="{payout.reference}"]')
    expect(row).to_contain_text("49.98 USD")  # the proposal, beside
    expect(row).to_contain_text("60.00 USD")  # the amount asked
    expect(row).to_contain_text("30.00 a unit")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workspace_approvals.png"), full_page=True)
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash, .messages").first).to_contain_text(payout.reference)
    expect(page.get_by_text("Nothing waits for approval.")).to_be_visible()

    finance = StaffFactory(username="finance", role="Finance")
    _sign_in(page, finance)
    page.get_by_role("link", name="Payouts").click()
    page.locator('[data-ready="USD"]').get_by_role("button", name="Create batch").click()
    batch = page.locator("[data-batch]").first
    batch.get_by_role("textbox").fill("BANK-2026-12-02")
    batch.get_by_role("button", name="Mark paid").click()
    expect(page.locator("[data-batch]").first).to_contain_text("BANK-2026-12-02")

    _sign_in(page, seller_user)
    page.get_by_role("link", name="Reimbursements").click()
    line = page.locator(f'[data-line="{payout.reference}"]')
    expect(line).to_contain_text("60.00 USD")
    expect(line).to_contain_text("30.00 USD")  # what the agreed amount pays a unit: it adds up
    expect(line).to_contain_text("Paid")
    expect(page.locator('[data-total="USD"]')).to_contain_text("60.00 USD")
    page.screenshot(path=str(SCREENSHOTS / "portal_reimbursements.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert payout.reference in Path(download.value.path()).read_text()
