"""Layouts measured in a real browser: the seller portal on a phone, the case list on a laptop.

Both were seen broken by a person: Chinese menu labels wrapping one character a line and the
portal list's last column off the right of a phone; case list rows too tall to show more than
eight on a laptop and long badges pushing the table wider than the page.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from disputes import services
from disputes.status import Priority, Status
from tests.browser import screenshot, sign_in
from tests.factories import SellerFactory, SkuFactory, in_status, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How far the page reaches past the viewport's right edge, for the document and for every
# element that scrolls sideways on its own (a table card).
HORIZONTAL_OVERFLOW = """() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth) {
    found.push(`document: ${root.scrollWidth} > ${root.clientWidth}`);
  }
  for (const el of document.querySelectorAll('main *')) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${el.tagName}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return found;
}"""

# The menu labels that break over more than one line: the rectangles of a label's text sit on
# as many distinct lines as it wraps onto.
WRAPPED_NAV_LABELS = """() => [...document.querySelectorAll('header.topbar nav a')].filter((a) => {
  const range = document.createRange();
  range.selectNodeContents(a);
  const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
    .map((r) => Math.round(r.top)));
  return tops.size > 1;
}).map((a) => a.textContent.trim())"""

# The menu labels a person cannot see without the page scrolling sideways.
NAV_LABELS_PAST_THE_EDGE = """() => [...document.querySelectorAll('header.topbar nav a')]
  .filter((a) => a.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map((a) => a.textContent.trim())"""


# --- The seller portal on a phone ---------------------------------------------------------------


@pytest.fixture
def chinese_seller_with_disputes(seller_a, seller_a_user, specialist):
    """A Chinese-speaking seller with a dispute in each state the list words differently."""
    seller_a.preferred_language = "zh-hans"
    seller_a.save(update_fields=["preferred_language"])
    SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))
    filed = services.file_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 3, "description": "箱子在仓库里被压坏了。"},
        uploads=[SimpleUploadedFile("photo-1.png", png_bytes(1), content_type="image/png")],
        evidence_kind="photo",
        language="zh-hans",
    )
    services.complete_intake(dispute=filed)
    services.assign_dispute(dispute=filed, assignee=specialist, by=specialist)
    services.decide_dispute(
        dispute=filed,
        by=specialist,
        outcome="partially_approved",
        reason_code="records_confirm_part",
        approved_quantity=2,
    )
    for status, claim_type in [
        (Status.AWAITING_SELLER, "carrier_damaged"),
        (Status.IN_REVIEW, "return_not_received"),
        (Status.CLOSED, "buyer_claim"),
        (Status.SUBMITTED, "inbound_shortage"),
    ]:
        in_status(
            status, seller=seller_a, claim_type=claim_type, sku="SKU-LONG-0001", language="zh-hans"
        )
    filed.refresh_from_db()
    return filed


@pytest.mark.parametrize("width", [390, 360])
def test_the_portal_fits_a_phone_in_chinese(
    page, seller_a_user, chinese_seller_with_disputes, width
):
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, seller_a_user)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto("/portal/")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(5)
    screenshot(page, f"portal_list_zh_{width}.png")
    assert page.evaluate(WRAPPED_NAV_LABELS) == []
    assert page.evaluate(NAV_LABELS_PAST_THE_EDGE) == []
    # The last column says what the seller has to do: it must be on the screen.
    viewport = page.evaluate("document.documentElement.clientWidth")
    for cell in rows.locator("td:last-child").all():
        box = cell.bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport + 0.5, cell.inner_text()
    expect(rows.locator("td:last-child").first).to_be_in_viewport()
    assert page.evaluate(HORIZONTAL_OVERFLOW) == []

    reference = chinese_seller_with_disputes.reference
    for path, name in [
        (f"/portal/disputes/{reference}/", "dispute"),
        ("/portal/file/", "choose"),
        ("/portal/file/warehouse_damaged/", "file"),
        ("/portal/reimbursements/", "reimbursements"),
        ("/portal/advice/", "advice"),
    ]:
        page.goto(path)
        screenshot(page, f"portal_{name}_zh_{width}.png")
        assert page.evaluate(HORIZONTAL_OVERFLOW) == [], path
        assert page.evaluate(WRAPPED_NAV_LABELS) == [], path


# --- The workspace case list on a laptop --------------------------------------------------------


@pytest.fixture
def twenty_cases(specialist):
    """Twenty cases with the longest things a row can show: sellers, claim types, badges."""
    now = timezone.now()
    long_named = SellerFactory(
        name="Shenzhen Everbright Household Goods International Trading Co., Ltd.",
        marketplace="JP",
        default_currency="JPY",
        preferred_language="ja",
    )
    other = SellerFactory(name="Seller B")
    statuses = [
        Status.AWAITING_SELLER,  # the longest SLA badge: paused, waiting for the seller
        Status.IN_REVIEW,
        Status.ESCALATED,
        Status.OPEN,
        Status.APPEALED,
        Status.DECIDED,
    ]
    claim_types = ["buyer_claim", "carrier_damaged", "return_not_received", "removal_lost"]
    cases = []
    for n in range(20):
        status = statuses[n % len(statuses)]
        extra = {"assignee": specialist} if status != Status.OPEN else {}
        cases.append(
            in_status(
                status,
                seller=long_named if n % 2 == 0 else other,
                claim_type=claim_types[n % len(claim_types)],
                language="ja" if n % 2 == 0 else "en",
                priority=Priority.URGENT if n % 3 == 0 else Priority.NORMAL,
                sla_next_deadline_at=now - timedelta(days=12, hours=23) if n % 4 else None,
                eligible_quantity=12,
                failed_checks=3 if n % 2 else 0,
                amount=Decimal("4999.99"),
                currency="JPY" if n % 2 == 0 else "USD",
                **extra,
            )
        )
    return cases


def _visible_rows(page) -> int:
    return page.evaluate(
        """() => [...document.querySelectorAll('table.cases tbody tr')]
          .filter((tr) => tr.getBoundingClientRect().top < window.innerHeight).length"""
    )


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("viewport", [(1366, 768), (1440, 900)], ids=["1366x768", "1440x900"])
def test_the_case_list_shows_fifteen_rows_on_a_laptop_without_sideways_scroll(
    page, live_server, specialist, twenty_cases, language, viewport
):
    width, height = viewport
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, specialist)
    page.goto("/workspace/cases/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(20)
    expect(page.locator("table.cases [data-sla=paused]").first).to_be_visible()
    screenshot(page, f"workspace_cases_{language}_{width}.png")

    assert _visible_rows(page) >= 15
    assert max(box["height"] for box in (r.bounding_box() for r in rows.all())) <= 40
    assert page.evaluate(HORIZONTAL_OVERFLOW) == []
