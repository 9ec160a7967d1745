"""A seller's token reads the portal's fields in the portal's words; staff tokens read the case
with its internals. Whatever a seller can read in the API: disputes (list and one), their
messages and files, reimbursements and reversals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from disputes import services
from disputes.models import Message, Queue
from disputes.status import Priority, Status
from evidence.models import EvidenceFile
from reimbursements.models import Reimbursement
from reimbursements.services import approve_reimbursement, reject_reimbursement
from reimbursements.status import SellerPayoutState
from tests.clients import client_for
from tests.factories import (
    DisputeFactory,
    MembershipFactory,
    SellerFactory,
    SkuFactory,
    StaffFactory,
    in_status,
    png_bytes,
)
from tests.reimbursements.common import a_unit_turns_up

pytestmark = pytest.mark.django_db

# What only staff read: who works the case, where and how urgently, the team's clock, the check
# report, the maker-checker steps of a payout and the records behind a reversal.
STAFF_ONLY_KEYS = {
    "assignee",
    "queue",
    "priority",
    "sla",
    "checks",
    "root_cause",
    "proposal",
    "version",
    "merged_into",
    "maker",
    "approver",
    "approved_at",
    "approval_reason",
    "proposed_amount",
    "batch",
    "record_id",
    "record_kind",
    "cancel_reason",
    "author",
    "internal",
    "uploaded_by",
    "sha256",
}
# Usernames no seller should read, and the payout statuses the portal never says.
MAKER, CHECKER = "maker-q7x", "checker-q7x"
STAFF_WORDS = {MAKER, CHECKER, "rejected", "pending_approval", "completed"}


def _keys(value) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _strings(value) -> set[str]:
    """Every string value in a JSON document."""
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return {value} if isinstance(value, str) else set()


@pytest.fixture
def maker(db):
    return StaffFactory(username=MAKER, role="Specialist")


@pytest.fixture
def checker(db):
    return StaffFactory(username=CHECKER, role="Team Lead")


@pytest.fixture
def seller(db):
    return SellerFactory(name="Seller Q")


@pytest.fixture
def seller_user(seller):
    return MembershipFactory(seller=seller, user__username="seller-q").user


def _decided(seller, maker, sku: str, *, amount: str | None = None) -> Reimbursement:
    """A case of `seller` worked by `maker` at urgent priority, approved with a payout (of
    `amount` when the maker asks for another amount than the policy's)."""
    SkuFactory(seller=seller, sku=sku, reference_value=Decimal("10.00"))
    dispute = in_status(
        Status.IN_REVIEW,
        seller=seller,
        claim_type="warehouse_lost",
        sku=sku,
        quantity=3,
        assignee=maker,
        priority=Priority.URGENT,
    )
    extra = {"amount": Decimal(amount), "amount_change_reason": "Invoice"} if amount else {}
    services.decide_dispute(
        dispute=dispute,
        by=maker,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=3,
        **extra,
    )
    return Reimbursement.objects.get(dispute=dispute)


@pytest.fixture
def case_with_everything(seller, maker, checker):
    """One case whose payout a team lead sent back (rejected), one approved by a second
    person, and one paid for units that turned up (a completed reversal); a staff message and
    a staff upload on the first."""
    rejected = _decided(seller, maker, "SKU-R", amount="41.00")
    reject_reimbursement(reimbursement=rejected, by=checker, reason="Use the catalog value")
    approved = _decided(seller, maker, "SKU-A", amount="45.00")
    approve_reimbursement(reimbursement=approved, by=checker)
    reversed_payout = _decided(seller, maker, "SKU-F")
    a_unit_turns_up(seller=seller, sku="SKU-F", record_id="L-FOUND-Q", by=maker)
    dispute = rejected.dispute
    Message.objects.create(dispute=dispute, side=Message.Side.STAFF, author=maker, body="Seen.")
    picture = png_bytes(7)
    EvidenceFile.objects.create(
        dispute=dispute,
        uploaded_by=maker,
        file=ContentFile(picture, name="shelf.png"),
        original_name="shelf.png",
        content_type="image/png",
        size=len(picture),
        sha256="0" * 64,
        kind="photo",
    )
    return {"rejected": rejected, "approved": approved, "reversed": reversed_payout}


def _seller_reads(api, case_with_everything) -> dict[str, object]:
    reference = case_with_everything["rejected"].dispute.reference
    reversed_reference = case_with_everything["reversed"].dispute.reference
    return {
        "list": api.get("/api/v1/disputes/").json(),
        "detail": api.get(f"/api/v1/disputes/{reference}/").json(),
        "detail_reversed": api.get(f"/api/v1/disputes/{reversed_reference}/").json(),
        "messages": api.get(f"/api/v1/disputes/{reference}/messages/").json(),
        "evidence": api.get(f"/api/v1/disputes/{reference}/evidence/").json(),
        "reimbursements": api.get("/api/v1/reimbursements/").json(),
        "reversals": api.get("/api/v1/reversals/").json(),
    }


def test_a_seller_token_never_reads_staff_fields_or_staff_words(seller_user, case_with_everything):
    reads = _seller_reads(client_for(seller_user), case_with_everything)
    for name, body in reads.items():
        assert not _keys(body) & STAFF_ONLY_KEYS, name
        assert not _strings(body) & STAFF_WORDS, name
    # Not vacuous: the seller did read the three cases, their payouts and the reversal.
    assert len(reads["list"]["results"]) == 3
    assert len(reads["reimbursements"]["results"]) == 3
    assert len(reads["reversals"]["results"]) == 1
    assert reads["messages"][0]["body"] == "Seen." and reads["evidence"][0]["kind"] == "photo"


def test_a_seller_reads_payouts_in_the_portal_s_words(seller_user, case_with_everything):
    reads = _seller_reads(client_for(seller_user), case_with_everything)
    rejected = case_with_everything["rejected"]
    by_reference = {r["reference"]: r for r in reads["reimbursements"]["results"]}
    # A payout a team lead sent back is "on hold" without an amount, never "rejected".
    assert by_reference[rejected.reference]["status"] == SellerPayoutState.ON_HOLD
    assert by_reference[rejected.reference]["amount"] is None
    approved = by_reference[case_with_everything["approved"].reference]
    assert (approved["status"], approved["amount"]) == ("approved", "45.00")
    [summary] = reads["detail"]["reimbursements"]
    assert (summary["status"], summary["amount"]) == ("on_hold", None)
    [reversal] = reads["detail_reversed"]["reversals"]
    assert reversal["amount"] == "-10.00"
    assert reads["reversals"]["results"][0]["status"] == SellerPayoutState.REVERSED
    assert [m["side"] for m in reads["messages"]] == ["staff"]
    # The decision and what the records support, as the portal's case page shows them.
    detail = reads["detail"]
    assert (detail["status"], detail["outcome"]) == ("decided", "approved")
    assert detail["reason_code"] == "records_confirm_loss" and detail["decided_at"]


def test_staff_tokens_still_read_the_case_s_internals(checker, case_with_everything):
    api = client_for(checker)
    rejected = case_with_everything["rejected"]
    detail = api.get(f"/api/v1/disputes/{rejected.dispute.reference}/").json()
    assert (detail["assignee"], detail["priority"], detail["queue"]) == (MAKER, 4, "inventory")
    assert {"sla", "checks", "root_cause", "proposal", "version"} <= set(detail)
    assert detail["reimbursements"][0]["status"] == "rejected"
    assert detail["reimbursements"][0]["approval_reason"] == "override"
    rows = {r["reference"]: r for r in api.get("/api/v1/reimbursements/").json()["results"]}
    assert (rows[rejected.reference]["status"], rows[rejected.reference]["maker"]) == (
        "rejected",
        MAKER,
    )
    assert rows[case_with_everything["approved"].reference]["approver"] == CHECKER
    [reversal] = api.get("/api/v1/reversals/").json()["results"]
    assert (reversal["status"], reversal["record_id"]) == ("completed", "L-FOUND-Q")
    [message] = api.get(f"/api/v1/disputes/{rejected.dispute.reference}/messages/").json()
    assert message["author"] == MAKER
    [upload] = api.get(f"/api/v1/disputes/{rejected.dispute.reference}/evidence/").json()
    assert upload["uploaded_by"] == MAKER


def test_a_choice_not_made_yet_is_null_not_an_empty_string(seller_user, seller, lead):
    dispute = DisputeFactory(seller=seller, defect_kind="")
    for api in (client_for(seller_user), client_for(lead)):
        body = api.get(f"/api/v1/disputes/{dispute.reference}/").json()
        assert (body["outcome"], body["reason_code"], body["defect_kind"]) == (None, None, None)
        [row] = api.get("/api/v1/disputes/").json()["results"]
        assert (row["outcome"], row["reason_code"], row["defect_kind"]) == (None, None, None)


@pytest.mark.parametrize("rows", [2, 20])
def test_a_seller_s_lists_hold_their_query_count(
    seller, seller_user, maker, rows, django_assert_max_num_queries
):
    for n in range(rows):
        payout = _decided(seller, maker, f"SKU-{n}")
        DisputeFactory(seller=seller, assignee=maker)
        if n == 0:
            reference = payout.dispute.reference
    api = client_for(seller_user)
    # The token and its user, the user's sellers, the page (plus the money on one dispute).
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/disputes/").json()["results"]) == 2 * rows
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/reimbursements/").json()["results"]) == rows
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/v1/reversals/").json()["results"]) == 0
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/disputes/{reference}/").json()["reimbursements"]


@pytest.mark.parametrize(
    "query",
    ["priority=4", "queue=inventory", "assignee=none", "sla=breached", "checks=failed"],
)
def test_a_sellers_list_ignores_filters_on_the_teams_fields(query, seller_a, seller_a_user):
    """Filtering on what the portal hides would tell it anyway: a seller's filter by priority,
    queue, assignee, SLA or checks answers as if it were not there."""
    urgent = DisputeFactory(seller=seller_a, priority=4)
    calm = DisputeFactory(seller=seller_a, priority=1, queue=Queue.objects.get(slug="carrier"))
    api = client_for(seller_a_user)
    every = {row["reference"] for row in api.get("/api/v1/disputes/").json()["results"]}
    assert every == {urgent.reference, calm.reference}
    filtered = api.get(f"/api/v1/disputes/?{query}").json()["results"]
    assert {row["reference"] for row in filtered} == every


def test_a_seller_cannot_sort_by_the_teams_fields(seller_a, seller_a_user):
    older = DisputeFactory(seller=seller_a, priority=4)
    newer = DisputeFactory(seller=seller_a, priority=1)
    api = client_for(seller_a_user)
    rows = api.get("/api/v1/disputes/").json()["results"]
    assert [row["reference"] for row in rows] == [newer.reference, older.reference]
    refused = api.get("/api/v1/disputes/?ordering=priority")
    assert refused.status_code == 400
    assert "ordering" in refused.json()["error"]["fields"]
