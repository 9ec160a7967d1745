"""The pages still work under the Content-Security-Policy, in a real browser: nothing on the main
pages is refused (no inline script, handler or style left), the language switcher and the
withdraw confirmation work from static script, the chart draws, the API docs render."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from disputes import services
from disputes.models import Dispute
from disputes.status import Status
from tests.factories import PASSWORD, SkuFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Chromium reports each refusal as a `securitypolicyviolation` event; this init script (run by
# the browser before the page's own scripts, outside the page's policy) logs them to the console.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""
CHART_DRAWN = """() => {
  const canvas = document.getElementById("defects-chart");
  if (!canvas || !window.Chart || !window.Chart.getChart(canvas)) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}"""


@pytest.fixture
def violations(page):
    """Every CSP refusal and script error the page reports while the test runs."""
    seen: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            seen.append(m.text)
            if "CSP violation" in m.text or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    return seen


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))


def _dispute(seller, user, *, quantity: int = 2) -> Dispute:
    dispute = services.submit_dispute(
        seller=seller,
        submitted_by=user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": quantity, "description": "Box crushed"},
    )
    services.complete_intake(dispute=dispute)
    dispute.refresh_from_db()
    return dispute


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header.topbar .who span")).to_have_text(username)


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _policy_of(response) -> str:
    assert response is not None and response.ok, response
    return response.headers.get("content-security-policy", "")


def test_the_seller_pages_run_under_the_policy_without_a_violation(
    page, violations, seller_a, seller_a_user, catalog
):
    dispute = _dispute(seller_a, seller_a_user)
    assert "script-src 'self'" in _policy_of(page.goto("/login/"))
    _sign_in(page, seller_a_user.username)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("table.data tbody tr", has_text=dispute.reference)).to_have_count(1)

    page.goto(f"/portal/disputes/{dispute.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.reference)
    page.goto("/portal/file/warehouse_damaged/")
    expect(page.locator("#claim-form")).to_be_visible()
    _screenshot(page, "csp_portal_file.png")
    assert violations == []


def test_the_workspace_pages_run_under_the_policy_without_a_violation(
    page, violations, seller_a, seller_a_user, specialist, catalog
):
    dispute = _dispute(seller_a, seller_a_user)
    _sign_in(page, specialist.username)
    page.goto("/workspace/cases/")
    expect(page.locator("table.data tbody tr", has_text=dispute.reference)).to_have_count(1)
    page.get_by_role("link", name=dispute.reference).click()
    expect(page).to_have_url(re.compile(rf"/workspace/cases/{dispute.reference}/$"))
    page.get_by_role("button", name="Take this case").click()
    # The keyboard shortcut (workspace.js) opens the reply panel, whose form htmx fetches.
    page.locator("body").press("r")
    expect(page.locator("#reply-form")).to_be_visible()
    _screenshot(page, "csp_workspace_case.png")
    assert violations == []


def test_the_language_switcher_switches_without_inline_script(page, violations, seller_a_user):
    _sign_in(page, seller_a_user.username)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-switcher").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.locator("#language-switcher").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []


def test_withdrawing_asks_first_without_an_inline_handler(
    page, violations, seller_a, seller_a_user, catalog
):
    dispute = _dispute(seller_a, seller_a_user)
    _sign_in(page, seller_a_user.username)
    page.goto(f"/portal/disputes/{dispute.reference}/")
    withdraw = page.locator("#withdraw")
    withdraw.locator("textarea, input[type=text]").first.fill("Found the units after all.")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    withdraw.get_by_role("button", name="Withdraw the dispute").click()
    expect(page).to_have_url(re.compile(rf"/portal/disputes/{dispute.reference}/$"))
    assert asked == ["Withdraw this dispute? This cannot be undone."]
    dispute.refresh_from_db()
    assert dispute.status != Status.WITHDRAWN

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    withdraw.get_by_role("button", name="Withdraw the dispute").click()
    expect(page.locator("header.case-head .badges [data-status]")).to_have_text("Withdrawn")
    assert len(asked) == 2
    assert violations == []


def test_the_prevention_chart_draws_under_the_policy(
    page, violations, seller_a, seller_a_user, catalog
):
    _dispute(seller_a, seller_a_user, quantity=1)
    _dispute(seller_a, seller_a_user, quantity=3)
    _sign_in(page, seller_a_user.username)
    page.goto("/portal/advice/")
    page.wait_for_function(CHART_DRAWN)
    page.wait_for_timeout(1200)  # Chart.js's one-second animation, for the screenshot
    _screenshot(page, "csp_portal_advice_chart.png")
    assert violations == []


def test_the_api_docs_render_under_the_policy(page, violations):
    policy = _policy_of(page.goto("/api/docs/"))
    assert "'nonce-" in policy and "unsafe-inline" not in policy
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Arbiter API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() > 10
    _screenshot(page, "csp_api_docs.png")
    assert violations == []


def test_the_admin_runs_under_the_policy_without_a_violation(page, violations):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    page.goto("/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/disputes/dispute/")
    expect(page.locator("#changelist")).to_be_visible()
    assert violations == []
