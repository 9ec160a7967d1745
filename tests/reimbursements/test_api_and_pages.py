"""The money pages and endpoints: approvals queue, reversals queue, payouts, the seller's
statement, the finance export; through the test client and the API client."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from disputes import services as dispute_services
from evidence.services import import_records
from reimbursements.models import PayoutBatch, Reimbursement, Reversal
from reimbursements.services import complete_reversal, create_payout_batch, mark_batch_paid
from tests.clients import client_for
from tests.factories import MembershipFactory, StaffFactory
from tests.reimbursements.common import dispute_for

pytestmark = pytest.mark.django_db
R = Reimbursement.Status


@pytest.fixture
def finance(db):
    return StaffFactory(username="finance", role="Finance")


def _pay(specialist, *, amount=None, units=3, claim_type="warehouse_lost", seller=None):
    dispute = dispute_for(currency="USD", value="10.00", quantity=units, assignee=specialist)
    if seller is not None:
        dispute.seller = seller
    dispute.claim_type = claim_type
    dispute.save()
    extra = {"amount": Decimal(amount), "amount_change_reason": "Invoice"} if amount else {}
    dispute_services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=units,
        **extra,
    )
    return Reimbursement.objects.get(dispute=dispute)


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


# --- approvals queue ----------------------------------------------------------------------------


def test_the_approvals_queue_lists_oldest_first_with_the_proposal_beside_the_amount(
    client, specialist, lead
):
    older, newer = _pay(specialist, amount="45.00"), _pay(specialist, amount="50.00")
    Reimbursement.objects.filter(pk=newer.pk).update(created_at=timezone.now())
    client.force_login(lead)
    page = client.get("/workspace/approvals/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index(older.reference) < body.index(newer.reference)
    assert "30.00 USD" in body and "45.00 USD" in body and "Invoice" in body


def test_a_lead_approves_one_and_rejects_in_bulk_with_a_reason(client, specialist, lead):
    first, second, third = (_pay(specialist, amount=a) for a in ("41.00", "42.00", "43.00"))
    client.force_login(lead)
    client.post("/workspace/approvals/review/", {"row": f"approve:{first.pk}"})
    client.post(
        "/workspace/approvals/review/",
        {"ids": [second.pk, third.pk], "verdict": "reject", "reason": "Use the catalog value"},
    )
    states = dict(Reimbursement.objects.values_list("pk", "status"))
    assert states == {first.pk: R.APPROVED, second.pk: R.REJECTED, third.pk: R.REJECTED}
    assert Reimbursement.objects.get(pk=second.pk).review_note == "Use the catalog value"


def test_a_bulk_rejection_without_a_reason_changes_nothing(client, specialist, lead):
    payout = _pay(specialist, amount="41.00")
    client.force_login(lead)
    response = client.post(
        "/workspace/approvals/review/", {"ids": [payout.pk], "verdict": "reject"}, follow=True
    )
    assert "Say why" in response.content.decode()
    assert Reimbursement.objects.get(pk=payout.pk).status == R.PENDING_APPROVAL


@pytest.mark.parametrize("role", ["Specialist", "QA Reviewer", "Finance"])
def test_only_team_leads_open_the_approvals_queue(client, role):
    client.force_login(StaffFactory(role=role))
    assert client.get("/workspace/approvals/").status_code == 403


def test_the_navigation_counts_what_waits_for_the_viewer(client, specialist, lead):
    _pay(specialist, amount="41.00")
    client.force_login(lead)
    body = client.get("/workspace/queues/").content.decode()
    assert 'data-count="approvals">1<' in body
    client.force_login(specialist)
    body = client.get("/workspace/queues/").content.decode()
    assert 'data-count="approvals"' not in body


@pytest.mark.parametrize("rows", [2, 12])
def test_the_approvals_queue_reads_a_constant_number_of_queries(
    client, specialist, lead, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        _pay(specialist, amount="41.00")
    client.force_login(lead)
    with django_assert_max_num_queries(9):
        assert client.get("/workspace/approvals/").status_code == 200


# --- reversals queue ----------------------------------------------------------------------------


def _found(payout, record_id="L-F-1"):
    import_records(
        kind="ledger",
        rows=[
            {
                "record_id": record_id,
                "seller_id": payout.seller.seller_id,
                "event_date": date.today().isoformat(),
                "sku": payout.sku,
                "fulfillment_center": "PHX7",
                "event_type": "found",
                "quantity": 1,
            }
        ],
    )
    return Reversal.objects.get(record_id=record_id)


def test_a_specialist_completes_and_cancels_reversals_from_the_queue(client, specialist):
    first, second = _pay(specialist), _pay(specialist)
    one, two = _found(first, "L-1"), _found(second, "L-2")
    client.force_login(specialist)
    body = client.get("/workspace/reversals/").content.decode()
    assert one.reference in body and two.reference in body and "-10.00 USD" in body
    client.post(f"/workspace/reversals/{one.pk}/complete/")
    refused = client.post(f"/workspace/reversals/{two.pk}/cancel/", {"reason": ""}, follow=True)
    assert "Say why" in refused.content.decode()
    client.post(f"/workspace/reversals/{two.pk}/cancel/", {"reason": "Another lot"})
    assert dict(Reversal.objects.values_list("pk", "status")) == {
        one.pk: Reversal.Status.COMPLETED,
        two.pk: Reversal.Status.CANCELLED,
    }
    assert "No reversal is pending" in client.get("/workspace/reversals/").content.decode()


def test_the_case_page_and_the_api_show_the_reversal(client, specialist, lead):
    payout = _pay(specialist)
    reversal = _found(payout)
    client.force_login(specialist)
    page = client.get(f"/workspace/cases/{payout.dispute.reference}/").content.decode()
    assert reversal.reference in page
    data = client_for(lead).get(f"/api/v1/disputes/{payout.dispute.reference}/").json()
    assert data["reversals"][0]["reference"] == reversal.reference
    assert data["reversals"][0]["amount"] == "-10.00"


# --- payouts: finance in the workspace and the payments system through the API ------------------


def test_finance_batches_and_marks_paid_in_the_workspace(client, specialist, finance):
    payout = _pay(specialist)
    client.force_login(finance)
    assert "30.00 USD" in client.get("/workspace/payouts/").content.decode()
    client.post("/workspace/payouts/batch/", {"currency": "USD"})
    batch = PayoutBatch.objects.get()
    client.post(f"/workspace/payouts/{batch.reference}/paid/", {"payment_reference": "BANK-1"})
    payout.refresh_from_db()
    assert (payout.status, payout.batch) == (R.PAID, batch)


def test_the_payments_system_creates_and_pays_a_batch_idempotently(specialist, finance):
    _pay(specialist)
    api = client_for(finance)
    first = api.post(
        "/api/v1/payout-batches/", {"currency": "USD"}, format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    again = api.post(
        "/api/v1/payout-batches/", {"currency": "USD"}, format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    reference = first.json()["reference"]
    paid = api.post(
        f"/api/v1/payout-batches/{reference}/paid/", {"payment_reference": "P-9"}, format="json"
    )
    repeat = api.post(
        f"/api/v1/payout-batches/{reference}/paid/", {"payment_reference": "P-9"}, format="json"
    )
    assert (paid.status_code, repeat.status_code) == (200, 200)
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"] == repeat.json()["paid_at"]
    conflict = api.post(
        f"/api/v1/payout-batches/{reference}/paid/", {"payment_reference": "P-10"}, format="json"
    )
    assert conflict.status_code == 409


def test_only_finance_reaches_the_payout_batches(specialist, lead):
    assert client_for(lead).get("/api/v1/payout-batches/").status_code == 403
    assert (
        client_for(specialist).post("/api/v1/payout-batches/", {"currency": "USD"}).status_code
        == 403
    )


# --- the seller's statement ---------------------------------------------------------------------


def test_the_seller_sees_every_payout_and_reversal_with_totals(client, specialist, lead, finance):
    paid = _pay(specialist)
    waiting = _pay(specialist, amount="41.00", seller=paid.seller, claim_type="warehouse_damaged")
    batch, _created = create_payout_batch(by=finance, currency="USD")
    mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-1")
    reversal = _found(paid)
    complete_reversal(reversal=reversal, by=specialist)
    user = MembershipFactory(seller=paid.seller).user
    client.force_login(user)

    body = client.get("/portal/reimbursements/").content.decode()
    assert paid.reference in body and waiting.reference in body and reversal.reference in body
    assert "41.00" not in body  # not approved yet: no amount
    assert "20.00 USD" in body  # 30.00 paid − 10.00 taken back

    rows = _csv(client.get("/portal/reimbursements.csv"))
    assert rows[0][:3] == ["Date", "Kind", "Reference"]
    by_reference = {row[2]: row for row in rows[1:]}
    assert by_reference[paid.reference][7:] == ["30.00", "USD", "Paid"]
    assert by_reference[waiting.reference][7:] == ["", "USD", "Being approved"]
    assert by_reference[reversal.reference][7] == "-10.00"

    api_rows = client_for(user).get("/api/v1/reimbursements/").json()["results"]
    assert {r["reference"]: (r["status"], r["amount"]) for r in api_rows} == {
        paid.reference: ("paid", "30.00"),
        waiting.reference: ("being_approved", None),
    }
    assert "maker" not in api_rows[0]
    reversals = client_for(user).get("/api/v1/reversals/").json()["results"]
    assert [r["reference"] for r in reversals] == [reversal.reference]


def test_a_seller_never_sees_another_sellers_payouts(client, specialist, seller_b_user):
    payout = _pay(specialist)
    client.force_login(seller_b_user)
    assert payout.reference not in client.get("/portal/reimbursements/").content.decode()
    rows = client_for(seller_b_user).get("/api/v1/reimbursements/").json()["results"]
    assert rows == []


# --- the finance export -------------------------------------------------------------------------


def test_the_finance_export_has_paid_payouts_reversals_and_totals(specialist, finance, lead):
    first, second = _pay(specialist), _pay(specialist)
    _pay(specialist, amount="41.00")  # waiting for approval: not in the export
    batch, _created = create_payout_batch(by=finance, currency="USD")
    mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-1")
    complete_reversal(reversal=_found(first), by=specialist)

    rows = _csv(client_for(finance).get("/api/v1/reimbursements/export/"))
    kinds = [row[0] for row in rows[1:]]
    assert kinds == ["payout", "payout", "reversal", "total"]
    assert rows[-1][10:12] == ["50.00", "USD"]
    assert {rows[1][1], rows[2][1]} == {first.reference, second.reference}
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    later = _csv(client_for(finance).get("/api/v1/reimbursements/export/", {"date_from": tomorrow}))
    assert later == [later[0]]
    bad = client_for(finance).get("/api/v1/reimbursements/export/", {"date_from": "someday"})
    assert bad.status_code == 400
    assert client_for(specialist).get("/api/v1/reimbursements/export/").status_code == 403


def test_a_seller_token_reads_the_dispute_s_money_in_the_portal_s_terms(specialist, lead):
    payout = _pay(specialist, amount="41.00")  # waiting for a team lead
    _pay_found = _pay(specialist)
    _found(_pay_found)  # a pending reversal on that other case
    seller_user = MembershipFactory(seller=payout.seller).user
    mine = client_for(seller_user).get(f"/api/v1/disputes/{payout.dispute.reference}/").json()
    assert mine["reimbursements"][0]["status"] == "being_approved"
    assert mine["reimbursements"][0]["amount"] is None
    staff = client_for(lead).get(f"/api/v1/disputes/{payout.dispute.reference}/").json()
    assert (staff["reimbursements"][0]["status"], staff["reimbursements"][0]["amount"]) == (
        "pending_approval",
        "41.00",
    )
    other_user = MembershipFactory(seller=_pay_found.seller).user
    other = client_for(other_user).get(f"/api/v1/disputes/{_pay_found.dispute.reference}/")
    assert other.json()["reversals"] == []  # pending: not the seller's business yet
