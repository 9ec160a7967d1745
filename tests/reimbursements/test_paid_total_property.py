"""Property: over any sequence of decisions, appeals, approvals, rejections, revisions and
reversals, what a case paid stays within 0 and its eligible units × unit value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from disputes import services as dispute_services
from disputes.models import Dispute
from evidence.services import import_records
from reimbursements.models import PayoutSource, Reimbursement, Reversal
from reimbursements.selectors import paid_on_case
from reimbursements.services import (
    approve_reimbursement,
    cancel_reversal,
    complete_reversal,
    reject_reimbursement,
    revise_reimbursement,
)
from tests.factories import MembershipFactory
from tests.reimbursements.common import dispute_for

pytestmark = pytest.mark.django_db

CLAIMED, UNIT = 5, Decimal("10.00")
CEILING = CLAIMED * UNIT

decide = st.tuples(
    st.just("decide"),
    st.integers(min_value=1, max_value=CLAIMED),  # units approved
    st.sampled_from(["proposal", "lower"]),  # the policy's amount, or less (an override)
)
step = st.one_of(
    decide,
    st.tuples(st.just("appeal")),
    st.tuples(st.just("appeal_decide"), decide),  # the seller appeals and a lead decides
    st.tuples(st.just("approve")),
    st.tuples(st.just("reject")),
    st.tuples(st.just("revise"), st.integers(min_value=1, max_value=100)),  # % of the proposal
    st.tuples(st.just("found"), st.integers(min_value=1, max_value=CLAIMED)),
    st.tuples(st.just("complete")),
    st.tuples(st.just("cancel")),
)


def _apply(action, case, people, counter):
    specialist, lead, seller_user = people
    dispute = Dispute.objects.get(pk=case.pk)
    kind = action[0]
    if kind == "decide":
        _kind, units, mode = action
        if dispute.status == "appealed":
            dispute_services.assign_dispute(dispute=dispute, assignee=lead, by=lead)
            dispute.refresh_from_db()
        decider = lead if dispute.appeal_count else specialist
        amount = None if mode == "proposal" else UNIT * units - Decimal("1.00")
        dispute_services.decide_dispute(
            dispute=dispute,
            by=decider,
            outcome="partially_approved" if units < CLAIMED else "approved",
            reason_code="records_confirm_part",
            approved_quantity=units,
            amount=amount,
            amount_change_reason="Seller's invoice is lower" if amount is not None else "",
        )
    elif kind == "appeal":
        dispute_services.appeal_dispute(dispute=dispute, by=seller_user, reason="More were lost.")
    elif kind == "appeal_decide":
        if dispute.status == "decided":
            _apply(("appeal",), case, people, counter)
        _apply(action[1], case, people, counter)
    elif kind in ("approve", "reject"):
        payout = Reimbursement.objects.filter(dispute=dispute, status="pending_approval").first()
        if payout is not None and kind == "approve":
            approve_reimbursement(reimbursement=payout, by=lead)
        elif payout is not None:
            reject_reimbursement(reimbursement=payout, by=lead, reason="Check the value")
    elif kind == "revise":
        payout = Reimbursement.objects.filter(dispute=dispute, status="rejected").first()
        if payout is not None:
            ceiling = payout.proposed_amount or payout.amount
            amount = max((ceiling * action[1] / 100).quantize(Decimal("0.01")), Decimal("0.01"))
            revise_reimbursement(reimbursement=payout, by=specialist, amount=amount, reason="x")
    elif kind == "found":
        counter[0] += 1
        import_records(
            kind="ledger",
            rows=[
                {
                    "record_id": f"FOUND-{case.pk}-{counter[0]}",
                    "seller_id": dispute.seller.seller_id,
                    "event_date": date.today().isoformat(),
                    "sku": dispute.sku,
                    "fulfillment_center": "PHX7",
                    "event_type": "found",
                    "quantity": action[1],
                }
            ],
        )
    else:
        reversal = Reversal.objects.filter(dispute=dispute, status="pending").first()
        if reversal is not None and kind == "complete":
            complete_reversal(reversal=reversal, by=specialist)
        elif reversal is not None:
            cancel_reversal(reversal=reversal, by=specialist, reason="Another lot")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=decide, steps=st.lists(step, max_size=10))
def test_a_case_never_pays_beyond_its_units_or_below_zero(specialist, lead, first, steps):
    steps = [first, *steps]
    with transaction.atomic():
        case = dispute_for(currency="USD", value=str(UNIT), quantity=CLAIMED, assignee=specialist)
        Dispute.objects.filter(pk=case.pk).update(claim_type="warehouse_lost")
        people = (specialist, lead, MembershipFactory(seller=case.seller).user)
        counter = [0]
        for action in steps:
            try:
                with transaction.atomic():
                    _apply(action, case, people, counter)
            except DomainError:
                pass  # a refused step (wrong status, appeal used) changes nothing
            paid = paid_on_case(dispute=case)
            assert Decimal("0") <= paid.amount <= CEILING, (steps, paid)
            assert 0 <= paid.units <= CLAIMED, (steps, paid)
            source = PayoutSource.objects.filter(seller=case.seller).first()
            assert source is None or 0 <= source.units_paid <= source.units_cap
        transaction.set_rollback(True)
