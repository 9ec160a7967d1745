"""Money is paid once: appeals pay the difference, the same units are never paid on two cases,
overrides and revisions wait for another team lead, and closing waits for the money."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import NotAllowed, TransitionNotAllowed
from disputes import services as dispute_services
from disputes.models import CaseEvent, Dispute
from disputes.services.periodic import close_lapsed_disputes
from disputes.status import Status
from reimbursements.models import PayoutSource, Reimbursement
from reimbursements.selectors import paid_on_case
from reimbursements.services import (
    approve_reimbursement,
    reject_reimbursement,
    review_many,
    revise_reimbursement,
)
from tests.factories import MembershipFactory, SkuFactory, StaffFactory, in_status
from tests.reimbursements.common import dispute_for

pytestmark = pytest.mark.django_db
R = Reimbursement.Status


def _decide(dispute, by, units, **extra):
    return dispute_services.decide_dispute(
        dispute=dispute,
        by=by,
        outcome="approved" if units == dispute.quantity else "partially_approved",
        reason_code="records_confirm_loss",
        approved_quantity=units,
        **extra,
    )


def _appeal(dispute, reviewer):
    """The seller appeals; `reviewer` takes the appeal."""
    user = MembershipFactory(seller=dispute.seller).user
    dispute_services.appeal_dispute(dispute=dispute, by=user, reason="All five were lost.")
    dispute.refresh_from_db()
    dispute_services.assign_dispute(dispute=dispute, assignee=reviewer, by=reviewer)
    dispute.refresh_from_db()
    return dispute


def test_a_decision_on_appeal_pays_only_the_difference(specialist, lead):
    dispute = dispute_for(currency="USD", value="32.50", quantity=5, assignee=specialist)
    _decide(dispute, specialist, 2)
    dispute = _appeal(dispute, lead)
    decision = _decide(dispute, lead, 5)

    payouts = list(Reimbursement.objects.filter(dispute=dispute).order_by("id"))
    assert [(p.quantity_cash, p.amount, p.status) for p in payouts] == [
        (2, Decimal("65.00"), R.APPROVED),
        (3, Decimal("97.50"), R.APPROVED),
    ]
    assert decision.amount == Decimal("162.50")
    assert paid_on_case(dispute=dispute).amount == Decimal("162.50")
    second = CaseEvent.objects.filter(
        dispute=dispute, kind=CaseEvent.Kind.REIMBURSEMENT_PROPOSED
    ).last()
    assert second.data["already_paid"] == {"units": 2, "amount": "65.00"}


def test_an_appeal_granting_no_more_than_was_paid_pays_nothing(specialist, lead):
    dispute = dispute_for(currency="USD", value="32.50", quantity=5, assignee=specialist)
    _decide(dispute, specialist, 3)
    dispute = _appeal(dispute, lead)
    _decide(dispute, lead, 2)

    assert Reimbursement.objects.filter(dispute=dispute).count() == 1
    assert CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.NOTHING_MORE_OWED).exists()


def test_the_same_units_on_a_second_case_are_paid_only_once(specialist, lead):
    first = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    second = in_status(
        Status.IN_REVIEW, seller=first.seller, sku="ITEM-1", quantity=3, assignee=specialist
    )
    _decide(first, specialist, 3)
    _decide(second, specialist, 3)

    assert Reimbursement.objects.filter(dispute=first).get().quantity == 3
    assert not Reimbursement.objects.filter(dispute=second).exists()
    source = PayoutSource.objects.get(seller=first.seller)
    assert (source.key, source.units_paid, source.units_cap) == (
        "claim_type=warehouse_damaged|sku=ITEM-1",
        3,
        3,
    )


def test_units_the_records_support_beyond_an_earlier_payout_are_paid(specialist):
    """Two incidents of the same SKU: the records support 5, the first case paid 2."""
    first = dispute_for(currency="USD", value="10.00", quantity=2, assignee=specialist)
    _decide(first, specialist, 2)
    second = in_status(
        Status.IN_REVIEW, seller=first.seller, sku="ITEM-1", quantity=3, assignee=specialist
    )
    dispute_services.recheck_dispute(dispute=second, trigger="manual")
    second.refresh_from_db()
    run = second.latest_check_run
    run.supported_quantity = 5  # what the ledger says: 5 damaged units in all
    run.save(update_fields=["supported_quantity"])
    _decide(second, specialist, 3)
    assert Reimbursement.objects.get(dispute=second).quantity == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payouts_for_the_same_units_pay_once():
    seller_dispute = dispute_for(currency="USD", value="10.00", quantity=3)
    cases = [
        seller_dispute,
        in_status(Status.IN_REVIEW, seller=seller_dispute.seller, sku="ITEM-1", quantity=3),
    ]
    leads = [StaffFactory(username=f"payer{i}", role="Team Lead") for i in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(dispute, lead):
        try:
            barrier.wait()
            _decide(Dispute.objects.get(pk=dispute.pk), lead, 3)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=pair) for pair in zip(cases, leads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    payouts = Reimbursement.objects.filter(seller=seller_dispute.seller)
    assert [p.quantity for p in payouts] == [3]
    assert PayoutSource.objects.get(seller=seller_dispute.seller).units_paid == 3
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTHING_MORE_OWED).count() == 1


def test_the_database_refuses_paying_a_source_beyond_its_cap(seller_a):
    source = PayoutSource.objects.create(seller=seller_a, key="k", units_cap=3, units_paid=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutSource.objects.filter(pk=source.pk).update(units_paid=4)


# --- maker-checker ------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["20.00", "40.00"])
def test_any_amount_other_than_the_proposal_waits_for_a_team_lead(specialist, amount):
    dispute = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    _decide(dispute, specialist, 3, amount=Decimal(amount), amount_change_reason="Invoice value")
    payout = Reimbursement.objects.get(dispute=dispute)
    assert (payout.status, payout.approval_reason, payout.proposed_amount) == (
        R.PENDING_APPROVAL,
        Reimbursement.ApprovalReason.OVERRIDE,
        Decimal("30.00"),
    )
    assert payout.maker_reason == "Invoice value"
    assert not payout.adds_up  # the seller is not shown "3 × 10.00" for 40.00


def test_the_proposal_is_approved_at_once_and_adds_up(specialist):
    dispute = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    _decide(dispute, specialist, 3)
    payout = Reimbursement.objects.get(dispute=dispute)
    assert (payout.status, payout.approval_reason, payout.adds_up) == (R.APPROVED, "", True)


def test_replaced_units_are_not_paid_in_money(specialist):
    dispute = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    _decide(dispute, specialist, 3, replaced_quantity=1)
    payout = Reimbursement.objects.get(dispute=dispute)
    assert (payout.quantity_cash, payout.quantity_replaced, payout.amount) == (
        2,
        1,
        Decimal("20.00"),
    )


def _pending(specialist):
    dispute = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    _decide(dispute, specialist, 3, amount=Decimal("45.00"), amount_change_reason="Invoice")
    return Reimbursement.objects.get(dispute=dispute)


def test_a_revision_after_a_rejection_needs_a_lead_whatever_the_amount(specialist, lead):
    payout = _pending(specialist)
    reject_reimbursement(reimbursement=payout, by=lead, reason="Use the catalog value")
    revised = revise_reimbursement(
        reimbursement=payout, by=specialist, amount="30.00", reason="Catalog value"
    )
    assert (revised.status, revised.approver) == (R.PENDING_APPROVAL, None)
    with pytest.raises(NotAllowed):
        approve_reimbursement(reimbursement=revised, by=specialist)
    assert approve_reimbursement(reimbursement=revised, by=lead).status == R.APPROVED


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e13", "-5"])
def test_a_revision_to_an_impossible_amount_is_refused(specialist, lead, amount):
    payout = _pending(specialist)
    reject_reimbursement(reimbursement=payout, by=lead, reason="Too much")
    with pytest.raises(Exception) as refused:
        revise_reimbursement(reimbursement=payout, by=specialist, amount=amount, reason="x")
    assert "amount" in refused.value.fields


def test_bulk_review_approves_each_and_reports_the_ones_it_cannot(specialist, lead):
    mine = _pending(specialist)
    theirs = _pending(specialist)
    Reimbursement.objects.filter(pk=theirs.pk).update(maker=lead)
    result = review_many(reimbursement_ids=[mine.pk, theirs.pk], by=lead, verdict="approve")
    assert result.done == [mine.reference]
    assert list(result.refused) == [theirs.reference]
    assert Reimbursement.objects.get(pk=theirs.pk).status == R.PENDING_APPROVAL


# --- closing waits for the money ----------------------------------------------------------------


def test_a_case_with_a_pending_approval_cannot_be_closed(specialist, lead):
    payout = _pending(specialist)
    dispute = payout.dispute
    with pytest.raises(TransitionNotAllowed) as refused:
        dispute_services.close_dispute(dispute=dispute, by=lead, reason="done")
    assert refused.value.code == "money_pending"
    Dispute.objects.filter(pk=dispute.pk).update(appeal_deadline_at=timezone.now())
    assert close_lapsed_disputes(now=timezone.now() + timezone.timedelta(minutes=1)) == 0
    approve_reimbursement(reimbursement=payout, by=lead)
    assert close_lapsed_disputes(now=timezone.now() + timezone.timedelta(minutes=1)) == 1


def test_a_reimbursement_of_a_closed_case_cannot_be_approved(specialist, lead):
    payout = _pending(specialist)
    Dispute.objects.filter(pk=payout.dispute_id).update(status=Status.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        approve_reimbursement(reimbursement=payout, by=lead)
    assert Reimbursement.objects.get(pk=payout.pk).status == R.PENDING_APPROVAL


def test_a_sku_without_a_reference_value_still_pays_what_the_specialist_enters(specialist):
    dispute = dispute_for(currency="USD", value="10.00", quantity=2, assignee=specialist)
    dispute.sku = "NOT-IN-CATALOG"
    dispute.save(update_fields=["sku"])
    SkuFactory(seller=dispute.seller)  # another SKU: the catalog is not empty
    _decide(dispute, specialist, 2, amount=Decimal("18.00"))
    payout = Reimbursement.objects.get(dispute=dispute)
    assert (payout.amount, payout.status, payout.proposed_amount) == (
        Decimal("18.00"),
        R.APPROVED,
        None,
    )
