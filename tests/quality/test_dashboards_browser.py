"""The dashboards in a real browser: a team lead opens each one and its charts draw with data
(Chart.js, under the Content-Security-Policy), the filter narrows, every page's CSV downloads,
the weekly report prints without the navigation; a specialist gets the 403 on the team pages
and opens their own numbers from the navigation.

The history is two weeks of cases made through the services at fixed moments (the weeks of
26 October and 2 November 2026), and the pages are opened on those dates, so the figures do not
depend on the day the test runs."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine as clock
from playwright.sync_api import expect
from pypdf import PdfReader

from quality.rollups import rebuild_rollups
from reimbursements import services as money_services
from tests.factories import PASSWORD, SkuFactory, StaffFactory
from tests.quality.scenario import Story, at
from tests.quality.test_rollups import a_week_of_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
DAYS = "date_from=2026-10-26&date_to=2026-11-08"
PAGES = {
    # page: (address, the first column of its first CSV)
    "service": (f"/workspace/dashboard/service/?{DAYS}", "Status"),
    "productivity": (f"/workspace/dashboard/productivity/?{DAYS}", "Day"),
    "money": (f"/workspace/dashboard/money/?{DAYS}", "Claim type"),
    "defects": (f"/workspace/dashboard/defects/?{DAYS}", "Claim type"),
    "weekly": ("/workspace/dashboard/weekly/?week=2026-W45", "Figure"),
}
# Chromium reports each refusal of the Content-Security-Policy as an event; this init script
# (run before the page's own scripts) logs them to the console as errors.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""
CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const datasets = chart ? chart.data.datasets : [];
  return {
    id: canvas.dataset.chart,
    drawn: canvas.dataset.drawn,
    datasets: datasets.length,
    points: datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== 0).length, 0),
  };
})"""


@pytest.fixture
def errors(page):
    """Script errors, console errors and CSP refusals while the test runs."""
    seen: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    return seen


@pytest.fixture
def history(seller_a, seller_a_user, specialist, specialist2):
    """Two weeks of cases: the week before (one approved and paid, one lost unit denied) and
    a_week_of_cases (an overturned appeal, a breached first response, an open case), a case
    waiting on the seller and a payout; then the rollups rebuilt. The clock is back to now after,
    so the browser's session is not born expired."""
    finance = StaffFactory(username="finance", role="Finance")
    with clock.travel(at("2026-10-26T08:00"), tick=False) as traveller:
        story = Story(seller=seller_a, seller_user=seller_a_user, time_machine=traveller)
        SkuFactory(seller=seller_a, sku="MUG-2", reference_value=Decimal("12.50"))
        paid = story.file("2026-10-27T09:00", sku="MUG-2")
        story.assign(paid, "2026-10-27T10:00", specialist)
        story.decide(paid, "2026-10-27T11:00", specialist, outcome="approved")
        lost = story.file(
            "2026-10-27T09:30", claim_type="warehouse_lost", fulfillment_center="PHX3"
        )
        story.assign(lost, "2026-10-27T10:00", specialist2)
        story.decide(lost, "2026-10-27T12:00", specialist2)
        _pay(traveller, "2026-10-28T09:00", finance)
        a_week_of_cases(story, specialist, specialist2)
        waiting = story.file("2026-11-04T09:00")
        story.assign(waiting, "2026-11-04T09:30", specialist)
        story.ask(waiting, "2026-11-04T10:00", specialist)
        _pay(traveller, "2026-11-05T09:00", finance)
    rebuild_rollups()
    return story


def _pay(traveller, when: str, finance) -> None:
    traveller.move_to(at(when), tick=False)
    batch, _made = money_services.create_payout_batch(by=finance, currency="USD")
    money_services.mark_batch_paid(batch=batch, by=finance, payment_reference=f"BANK-{when[:10]}")


def _sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _shot(page, name: str, **options) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, **options)


def _charts_drawn(page) -> list[dict]:
    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_be_visible()
    for n in range(canvases.count()):
        expect(canvases.nth(n)).to_have_attribute("data-drawn", "1")
    return page.evaluate(CHARTS)


