"""One case's life played forward in time, as the services would have played it, but kept as
unsaved rows with their historical times instead of being written as it goes (writer.Writer writes
a whole batch of cases at once).

`Life.play` follows a case from filing to closing (or to now, for the youngest): intake, a
specialist taking it, replies, requests for information and the seller's answers, escalations,
the decision and its payout, an appeal decided by someone else, the payout batch, a reversal,
the closing. Between steps the SLA sweep does what it would have done at its 30-second ticks:
warnings, breaches and the priority they raise. The status moves follow `disputes.status.ALLOWED`,
each compare-and-set bumps the version, and every move and change is a CaseEvent with the time
it happened, so the timeline, the timers and the rollups read exactly as for a served case.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import timedelta
from decimal import Decimal

from core.money import quantize
from disputes.claim_types import CLAIM_TYPES
from disputes.demo.history.base import (
    FINAL_DECISION_CLOSES_AFTER,
    OVERRIDE_REASON,
    Case,
    Kind,
    Stop,
    Timer,
)
from disputes.demo.history.checks import DENIAL_CAUSES, Intake
from disputes.demo.history.clocks import Clocks
from disputes.demo.history.payouts import Payouts
from disputes.demo.plan import APPROVE_REASON, DENY_REASON, ESCALATION_TEAM, R, _pdf, _png
from disputes.demo.texts import ESCALATIONS, INTERNAL_NOTE
from disputes.models import Decision, Escalation, Message
from disputes.services.decision import PAID_IN_MONEY
from disputes.status import ACTIVE, Outcome, Priority, Status
from evidence.choices import EvidenceKind


class Life(Clocks, Intake, Payouts, Case):
    """One case: filed, worked and finished by the steps below, each at its own time."""

    def assign(self, who: int) -> None:
        d = self.dispute
        change = {
            "before": {"assignee": d.assignee_id},
            "after": {"assignee": who},
            "assignee": self.rules.usernames[who],
        }
        self.move(Status.IN_REVIEW, Kind.ASSIGNED, actor=who, data=change, assignee_id=who)

    def in_review(self) -> None:
        """Before working on: a case the sweep escalated to the team lead comes back first."""
        if self.dispute.status == Status.ESCALATED:
            self.resolve(by=self.rules.lead)

    def note(self) -> None:
        self.in_review()
        by = self.dispute.assignee_id
        message = self.message(INTERNAL_NOTE, by=by, side=Message.Side.STAFF, internal=True)
        self.touch(Kind.NOTE_ADDED, actor=by, data={"message": message})

    def reply(self) -> None:
        self.in_review()
        by = self.dispute.assignee_id
        message = self.message(self.signed_text("reply", by=by), by=by, side=Message.Side.STAFF)
        self.touch(Kind.REPLIED, actor=by, data={"message": message}, **self._first_response())

    def request(self) -> None:
        self.in_review()
        by = self.dispute.assignee_id
        days = self.rules.reimbursement_policies[self.plan.claim_type].seller_response_days
        due = self.clock + timedelta(days=days)
        fields = {**self._first_response(), **self._pause()}
        self.move(
            Status.AWAITING_SELLER,
            Kind.INFO_REQUESTED,
            actor=by,
            data={"seller_response_due_at": due.isoformat()},
            seller_response_due_at=due,
            seller_reminder_at=self.clock + timedelta(days=days / 2),
            **fields,
        )
        self.message(self.signed_text("request", by=by), by=by, side=Message.Side.STAFF)

    def answer(self) -> None:
        """post_seller_message while awaiting: the clocks resume, the next response is owed."""
        seller = self.plan.seller.actor
        message = self.message(self.texts["answer"], by=seller, side=Message.Side.SELLER)
        fields = self._resume()
        self._start(Timer.NEXT_RESPONSE)
        fields.update(self._mirror())
        self.move(
            Status.IN_REVIEW,
            Kind.SELLER_RESPONDED,
            actor=seller,
            data={"message": message},
            seller_response_due_at=None,
            seller_reminder_at=None,
            **fields,
        )

    def escalate(self) -> None:
        self.in_review()
        team = ESCALATION_TEAM[self.plan.claim_type]
        reason = ESCALATIONS[team][0]
        by = self.dispute.assignee_id
        self.move(Status.ESCALATED, Kind.ESCALATED, actor=by, data={"team": team, "reason": reason})
        self.escalations.append(
            Escalation(
                dispute=self.dispute,
                team=team,
                reason=reason,
                requested_by_id=by,
                requested_at=self.clock,
            )
        )

    def resolve(self, *, by: int) -> None:
        escalation = next(e for e in self.escalations if e.resolved_at is None)
        answer = ESCALATIONS[escalation.team][1]
        self.move(
            Status.IN_REVIEW,
            Kind.ESCALATION_RESOLVED,
            actor=by,
            data={"team": escalation.team, "answer": answer},
        )
        escalation.answer, escalation.resolved_by_id, escalation.resolved_at = (
            answer,
            by,
            self.clock,
        )

    def withdraw(self) -> None:
        seller = self.plan.seller.actor
        self.move(
            Status.WITHDRAWN,
            Kind.WITHDRAWN,
            actor=seller,
            data={"reason": self.texts["withdraw"]},
            closed_at=self.clock,
            seller_response_due_at=None,
            seller_reminder_at=None,
            **self._stop(),
        )

    def close(self, reason: str) -> None:
        """close_dispute by Arbiter's own sweep (close_lapsed_disputes)."""
        self.move(
            Status.CLOSED,
            Kind.CLOSED,
            actor=None,
            data={"reason": reason},
            closed_at=self.clock,
            seller_response_due_at=None,
            seller_reminder_at=None,
            **self._stop(),
        )

    def appeal(self) -> None:
        d = self.dispute
        seller = self.plan.seller.actor
        self._start(Timer.RESOLUTION)  # restart_resolution, with the policy before the raise
        fields = {**self._mirror(), "sla_paused_at": None}
        self.move(
            Status.APPEALED,
            Kind.APPEALED,
            actor=seller,
            data={"reason": self.texts["appeal"]},
            appeal_count=d.appeal_count + 1,
            assignee_id=None,
            priority=min(d.priority + 1, Priority.URGENT),
            **fields,
        )
        self.message(self.texts["appeal"], by=seller, side=Message.Side.SELLER)

    def decide(self, variant: str, *, override: bool = False) -> Decision:
        """decide_dispute: the decision, the clocks stopped, and what it pays."""
        self.in_review()
        d, plan = self.dispute, self.plan
        by = d.assignee_id
        policy = self.rules.reimbursement_policies[plan.claim_type]
        outcome, reason, quantity, amount = self._decision(variant)
        proposed = None
        if outcome != Outcome.DENIED and quantity and self.unit is not None:
            proposed = (self.unit * quantity * self.rate).amount
        change_reason = ""
        if amount is None:
            amount = proposed
            if override and proposed:
                amount = quantize(proposed * Decimal(self.rng.choice(("0.85", "1.1"))), d.currency)
                change_reason = OVERRIDE_REASON
        root_cause = self.run.root_cause
        if outcome == Outcome.DENIED and self.rng.random() < 0.6:
            root_cause = self.rng.choice(DENIAL_CAUSES)  # the specialist corrects the checks
        on_appeal = d.appeal_count > 0
        self.move(
            Status.DECIDED,
            Kind.DECIDED,
            actor=by,
            data={
                "outcome": outcome,
                "reason_code": reason,
                "on_appeal": on_appeal,
                "amount": str(amount) if amount is not None else None,
                "approved_quantity": quantity,
                "replaced_quantity": 0,
                "policy_version": policy.version,
                "proposed_amount": str(proposed) if proposed is not None else None,
                "payout_rate": str(self.rate),
                "amount_change_reason": change_reason,
                "root_cause": root_cause,
            },
            outcome=outcome,
            reason_code=reason,
            approved_quantity=quantity,
            decided_by_id=by,
            decided_at=self.clock,
            appeal_deadline_at=None
            if on_appeal
            else self.clock + timedelta(days=policy.appeal_window_days),
            **self._resolve(),
        )
        decision = Decision(
            dispute=d,
            outcome=outcome,
            reason_code=reason,
            approved_quantity=quantity,
            amount=amount,
            currency=d.currency,
            explanation=self.texts["explain"][variant],
            policy_version=policy.version,
            on_appeal=on_appeal,
            decided_by_id=by,
            root_cause=root_cause,
            decided_at=self.clock,
        )
        self.decisions.append(decision)
        if outcome != Outcome.DENIED and amount:
            self._payout(decision, policy, proposed, change_reason)
        return decision

    def _decision(self, variant: str) -> tuple[str, str, int | None, Decimal | None]:
        """(outcome, reason, approved units, amount) as the demo's Seeder.decision words it."""
        d = self.dispute
        if variant == "deny":
            return (
                Outcome.DENIED,
                DENY_REASON.get(d.claim_type, R.INSUFFICIENT_EVIDENCE),
                None,
                None,
            )
        partial = variant == "partial"
        outcome = Outcome.PARTIALLY_APPROVED if partial else Outcome.APPROVED
        reason = R.RECORDS_CONFIRM_PART if partial else APPROVE_REASON.get(d.claim_type)
        reason = reason or R.RECORDS_CONFIRM_LOSS
        if d.claim_type in ("fee_overcharge", "reimbursement_amount"):
            amount = d.amount / 2 if partial else d.amount
            return outcome, reason, None, quantize(amount, d.currency)
        if d.claim_type == "return_damaged" and partial:
            return outcome, reason, 1, None
        if d.quantity and d.sku and d.claim_type in PAID_IN_MONEY:
            return outcome, reason, max(1, d.quantity - 1) if partial else d.quantity, None
        return Outcome.APPROVED, APPROVE_REASON.get(d.claim_type, R.OTHER), None, None

    # --- evidence -------------------------------------------------------------------------------

    def attach(self, kind: str) -> None:
        """The seller's file, filed with the claim (file_dispute): a small picture or PDF."""
        d, n = self.dispute, self.plan.n
        label = f"{d.reference} {d.claim_type} {kind}"
        if kind == EvidenceKind.PHOTO:
            name = f"photo-{d.reference}.png"
            content = _png(label, (180 + n % 60, 120 + n % 7, 90 + n % 100))
        else:
            name = f"{kind}-{d.reference}.pdf"
            content = _pdf(label)
        self.evidence.append((name, content, kind))
        sha = hashlib.sha256(content).hexdigest()
        self.event(
            Kind.EVIDENCE_ADDED,
            actor=d.created_by_id,
            data={"file": name, "kind": kind, "sha256": sha},
        )

    # --- the story --------------------------------------------------------------------------

    def play(self) -> Life:
        """File the case and work it to its end, or as far as now."""
        with contextlib.suppress(Stop):
            self._story()
        return self.finish()

    def _story(self) -> None:
        rng, plan = self.rng, self.plan
        self.event(
            Kind.SUBMITTED,
            actor=self.dispute.created_by_id,
            data={"channel": self.dispute.channel, "claim_type": plan.claim_type},
            to_status=Status.SUBMITTED,
        )
        if self.rules.evidence and CLAIM_TYPES[plan.claim_type].evidence_kinds:
            self.attach(CLAIM_TYPES[plan.claim_type].evidence_kinds[0])
        self.at(self.tick(self.clock + timedelta(minutes=1), 120))
        self.intake()
        # The queue's wait: most cases are taken within hours, some are left too long.
        wait = rng.choice((0.2, 0.4, 0.7, 1, 1.5, 2, 3)) * rng.uniform(0.5, 1.1)
        if rng.random() < 0.08:
            wait = rng.uniform(4, 30)
        first = rng.choice(plan.pool)
        self.at(self.later(self.clock, wait))
        self.assign(first)
        if rng.random() < 0.15:
            self.at(self.later(self.clock, rng.uniform(0.1, 0.5)))
            self.note()
        self.at(self.later(self.clock, rng.uniform(0.05, 0.75)))
        if rng.random() < 0.02:
            self.withdraw()
            return
        path = rng.random()
        if path < 0.22:  # information requested; most sellers answer, some go silent
            self.request()
            if rng.random() < 0.12:
                self.at(self.tick(self.dispute.seller_response_due_at, 300))
                self.close("seller_silent")
                return
            self.at(self.clock + timedelta(days=rng.choice((0.2, 0.5, 1, 2, 4))))
            if rng.random() < 0.04:
                self.withdraw()
                return
            self.answer()
            if rng.random() < 0.5:
                self.at(self.later(self.clock, rng.uniform(0.3, 4)))
                self.reply()
        elif path < 0.28:  # a question to a peer team
            self.reply()
            self.at(self.later(self.clock, rng.uniform(0.2, 2)))
            self.escalate()
            self.at(self.later(self.clock, rng.uniform(3, 30)))
            self.resolve(by=self.dispute.assignee_id)
        else:
            self.reply()
        work = rng.choice((0.5, 1, 2, 4, 8)) * rng.uniform(0.4, 1.5)
        if rng.random() < 0.04:
            work = rng.uniform(25, 60)  # put aside for days: past the resolution deadline
        self.at(self.later(self.clock, work))
        variant = plan.final
        self.decide(variant, override=rng.random() < 0.05)
        decided_at = self.clock
        deadline = self.dispute.appeal_deadline_at
        if variant != "approve" and rng.random() < 0.3:
            self.at(decided_at + timedelta(days=rng.uniform(0.5, 12)))
            self.appeal()
            reviewers = [pk for pk in plan.pool if pk != first] or [self.rules.lead]
            self.at(self.later(self.clock, rng.uniform(2, 20)))
            self.assign(rng.choice(reviewers))
            self.at(self.later(self.clock, rng.uniform(0.5, 6)))
            self.reply()
            self.at(self.later(self.clock, rng.uniform(0.5, 8)))
            overturned = rng.random() < 0.4
            self.decide("approve" if overturned else variant)
            closes = self.clock + FINAL_DECISION_CLOSES_AFTER
            reason = "decision_final"
        else:
            closes, reason = deadline, "appeal_window_ended"
        self.at(self.tick(max(closes, self.money_waits_until), 300))
        self.close(reason)

    # --- the end --------------------------------------------------------------------------------

    def finish(self) -> Life:
        """Where the clocks stand now: a running timer of an active case waits for the sweep."""
        d = self.dispute
        for timer in self.timers.values():
            timer.next_check_at = None
            if d.status in ACTIVE and d.sla_paused_at is None:
                timer.schedule_next_check()
        return self
