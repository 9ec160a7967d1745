"""The check report in a real browser: a specialist reads the failures first, follows a check to
its records and decides from the proposal; a seller filing the same order twice is warned."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from disputes import services
from disputes.models import Decision, Dispute
from evidence.models import LedgerEvent
from reimbursements.models import Reimbursement
from tests.factories import PASSWORD, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _sign_in(page, user) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_specialist_reads_the_failures_first_and_decides_from_the_proposal(
    page, seller_a, seller_a_user, specialist
):
    SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))
    LedgerEvent.objects.create(
        record_id="WMS-LOST-1",
        seller=seller_a,
        event_date=timezone.localdate() - timedelta(days=4),
        sku="MUG-1",
        fulfillment_center="PHX7",
        event_type="lost",
        quantity=4,
    )
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_lost",
        fields={"sku": "MUG-1", "quantity": 999, "fulfillment_center": "PHX7"},
    )
    services.complete_intake(dispute=dispute)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)

    _sign_in(page, specialist)
    page.goto(f"/workspace/cases/{dispute.reference}/")
    rows = page.locator("[data-checks] tbody tr")
    results = [rows.nth(i).get_attribute("data-result") for i in range(rows.count())]
    order = ["fail", "error", "warn", "pass", "not_applicable"]
    assert results == sorted(results, key=order.index)
    quantity = page.locator('[data-check="quantity_records"]')
    expect(quantity).to_have_attribute("data-result", "warn")
    expect(quantity).to_contain_text("4 of the 999 units")
    expect(page.locator("[data-eligible]").first).to_contain_text("4")
    expect(page.locator("[data-amount]")).to_contain_text("50.00")
    # The record the check rests on is one click away, highlighted in the records table.
    quantity.get_by_role("link", name="WMS-LOST-1").click()
    expect(page.locator("#record-wms-lost-1")).to_have_class("used")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workspace_checks.png"), full_page=True)

    page.locator("summary", has_text="Decide").click()
    expect(page.locator("#id_approved_quantity")).to_have_value("4")
    expect(page.locator("[data-decide-proposal]")).to_contain_text("50.00")
    page.locator("#id_outcome").select_option("partially_approved")
    page.locator("#id_reason_code").select_option("records_confirm_part")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".flash, .messages").first).to_contain_text("Decision recorded")
    decision = Decision.objects.get(dispute=dispute)
    assert (decision.approved_quantity, decision.amount, decision.root_cause) == (
        4,
        Decimal("50.00"),
        "warehouse_handling",
    )
    assert Reimbursement.objects.get(dispute=dispute).amount == Decimal("50.00")


def test_a_seller_filing_the_same_order_twice_sees_the_warning(page, seller_a, seller_a_user):
    SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))
    first = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="return_not_received",
        fields={"sku": "MUG-1", "order_id": "111-2223334", "quantity": 1},
    )
    _sign_in(page, seller_a_user)
    page.goto("/portal/file/return_not_received/")
    page.locator("#id_sku").fill("MUG-1")
    page.locator("#id_order_id").fill("111-2223334")
    page.get_by_role("button", name="Submit dispute").click()
    warning = page.locator("[data-duplicates]")
    expect(warning).to_contain_text("You already filed this claim")
    expect(warning.get_by_role("link", name=first.reference)).to_be_visible()
    assert Dispute.objects.filter(seller=seller_a).count() == 1
    page.get_by_role("button", name="File it anyway").click()
    expect(page).to_have_url(re.compile(r"/portal/disputes/DSP-"))
    assert Dispute.objects.filter(seller=seller_a).count() == 2
