"""Decided cases for the QA tests, made in bulk: disputes and Decision rows at chosen moments,
with a payout where a test needs an approver or an override."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from disputes.models import Decision, Dispute, Queue
from disputes.status import Status
from quality.models import QAReview
from quality.qa import get_active_rubric
from reimbursements.models import Reimbursement
from tests.factories import SellerFactory, UserFactory

_numbers = itertools.count(500_000)
# Every item of the default rubric (v1) passed.
ALL_PASS = {
    "decision_correct": "passed",
    "amount_correct": "passed",
    "evidence_reviewed": "passed",
    "policy_followed": "passed",
    "communication": "passed",
    "sla_kept": "passed",
}


class Cases:
    """Makes decided disputes for one seller."""

    def __init__(self, *, currency: str = "USD") -> None:
        self.seller = SellerFactory(default_currency=currency)
        self.filer = UserFactory()
        self.queue = Queue.objects.get(slug="inventory")

    def decide(
        self,
        rows: list[tuple[object, datetime]],
        *,
        amount: Decimal | None = None,
        currency: str | None = None,
        outcome: str = "denied",
        on_appeal: bool = False,
        disputes: list[Dispute] | None = None,
    ) -> list[Decision]:
        """One decision per (specialist, moment), on new disputes unless `disputes` are given."""
        currency = currency or self.seller.default_currency
        if disputes is None:
            disputes = Dispute.objects.bulk_create(
                Dispute(
                    reference=f"DSP-2026-{next(_numbers):06d}",
                    seller=self.seller,
                    claim_type="warehouse_damaged",
                    sku="MUG-1",
                    quantity=2,
                    currency=currency,
                    status=Status.DECIDED,
                    queue=self.queue,
                    created_by=self.filer,
                    outcome=outcome,
                    reason_code="insufficient_evidence",
                )
                for _row in rows
            )
        decisions = Decision.objects.bulk_create(
            Decision(
                dispute=dispute,
                outcome=outcome,
                reason_code="insufficient_evidence"
                if outcome == "denied"
                else "records_confirm_loss",
                amount=amount,
                currency=currency,
                on_appeal=on_appeal,
                decided_by=specialist,
            )
            for dispute, (specialist, _when) in zip(disputes, rows, strict=True)
        )
        for decision, (_specialist, when) in zip(decisions, rows, strict=True):
            decision.decided_at = when
        Decision.objects.bulk_update(decisions, ["decided_at"])
        return decisions

    def pay(
        self,
        decision: Decision,
        *,
        amount: Decimal,
        proposed: Decimal | None = None,
        approver=None,
    ) -> Reimbursement:
        return Reimbursement.objects.create(
            dispute=decision.dispute,
            decision=decision,
            seller=self.seller,
            reference=f"RMB-{next(_numbers)}",
            unit_value=amount,
            amount=amount,
            proposed_amount=amount if proposed is None else proposed,
            currency=decision.currency,
            status=Reimbursement.Status.APPROVED,
            policy_version=1,
            maker=decision.decided_by,
            approver=approver,
        )


def due_review(decision: Decision, *, reviewer, reason: str = "random") -> QAReview:
    """A review waiting for `reviewer`, as the sampling makes it."""
    return QAReview.objects.create(
        dispute_id=decision.dispute_id,
        decision=decision,
        specialist_id=decision.decided_by_id,
        reviewer=reviewer,
        rubric=get_active_rubric(),
        reason=reason,
        currency=decision.currency,
        reviewed_amount=decision.amount or 0,
    )