def _downloaded_csv(page) -> list[list[str]]:
    with page.expect_download() as download:
        page.locator("a.csv-link").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    return list(csv.reader(Path(download.value.path()).read_text().splitlines()))


def test_a_lead_sees_every_dashboard_drawn_with_data_and_downloads_its_csv(
    page, errors, history, lead
):
    _sign_in(page, lead)
    expect(page).to_have_url(re.compile(r"/workspace/dashboard/service/$"))  # the lead's home
    for name, (address, first_column) in PAGES.items():
        page.goto(address)
        expect(page.locator(".tabs a[aria-current=page]")).to_have_count(1)
        charts = _charts_drawn(page)
        assert charts, name
        for chart in charts:
            assert chart["datasets"] > 0 and chart["points"] > 0, (name, chart)
        page.wait_for_load_state("networkidle")
        _shot(page, name)
        rows = _downloaded_csv(page)
        assert rows[0][0] == first_column, (name, rows[0])
        assert len(rows) > 1, name
    assert errors == []


def test_the_filter_narrows_a_dashboard_to_a_claim_type(page, errors, history, lead):
    _sign_in(page, lead)
    page.goto(PAGES["defects"][0])
    filed = page.locator("#filed table.data tbody tr")
    expect(filed).to_have_count(2)
    page.locator("#id_claim_type").select_option("warehouse_lost")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"claim_type=warehouse_lost"))
    expect(filed).to_have_count(1)
    expect(filed.first).to_contain_text("Lost in a fulfilment centre")
    expect(page.locator("#fulfillment-centers table.data tbody tr")).to_contain_text("PHX3")
    (chart,) = _charts_drawn(page)
    assert chart["datasets"] == 1 and chart["points"] == 1
    # The tabs keep the filter: the weekly report of that claim type says so.
    page.get_by_role("link", name="Weekly report").click()
    page.locator("#id_week").fill("2026-W44")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".report-scope")).to_contain_text("Lost in a fulfilment centre")
    expect(page.locator('tr[data-figure="filed"] td').nth(1)).to_have_text("1")
    assert errors == []


def test_the_weekly_report_prints_on_a_page_without_navigation(page, errors, history, lead):
    _sign_in(page, lead)
    page.goto(PAGES["weekly"][0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly report 2026-W45")
    expect(page.locator('tr[data-figure="filed"]')).to_contain_text("▲ +3 (+150.0%)")
    _charts_drawn(page)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1032})  # A4 less 12 mm margins, at 96 dpi
    for hidden in (".topbar", ".tabs", "#dashboard-filters", "footer", "[data-print]"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#figures")).to_be_visible()
    page.wait_for_timeout(300)  # Chart.js resizes its canvases to the narrower page
    _shot(page, "weekly-print")
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "weekly.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert len(PdfReader(pdf).pages) == 1  # one page a lead can send upward
    assert errors == []


def test_a_specialist_cannot_open_the_team_pages_and_opens_their_own_numbers(
    page, errors, history, specialist
):
    _sign_in(page, specialist)
    for address, _column in PAGES.values():
        response = page.goto(address)
        assert response is not None and response.status == 403, address
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
        expect(page.locator("main")).to_contain_text(
            "The team dashboards are for team leads and QA reviewers."
        )
    _shot(page, "specialist-403")
    page.goto("/workspace/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboards")).to_have_count(0)
    nav.get_by_role("link", name="My numbers").click()
    expect(page).to_have_url(re.compile(r"/workspace/dashboard/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My numbers")
    expect(page.locator("#id_specialist")).to_have_count(0)  # nobody else's numbers to choose
    page.locator("#id_date_from").fill("2026-10-26")
    page.locator("#id_date_to").fill("2026-11-08")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#specialists table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(page.locator('[data-figure="decided"]')).to_have_text("3")
    (chart,) = _charts_drawn(page)
    assert chart["datasets"] == 1 and chart["points"] > 0
    _shot(page, "my-numbers")
    assert [e for e in errors if "403" not in e] == []
