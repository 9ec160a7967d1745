"""Reimbursements: what a decision pays, and the second person who must approve large ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services as dispute_services
from disputes.models import CaseEvent
from reimbursements.models import Reimbursement
from reimbursements.services import (
    approve_reimbursement,
    reject_reimbursement,
    revise_reimbursement,
)
from tests.reimbursements.common import buyer_damaged_return, decide_paying, dispute_for

pytestmark = pytest.mark.django_db


def test_a_decision_pays_the_proposal_and_records_the_reimbursement(specialist, policy):
    dispute = dispute_for(currency="USD", value="12.50", quantity=3, assignee=specialist)
    decision = dispute_services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="partially_approved",
        reason_code="records_confirm_part",
        approved_quantity=2,
    )
    reimbursement = Reimbursement.objects.get(decision=decision)
    assert (decision.amount, decision.currency) == (Decimal("25.00"), "USD")
    assert (
        reimbursement.amount,
        reimbursement.unit_value,
        reimbursement.quantity_cash,
        reimbursement.status,
        reimbursement.maker,
        reimbursement.policy_version,
    ) == (Decimal("25.00"), Decimal("12.50"), 2, "approved", specialist, policy.version)
    assert reimbursement.reference == f"RMB-{dispute.reference.removeprefix('DSP-')}-1"
    proposed = CaseEvent.objects.get(dispute=dispute, kind=CaseEvent.Kind.REIMBURSEMENT_PROPOSED)
    assert proposed.actor == specialist
    assert proposed.data["needs_approval"] is False


def test_a_different_amount_needs_a_reason(specialist):
    dispute = dispute_for(currency="USD", value="12.50", quantity=3, assignee=specialist)
    with pytest.raises(InvalidInput) as refused:
        dispute_services.decide_dispute(
            dispute=dispute,
            by=specialist,
            outcome="approved",
            reason_code="records_confirm_loss",
            approved_quantity=3,
            amount=Decimal("40.00"),
        )
    assert set(refused.value.fields) == {"amount_change_reason"}
    assert not Reimbursement.objects.exists()


@pytest.mark.parametrize(
    ("disposition", "amount", "rate"),
    [("customer_damaged", Decimal("12.50"), "0.50"), ("warehouse_damaged", Decimal("25.00"), "1")],
)
def test_a_return_the_buyer_damaged_is_paid_at_the_buyer_damage_rate(
    disposition, amount, rate, specialist
):
    dispute = buyer_damaged_return(
        dispute_for(currency="USD", value="12.50", quantity=2, assignee=specialist), disposition
    )
    decision = dispute_services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    assert decision.amount == amount
    decided = CaseEvent.objects.get(dispute=dispute, kind=CaseEvent.Kind.DECIDED)
    assert decided.data["payout_rate"] == rate


def test_an_amount_only_reimbursement_has_no_sku_unit_value(specialist):
    dispute = dispute_for(currency="USD", value="12.50", quantity=3, assignee=specialist)
    decision = dispute_services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        amount=Decimal("7.00"),
    )
    reimbursement = Reimbursement.objects.get(decision=decision)
    assert (reimbursement.quantity_cash, reimbursement.unit_value, reimbursement.amount) == (
        0,
        Decimal("7.00"),
        Decimal("7.00"),
    )


def test_a_denied_dispute_pays_nothing(specialist):
    dispute = dispute_for(currency="USD", value="12.50", assignee=specialist)
    dispute_services.decide_dispute(
        dispute=dispute, by=specialist, outcome="denied", reason_code="insufficient_evidence"
    )
    assert not Reimbursement.objects.exists()


# --- maker-checker -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "value", "units", "status"),
    [
        ("USD", "500.00", 2, Reimbursement.Status.APPROVED),  # exactly 1,000.00
        ("USD", "1000.01", 1, Reimbursement.Status.PENDING_APPROVAL),
        ("USD", "600.00", 2, Reimbursement.Status.PENDING_APPROVAL),
        ("JPY", "150000", 1, Reimbursement.Status.APPROVED),
        ("JPY", "150001", 1, Reimbursement.Status.PENDING_APPROVAL),
        ("EUR", "920.00", 1, Reimbursement.Status.APPROVED),
        ("EUR", "920.01", 1, Reimbursement.Status.PENDING_APPROVAL),
    ],
)
def test_a_reimbursement_above_1000_usd_equivalent_waits_for_approval(
    currency, value, units, status, lead
):
    reimbursement = decide_paying(currency=currency, value=value, units=units, by=lead)
    assert reimbursement.status == status
    assert reimbursement.approver is None


@pytest.fixture
def pending(lead):
    """A 1,200 USD reimbursement proposed by a team lead (the maker)."""
    reimbursement = decide_paying(currency="USD", value="600.00", units=2, by=lead)
    assert reimbursement.status == Reimbursement.Status.PENDING_APPROVAL
    return reimbursement


def test_the_maker_cannot_approve_even_as_a_team_lead(pending, lead):
    with pytest.raises(NotAllowed) as refused:
        approve_reimbursement(reimbursement=pending, by=lead)
    assert refused.value.code == "maker_cannot_approve"
    pending.refresh_from_db()
    assert (pending.status, pending.approver) == (Reimbursement.Status.PENDING_APPROVAL, None)


def test_the_maker_cannot_reject_their_own_proposal_either(pending, lead):
    with pytest.raises(NotAllowed) as refused:
        reject_reimbursement(reimbursement=pending, by=lead, reason="Too much")
    assert refused.value.code == "maker_cannot_approve"
    pending.refresh_from_db()
    assert pending.status == Reimbursement.Status.PENDING_APPROVAL


def test_another_team_lead_approves(pending, lead2):
    approved = approve_reimbursement(reimbursement=pending, by=lead2)
    stored = Reimbursement.objects.get(pk=pending.pk)
    assert (stored.status, stored.approver) == (Reimbursement.Status.APPROVED, lead2)
    assert stored.approved_at is not None
    assert approved.pk == pending.pk
    event = CaseEvent.objects.get(
        dispute=pending.dispute, kind=CaseEvent.Kind.REIMBURSEMENT_APPROVED
    )
    assert (event.actor, event.data["reimbursement"]) == (lead2, pending.reference)


@pytest.mark.parametrize("actor", ["specialist", "senior", "qa", "seller_a_user"])
def test_only_a_team_lead_approves(actor, request, pending):
    with pytest.raises(NotAllowed):
        approve_reimbursement(reimbursement=pending, by=request.getfixturevalue(actor))
    pending.refresh_from_db()
    assert pending.status == Reimbursement.Status.PENDING_APPROVAL


def test_approving_twice_is_refused(pending, lead2):
    approve_reimbursement(reimbursement=pending, by=lead2)
    events = CaseEvent.objects.filter(dispute=pending.dispute).count()
    with pytest.raises(TransitionNotAllowed):
        approve_reimbursement(reimbursement=pending, by=lead2)
    assert CaseEvent.objects.filter(dispute=pending.dispute).count() == events


def test_a_reimbursement_under_the_threshold_is_not_waiting_for_approval(lead, lead2):
    small = decide_paying(currency="USD", value="10.00", units=1, by=lead)
    with pytest.raises(TransitionNotAllowed):
        approve_reimbursement(reimbursement=small, by=lead2)


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(reason, pending, lead2):
    with pytest.raises(InvalidInput) as refused:
        reject_reimbursement(reimbursement=pending, by=lead2, reason=reason)
    assert set(refused.value.fields) == {"reason"}
    pending.refresh_from_db()
    assert pending.status == Reimbursement.Status.PENDING_APPROVAL


def test_another_team_lead_rejects_with_a_reason(pending, lead2):
    reject_reimbursement(reimbursement=pending, by=lead2, reason="Units were found")
    stored = Reimbursement.objects.get(pk=pending.pk)
    assert (stored.status, stored.approver) == (Reimbursement.Status.REJECTED, lead2)
    event = CaseEvent.objects.get(
        dispute=pending.dispute, kind=CaseEvent.Kind.REIMBURSEMENT_REJECTED
    )
    assert (event.actor, event.data["reason"]) == (lead2, "Units were found")
    with pytest.raises(TransitionNotAllowed):
        approve_reimbursement(reimbursement=stored, by=lead2)


# --- revising what a team lead sent back -------------------------------------------------------


@pytest.fixture
def sent_back(pending, lead2):
    return reject_reimbursement(reimbursement=pending, by=lead2, reason="The unit value is wrong")


def test_the_maker_revises_a_rejected_reimbursement_and_it_waits_for_approval_again(
    sent_back, lead
):
    revised = revise_reimbursement(
        reimbursement=sent_back, by=lead, amount="1100.00", reason="Used the invoice value"
    )
    assert (revised.amount, revised.status, revised.maker, revised.approver) == (
        Decimal("1100.00"),
        Reimbursement.Status.PENDING_APPROVAL,
        lead,
        None,
    )
    event = CaseEvent.objects.get(
        dispute=revised.dispute, kind=CaseEvent.Kind.REIMBURSEMENT_REVISED
    )
    assert event.data["before"] == {"amount": "1200.00"}
    assert event.data["after"] == {"amount": "1100.00"}
    assert event.data["reason"] == "Used the invoice value"


def test_a_revision_under_the_threshold_still_goes_back_to_another_team_lead(
    sent_back, lead, lead2
):
    revised = revise_reimbursement(
        reimbursement=sent_back, by=lead, amount="999.99", reason="One unit was resold"
    )
    assert (revised.status, revised.approval_reason) == (
        Reimbursement.Status.PENDING_APPROVAL,
        Reimbursement.ApprovalReason.REVISED,
    )
    with pytest.raises(NotAllowed):  # the reviser is now the maker
        approve_reimbursement(reimbursement=revised, by=lead)
    assert approve_reimbursement(reimbursement=revised, by=lead2).approver == lead2


@pytest.mark.parametrize(
    ("amount", "reason", "fields"),
    [("0", "why", {"amount"}), ("abc", "why", {"amount"}), ("10", "  ", {"reason"})],
)
def test_a_revision_needs_an_amount_and_a_reason(sent_back, lead, amount, reason, fields):
    with pytest.raises(InvalidInput) as refused:
        revise_reimbursement(reimbursement=sent_back, by=lead, amount=amount, reason=reason)
    assert set(refused.value.fields) == fields
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.amount) == (
        Reimbursement.Status.REJECTED,
        Decimal("1200.00"),
    )


def test_only_a_rejected_reimbursement_is_revised(pending, lead):
    with pytest.raises(TransitionNotAllowed):
        revise_reimbursement(reimbursement=pending, by=lead, amount="10", reason="why")


def test_a_specialist_who_does_not_work_the_case_cannot_revise_it(sent_back, specialist2):
    with pytest.raises(NotAllowed):
        revise_reimbursement(reimbursement=sent_back, by=specialist2, amount="10", reason="why")
