"""What a played decision pays (reimbursements.services): the payout, the team lead's approval,
the batch finance pays it in, and now and then the units turning up again (a reversal)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from core.money import Money, quantize
from disputes.demo.history.base import CANCEL_REASON, PAYING, Kind
from disputes.status import Outcome
from reimbursements.models import Reimbursement, Reversal
from reimbursements.selectors import source_key_of

Why = Reimbursement.ApprovalReason


class Payouts:
    """Reimbursements and reversals, for a Case."""

    def _paid_on_case(self) -> tuple[int, Decimal]:
        units = sum(
            p.quantity_cash + p.quantity_replaced for p in self.payouts if p.status in PAYING
        )
        amount = sum((p.amount for p in self.payouts if p.status in PAYING), Decimal("0"))
        for reversal in self.reversals:
            if reversal.status == Reversal.Status.COMPLETED:
                units -= reversal.quantity
                amount += reversal.amount
        return max(units, 0), amount

    def _payout(self, decision, policy, proposed, reason: str) -> None:
        d = self.dispute
        granted = decision.approved_quantity or 0
        key = source_key_of(d) if granted else ""
        paid_units, paid_amount = self._paid_on_case()
        units = max(granted - paid_units, 0)
        amount = max((decision.amount or Decimal("0")) - paid_amount, Decimal("0"))
        if granted and units == 0:
            amount = Decimal("0")
        maker = decision.decided_by_id
        if units == 0 and amount == 0:
            self.event(
                Kind.NOTHING_MORE_OWED,
                actor=maker,
                data={
                    "already_paid": {"units": paid_units, "amount": str(paid_amount)},
                    "currency": d.currency,
                    "source": key,
                    "source_units_paid": None,
                },
            )
            return
        if key:
            source = self.rules.sources.setdefault((d.seller_id, key), [0, 0])
            source[1] += units
            source[0] = max(source[0], source[1])  # the records back every unit paid
        proposal = None if proposed is None else max(proposed - paid_amount, Decimal("0"))
        if proposed is not None and decision.amount != proposed:
            why = Why.OVERRIDE
        elif Money(amount, d.currency).in_usd() > policy.approval_threshold_usd:
            why = Why.ABOVE_THRESHOLD
        else:
            why = Why.NONE
        payout = Reimbursement(
            dispute=d,
            decision=decision,
            seller_id=d.seller_id,
            reference=f"RMB-{d.reference.removeprefix('DSP-')}-{2 if decision.on_appeal else 1}",
            sku=d.sku,
            claim_type=d.claim_type,
            source_key=key,
            quantity_cash=units,
            quantity_replaced=0,
            unit_value=self.unit.amount if self.unit and units else amount,
            rate=self.rate,
            amount=amount,
            proposed_amount=proposal,
            currency=d.currency,
            status=Reimbursement.Status.PENDING_APPROVAL if why else Reimbursement.Status.APPROVED,
            approval_reason=why,
            maker_reason=reason,
            policy_version=policy.version,
            maker_id=maker,
            created_at=self.clock,
            updated_at=self.clock,
        )
        self.payouts.append(payout)
        self.event(
            Kind.REIMBURSEMENT_PROPOSED,
            actor=maker,
            data={
                "reimbursement": payout.reference,
                "amount": str(amount),
                "currency": payout.currency,
                "quantity_cash": units,
                "quantity_replaced": 0,
                "already_paid": {"units": paid_units, "amount": str(paid_amount)},
                "proposed_amount": str(proposal) if proposal is not None else None,
                "needs_approval": bool(why),
                "approval_reason": why,
            },
        )
        self._settle(payout)

    def _settle(self, payout: Reimbursement) -> None:
        """A team lead approves what waits for one; finance pays it in the next batch; now and
        then the units turn up afterwards (a reversal). Written as events at their own times:
        none of them moves the case."""
        ready = payout.created_at
        if payout.status == Reimbursement.Status.PENDING_APPROVAL:
            approved = self.later(ready, self.rng.uniform(1, 16))
            if approved > self.rules.now:
                self.money_waits_until = self.rules.now + timedelta(days=365)
                return
            payout.status, payout.approver_id = Reimbursement.Status.APPROVED, self.rules.lead
            payout.approved_at = payout.updated_at = ready = approved
            self._money_event(
                approved,
                Kind.REIMBURSEMENT_APPROVED,
                self.rules.lead,
                {"reimbursement": payout.reference, "amount": str(payout.amount)},
            )
            self.money_waits_until = max(self.money_waits_until, approved)
        slot = self.rules.batch_for(payout.currency, ready)
        if slot is None:
            return
        batch, _created_at, paid_at = slot
        payout.batch = batch
        if paid_at > self.rules.now:
            return
        payout.status, payout.paid_at, payout.updated_at = "paid", paid_at, paid_at
        self._money_event(
            paid_at,
            Kind.REIMBURSEMENT_PAID,
            self.rules.finance,
            {
                "reimbursement": payout.reference,
                "amount": str(payout.amount),
                "currency": payout.currency,
                "batch": batch.reference,
            },
        )
        final = payout.decision.outcome == Outcome.APPROVED  # no appeal will pay it again
        if payout.claim_type == "warehouse_lost" and final and self.rng.random() < 0.08:
            self._found(payout, paid_at + timedelta(days=self.rng.uniform(2, 25)))

    def _money_event(self, moment: datetime, kind: str, actor: int | None, data: dict) -> None:
        saved, self.clock = self.clock, moment
        self.event(kind, actor=actor, data=data)
        self.clock = saved

    def _found(self, payout: Reimbursement, moment: datetime) -> None:
        """The reversal watch: a reimbursed unit turns up in the warehouse (a ledger `found`)."""
        if moment > self.rules.now or not payout.quantity_cash:
            return
        d, plan = self.dispute, self.plan
        record_id = f"{plan.seller.spec.seller_id}-H{plan.n:05d}-RECOUNT"
        self.found.append(
            {
                "record_id": record_id,
                "event_date": moment.date(),
                "sku": d.sku,
                "fnsku": d.fnsku,
                "fulfillment_center": d.fulfillment_center or plan.seller.spec.fcs[0],
                "event_type": "found",
                "quantity": 1,
                "reference_id": f"CYCLE-COUNT-{plan.n:05d}",
                "imported_at": moment,
            }
        )
        amount = quantize(payout.amount / payout.quantity_cash, d.currency)
        reversal = Reversal(
            reference=f"REV-{d.reference.removeprefix('DSP-')}-{len(self.reversals) + 1}",
            dispute=d,
            reimbursement=payout,
            seller_id=d.seller_id,
            status=Reversal.Status.PENDING,
            quantity=1,
            unit_value=payout.unit_value,
            amount=-amount,
            currency=payout.currency,
            record_kind="ledger",
            record_id=record_id,
            created_at=moment,
            updated_at=moment,
        )
        self.reversals.append(reversal)
        self._money_event(
            moment,
            Kind.REVERSAL_OPENED,
            None,
            {
                "reversal": reversal.reference,
                "reimbursement": payout.reference,
                "quantity": 1,
                "amount": str(reversal.amount),
                "currency": reversal.currency,
                "record_kind": "ledger",
                "record_id": record_id,
            },
        )
        resolved = self.later(moment, self.rng.uniform(2, 20))
        if resolved > self.rules.now:
            self.money_waits_until = self.rules.now + timedelta(days=365)
            return
        by = self.rng.choice(self.plan.pool)
        reversal.resolved_by_id, reversal.resolved_at, reversal.updated_at = by, resolved, resolved
        self.money_waits_until = max(self.money_waits_until, resolved)
        if self.rng.random() < 0.75:
            reversal.status = Reversal.Status.COMPLETED
            if payout.source_key:
                self.rules.sources[(d.seller_id, payout.source_key)][1] -= 1
            data = {
                "reversal": reversal.reference,
                "quantity": 1,
                "amount": str(reversal.amount),
                "currency": reversal.currency,
            }
            self._money_event(resolved, Kind.REVERSAL_COMPLETED, by, data)
        else:
            reversal.status, reversal.cancel_reason = Reversal.Status.CANCELLED, CANCEL_REASON
            data = {"reversal": reversal.reference, "reason": CANCEL_REASON}
            self._money_event(resolved, Kind.REVERSAL_CANCELLED, by, data)

    # --- evidence -------------------------------------------------------------------------------
