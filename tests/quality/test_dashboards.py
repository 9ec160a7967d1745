"""The dashboards through the test client: who may open them, their figures against the cases,
their CSVs, constant query counts and the lead's home page."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from disputes import services
from disputes.models import Dispute
from quality import selectors
from quality.filters import DashboardFilterForm
from quality.models import BACKLOG_STATUSES
from quality.rollups import rebuild_rollups, roll_up
from quality.selectors.common import AGE_BUCKETS
from reimbursements import services as money
from reimbursements.models import Reimbursement, Reversal
from tests.factories import DisputeFactory, SkuFactory, StaffFactory, in_status
from tests.quality.scenario import Story, at
from tests.quality.test_rollups import a_week_of_cases

pytestmark = pytest.mark.django_db

TEAM_PAGES = [
    "quality:service",
    "quality:productivity",
    "quality:money",
    "quality:defects",
    "quality:quality",
]
WEEK = {"date_from": "2026-11-02", "date_to": "2026-11-06"}


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(seller_a, seller_a_user, time_machine):
    return Story(seller=seller_a, seller_user=seller_a_user, time_machine=time_machine)


def filters(**data):
    form = DashboardFilterForm({**WEEK, **data})
    assert form.is_valid(), form.errors
    return form.filters()


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_team_leads_and_qa_reviewers_open_every_team_dashboard(name, lead, qa):
    for user in (lead, qa):
        response = browser_for(user).get(reverse(name))
        assert response.status_code == 200, (user, name)


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_a_specialist_cannot_open_the_team_dashboards(name, specialist):
    assert browser_for(specialist).get(reverse(name)).status_code == 403


def test_a_seller_and_a_stranger_cannot_open_the_dashboards(seller_a_user, client):
    assert client.get(reverse("quality:service")).status_code == 302  # to the login page
    assert browser_for(seller_a_user).get(reverse("quality:service")).status_code in (302, 403)


def test_the_leads_home_is_the_service_dashboard_and_a_specialists_is_the_queues(lead, specialist):
    response = browser_for(lead).get(reverse("workspace:home"))
    assert response.status_code == 302 and response["Location"] == reverse("quality:service")
    page = browser_for(specialist).get(reverse("workspace:home"))
    assert page.status_code == 200 and b"My numbers" in page.content
    assert b"Dashboards" not in page.content
    assert b"Dashboards" in browser_for(lead).get(reverse("quality:service")).content


def test_a_specialist_sees_only_their_own_numbers(story, specialist, specialist2, time_machine):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    page = browser_for(specialist).get(
        reverse("quality:mine"), {**WEEK, "specialist": specialist2.pk}
    )
    assert page.status_code == 200
    rows = page.context["data"].specialists
    assert [row["specialist_pk"] for row in rows] == [specialist.pk]
    assert "specialist" not in page.context["form"].fields


# --- figures against the cases -------------------------------------------------------------------


def test_no_cases_give_empty_dashboards(lead):
    for name in TEAM_PAGES:
        page = browser_for(lead).get(reverse(name))
        assert page.status_code == 200
        assert b'class="empty"' in page.content


def test_productivity_figures_match_the_cases(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    data = selectors.productivity_dashboard(filters())
    rows = {row["specialist_pk"]: row for row in data.specialists}
    # specialist: two first decisions (one at first contact, one appealed and overturned).
    first = rows[specialist.pk]
    assert (first["decided"], first["appealed"], first["first_contact_rate"]) == (2, 1, 50.0)
    assert first["appeal_rate"] == 50.0
    # specialist2: one first decision after asking the seller, one decision on appeal that
    # overturned the first.
    second = rows[specialist2.pk]
    assert (second["decided"], second["overturned"], second["overturn_rate"]) == (2, 1, 100.0)
    assert second["first_contact_rate"] == 0.0
    decided = {row["day"]: row["counts"] for row in data.decided_by_day}
    name = specialist.get_full_name() or specialist.get_username()
    assert decided[date(2026, 11, 2)][name] == 2


def test_a_specialist_with_only_appeals_has_no_first_contact_rate(story, specialist, specialist2):
    case = story.file("2026-11-02T09:00")
    story.assign(case, "2026-11-02T10:00", specialist)
    story.decide(case, "2026-11-02T11:00", specialist)
    story.appeal(case, "2026-11-03T09:00")
    story.assign(case, "2026-11-03T10:00", specialist2)
    story.decide(case, "2026-11-03T11:00", specialist2)  # denied again: upheld
    roll_up(now=at("2026-11-04T00:00"))
    row = next(
        r
        for r in selectors.productivity_dashboard(filters()).specialists
        if r["specialist_pk"] == specialist2.pk
    )
    assert (row["decided"], row["first_contact_rate"], row["appeal_rate"]) == (1, None, None)
    assert (row["overturned"], row["overturn_rate"]) == (0, 0.0)


def test_service_figures_match_the_cases(story, specialist, specialist2, time_machine):
    a_week_of_cases(story, specialist, specialist2)
    waiting = story.file("2026-11-04T09:00")
    story.assign(waiting, "2026-11-04T09:30", specialist)
    story.ask(waiting, "2026-11-04T10:00", specialist)
    open_case = story.file("2026-11-05T08:00")
    roll_up(now=at("2026-11-05T09:00"))
    time_machine.move_to(at("2026-11-05T09:00"), tick=False)
    data = selectors.service_dashboard(filters(), now=at("2026-11-05T09:00"))
    backlog = {row["status"]: row for row in data.backlog}
    assert backlog["awaiting_seller"]["total"] == 1
    assert backlog["awaiting_seller"]["1–3d"] == 1  # filed exactly a day before
    # The case filed Monday 08:00 and never worked is 3 days old; today's is under a day.
    assert backlog["open"]["3–7d"] == 1 and backlog["open"]["<1d"] == 1
    assert data.awaiting_total == 1 and data.awaiting_oldest == [waiting]
    assert open_case in data.due_soon
    by_day = {row["day"]: row for row in data.compliance_by_day}
    assert by_day[date(2026, 11, 3)]["first_response_breached"] == 1


def direct_backlog(now, **narrow) -> dict:
    """{status: {age bucket: cases}} counted case by case."""
    counts: dict = defaultdict(Counter)
    for case in Dispute.objects.filter(status__in=BACKLOG_STATUSES, **narrow):
        age = now - case.created_at
        counts[case.status][next(label for label, least in AGE_BUCKETS if age >= least)] += 1
    return {status: dict(buckets) for status, buckets in counts.items()}


def shown_backlog(data) -> dict:
    return {
        row["status"]: {label: row[label] for label, _ in AGE_BUCKETS if row[label]}
        for row in data.backlog
    }


@pytest.mark.parametrize("hour", [12, 18, 3])
def test_the_backlog_equals_the_open_cases_counted_one_by_one(
    story, specialist, specialist2, lead, time_machine, hour
):
    """`hour`: where the age boundaries fall in their day (the side counted live is the shorter
    one: before the boundary at 12:00 and 03:00, after it at 18:00)."""
    now = at("2026-11-20T00:00") + timedelta(hours=hour)

    def ago(days: float, minutes: int = 0) -> str:
        return (now - timedelta(days=days, minutes=minutes)).isoformat()

    # Either side of every age boundary, exactly on one, and far older than the oldest.
    filed = [
        story.file(when)
        for when in (
            ago(50),
            ago(15),
            ago(14),
            ago(14, minutes=-1),
            ago(7, minutes=60),
            ago(7, minutes=-60),
            ago(3, minutes=-60),
            ago(1),
            ago(0, minutes=240),
        )
    ]
    later = now - timedelta(minutes=50)
    story.assign(filed[0], later.isoformat(), specialist)
    story.assign(filed[1], (later + timedelta(minutes=1)).isoformat(), specialist)
    story.ask(filed[1], (later + timedelta(minutes=2)).isoformat(), specialist)
    story.assign(filed[3], (later + timedelta(minutes=3)).isoformat(), specialist2)
    rebuild_rollups()
    # After the last run: an old case decided, another reassigned, one filed (counted live).
    story.decide(filed[0], (later + timedelta(minutes=20)).isoformat(), specialist)
    time_machine.move_to(later + timedelta(minutes=21), tick=False)
    services.assign_dispute(dispute=filed[3], assignee=specialist, by=lead)
    story.file((later + timedelta(minutes=30)).isoformat())
    time_machine.move_to(now, tick=False)

    def shown(**data):
        return shown_backlog(selectors.service_dashboard(filters(**data), now=now))

    assert shown() == direct_backlog(now)
    # The one filed exactly 14 days before, and the one waiting for the seller for 15 days.
    assert (shown()["open"]["14d+"], shown()["awaiting_seller"]["14d+"]) == (1, 1)
    assert sum(shown()["open"].values()) == 7
    assert shown(specialist=specialist.pk) == direct_backlog(now, assignee=specialist)
    assert shown(marketplace="JP") == {}
    roll_up(now=now)
    assert shown() == direct_backlog(now)
    assert shown(specialist=specialist2.pk) == direct_backlog(now, assignee=specialist2) == {}


def test_money_and_defect_figures_match_the_cases(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    defects = selectors.defects_dashboard(filters())
    (row,) = defects.by_claim_type
    assert (row["claim_type"], row["filed"], row["decided"]) == ("warehouse_damaged", 4, 4)
    assert (row["confirmed"], row["denied"]) == (2, 2)
    assert [r["filed"] for r in defects.top_sellers_by_disputes] == [4]
    assert [r["denied"] for r in defects.top_sellers_by_invalid] == [1]
    money = selectors.money_dashboard(filters())
    assert money.approvals_waiting == [] or all(
        r.status == "pending_approval" for r in money.approvals_waiting
    )


def test_filters_narrow_the_figures(story, specialist, specialist2):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    assert selectors.defects_dashboard(filters(claim_type="carrier_damaged")).by_claim_type == []
    assert selectors.defects_dashboard(filters(marketplace="JP")).by_claim_type == []
    only_monday = selectors.productivity_dashboard(filters(date_to="2026-11-02"))
    assert sum(row["decided"] for row in only_monday.specialists) == 2


def test_a_bad_date_range_says_what_is_wrong_and_still_shows_the_page(lead):
    page = browser_for(lead).get(
        reverse("quality:service"), {"date_from": "2026-11-10", "date_to": "2026-11-01"}
    )
    assert page.status_code == 200
    assert "The start date is after the end date." in page.content.decode()


# --- CSV ----------------------------------------------------------------------------------------

TABLES = {
    "quality:service": [
        "backlog",
        "sla-by-day",
        "sla-by-queue",
        "breaches-today",
        "due-soon",
        "awaiting-seller",
    ],
    "quality:productivity": ["specialists", "decided-per-day"],
    "quality:money": ["by-claim-type", "by-marketplace", "overrides", "approvals-waiting"],
    "quality:quality": ["specialists", "financial-accuracy", "weeks"],
    "quality:defects": [
        "by-claim-type",
        "by-root-cause",
        "by-fulfillment-center",
        "by-carrier",
        "top-sellers",
        "top-invalid",
    ],
}


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_every_table_downloads_as_csv(name, story, specialist, specialist2, lead):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    client = browser_for(lead)
    for table in TABLES[name]:
        response = client.get(reverse(name), {**WEEK, "export": table})
        assert response.status_code == 200, table
        rows = csv_rows(response)
        assert rows and rows[0], table  # a header at least
    assert client.get(reverse(name), {"export": "nonsense"}).status_code == 404


def test_the_csv_of_a_table_has_the_pages_figures(story, specialist, specialist2, lead):
    a_week_of_cases(story, specialist, specialist2)
    roll_up(now=at("2026-11-05T00:00"))
    rows = csv_rows(
        browser_for(lead).get(reverse("quality:productivity"), {**WEEK, "export": "specialists"})
    )
    assert rows[0][:2] == ["Specialist", "Decided"]
    assert sorted(int(row[1]) for row in rows[1:]) == [2, 2]


# --- speed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_a_dashboard_runs_the_same_queries_whatever_the_number_of_cases(
    name, lead, seller_a, django_assert_max_num_queries
):
    client = browser_for(lead)
    client.get(reverse(name))  # warm the session and the content types
    for _ in range(3):
        DisputeFactory(seller=seller_a)
        in_status("awaiting_seller", seller=seller_a)
    roll_up()
    with django_assert_max_num_queries(25) as few:
        client.get(reverse(name))
    for _ in range(20):
        DisputeFactory(seller=seller_a)
        in_status("awaiting_seller", seller=seller_a)
    roll_up()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))


def test_money_figures_equal_the_payouts_and_reversals(story, specialist, specialist2, lead):
    """Paid and reversed sums, payouts and overrides against the payout rows themselves: one
    payout at the proposal, one above it (a lead approves the override), one reversed in part."""
    finance = StaffFactory(username="finance", role="Finance")
    at_proposal = story.file("2026-11-02T09:00", claim_type="warehouse_damaged")
    story.assign(at_proposal, "2026-11-02T10:00", specialist)
    story.decide(at_proposal, "2026-11-02T11:00", specialist, outcome="approved")
    SkuFactory(seller=story.seller, sku="MUG-2", reference_value=Decimal("12.50"))
    above = story.file("2026-11-02T09:30", sku="MUG-2")
    story.assign(above, "2026-11-02T10:00", specialist2)
    story.decide(
        above,
        "2026-11-02T12:00",
        specialist2,
        outcome="approved",
        amount=Decimal("60.00"),
        amount_change_reason="Invoice shows a higher unit price.",
    )
    override = Reimbursement.objects.get(dispute=above)
    money.review_reimbursement(reimbursement=override, by=lead, verdict="approve")
    story.clock.move_to(at("2026-11-03T09:00"), tick=False)
    batch, _made = money.create_payout_batch(by=finance, currency="USD")
    money.mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-1")
    paid = Reimbursement.objects.get(dispute=at_proposal)
    Reversal.objects.create(
        reference="RVS-TEST-1",
        dispute=at_proposal,
        reimbursement=paid,
        seller=story.seller,
        status=Reversal.Status.COMPLETED,
        quantity=1,
        unit_value=Decimal("12.50"),
        amount=Decimal("-12.50"),
        currency="USD",
        record_kind="ledger",
        record_id="L-FOUND-1",
        resolved_by=specialist,
        resolved_at=at("2026-11-04T10:00"),
    )
    rebuild_rollups()
    data = selectors.money_dashboard(filters())
    (row,) = data.by_claim_type
    payouts = Reimbursement.objects.filter(paid_at__isnull=False)
    assert row["payouts_paid"] == payouts.count() == 2
    assert row["paid_amount"] == sum(p.amount for p in payouts) == Decimal("110.00")
    assert row["reversed_amount"] == Decimal("12.50")
    assert row["net_amount"] == Decimal("97.50")
    assert row["payout_overrides"] == 1
    assert [r.pk for r in data.overrides] == [override.pk]
    assert data.overrides[0].approver == lead
    assert data.approvals_waiting == []
    assert [r["marketplace"] for r in data.by_marketplace] == [story.seller.marketplace]
    paid_by_day = {r["day"]: r["paid"]["USD"] for r in data.by_day}
    assert paid_by_day[date(2026, 11, 3)] == Decimal("110.00")


def test_a_payout_waiting_for_approval_shows_with_its_age(story, specialist, time_machine):
    case = story.file("2026-11-02T09:00")
    story.assign(case, "2026-11-02T10:00", specialist)
    story.decide(
        case,
        "2026-11-02T11:00",
        specialist,
        outcome="approved",
        amount=Decimal("70.00"),
        amount_change_reason="Higher invoice.",
    )
    time_machine.move_to(at("2026-11-05T11:00"), tick=False)
    data = selectors.money_dashboard(filters(), now=at("2026-11-05T11:00"))
    assert [r.dispute for r in data.approvals_waiting] == [case]
    ages = {row["bucket"]: row["count"] for row in data.approvals_by_age}
    assert ages["1–3d"] == 0 and ages["3–7d"] == 1


def test_the_service_page_lists_a_few_cases_and_its_csv_many(lead, seller_a):
    for _ in range(20):
        in_status("awaiting_seller", seller=seller_a)
    client = browser_for(lead)
    page = client.get(reverse("quality:service"))
    assert len(page.context["data"].awaiting_oldest) == 15
    assert "The first 15 of 20" in page.content.decode()
    rows = csv_rows(client.get(reverse("quality:service"), {"export": "awaiting-seller"}))
    assert len(rows) == 1 + 20
