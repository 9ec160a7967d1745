"""Deciding a case (with the reimbursement it grants) and the seller's one appeal."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, TransitionNotAllowed, require
from core.money import quantize
from disputes import permissions as perms
from disputes import sla
from disputes.case import lock_dispute, move_status
from disputes.check_codes import RootCause
from disputes.models import CaseEvent, CheckRun, Decision, Dispute, Message
from disputes.notifications import queue_notification
from disputes.services.messaging import add_message, clean_text
from disputes.status import Outcome, Priority, ReasonCode, Status
from reimbursements.selectors import get_active_policy, payout_rate, propose_amount
from reimbursements.services import MAX_AMOUNT, create_reimbursement
from sellers.services import count_claim_decision

User = AbstractBaseUser
# Claims an approval pays in money; approving the others (a defect appeal, a buyer claim, a
# payment investigated by finance) removes a defect or reverses a charge instead.
PAID_IN_MONEY = frozenset(
    {
        "warehouse_lost",
        "warehouse_damaged",
        "inbound_shortage",
        "return_not_received",
        "return_damaged",
        "return_wrong_item",
        "carrier_damaged",
        "removal_lost",
        "fee_overcharge",
        "reimbursement_amount",
    }
)


def _decimal(value) -> Decimal:
    """The amount as a finite Decimal; anything else is -1, which no check accepts."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(-1)
    return number if number.is_finite() else Decimal(-1)


def _decision_errors(
    *,
    dispute: Dispute,
    outcome: str,
    reason_code: str,
    approved_quantity,
    replaced_quantity,
    amount,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose approved, partially approved or denied.")]
    if reason_code not in ReasonCode.values:
        errors["reason_code"] = [_("Choose a reason code.")]
    if approved_quantity is not None and approved_quantity < 0:
        errors["approved_quantity"] = [_("The quantity cannot be negative.")]
    if amount is not None and not (0 <= _decimal(amount) < MAX_AMOUNT):
        errors["amount"] = [_("Enter an amount of zero or more, such as 120.50.")]
    if replaced_quantity and replaced_quantity > (approved_quantity or 0):
        errors["replaced_quantity"] = [_("You cannot replace more units than you approve.")]
    if outcome == Outcome.DENIED and (_decimal(amount or 0) or approved_quantity):
        errors["outcome"] = [_("A denied dispute pays nothing: clear the quantity and amount.")]
    if dispute.quantity and approved_quantity and approved_quantity > dispute.quantity:
        errors["approved_quantity"] = [
            _("The seller claimed %(n)s units; you cannot approve more.") % {"n": dispute.quantity}
        ]
    return errors


@transaction.atomic
def decide_dispute(
    *,
    dispute: Dispute,
    by: User,
    outcome: str,
    reason_code: str,
    approved_quantity: int | None = None,
    replaced_quantity: int = 0,
    amount: Decimal | None = None,
    explanation: str = "",
    amount_change_reason: str = "",
    root_cause: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Decide; an approval with an amount proposes a reimbursement (maker-checker above limit).

    The amount defaults to the policy's proposal for the units paid in money (approved minus
    replaced); a different amount needs a reason and a team lead's approval whatever the
    amount. On appeal only the difference to what the case paid is paid. The root cause is the
    checks' suggestion unless the specialist corrects it.
    """
    lock_dispute(dispute, expected_version=expected_version)
    require(
        perms.can_work(by, dispute), _("Only the case's assignee or a team lead can decide it.")
    )
    require(
        not perms.decided_before(by, dispute),
        _("An appeal must be decided by someone other than the specialist who decided it."),
        code="appeal_needs_new_reviewer",
    )
    errors = _decision_errors(
        dispute=dispute,
        outcome=outcome,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        replaced_quantity=replaced_quantity,
        amount=amount,
    )
    if root_cause and root_cause not in RootCause.values:
        errors["root_cause"] = [_("Choose a root cause.")]
    if errors:
        raise InvalidInput(_("The decision is not complete: see the fields."), fields=errors)
    if not root_cause and dispute.latest_check_run_id:
        root_cause = CheckRun.objects.values_list("root_cause", flat=True).get(
            pk=dispute.latest_check_run_id
        )

    policy = get_active_policy(claim_type=dispute.claim_type)
    proposed = None
    cash_units = (approved_quantity or 0) - (replaced_quantity or 0)
    if outcome != Outcome.DENIED and approved_quantity:
        proposed = propose_amount(dispute=dispute, quantity=cash_units, policy=policy)
    if amount is None:
        amount = proposed
    else:
        amount = quantize(Decimal(amount), dispute.currency)
        if proposed is not None and amount != proposed and not amount_change_reason.strip():
            raise InvalidInput(
                _(
                    "The policy proposes %(amount)s %(currency)s; say why you pay a different "
                    "amount."
                )
                % {"amount": proposed, "currency": dispute.currency},
                fields={"amount_change_reason": [_("Required when you change the amount.")]},
            )
    if (
        outcome != Outcome.DENIED
        and not amount
        and not replaced_quantity
        and dispute.claim_type in PAID_IN_MONEY
    ):
        raise InvalidInput(
            _(
                "An approval pays the seller: enter the amount (no amount could be proposed for "
                "this claim) or deny it."
            ),
            fields={"amount": [_("Enter an amount above zero.")]},
        )
    now = timezone.now()
    on_appeal = dispute.appeal_count > 0
    move_status(
        dispute,
        to=Status.DECIDED,
        by=by,
        action=_("Deciding"),
        kind=CaseEvent.Kind.DECIDED,
        data={
            "outcome": outcome,
            "reason_code": reason_code,
            "on_appeal": on_appeal,
            "amount": str(amount) if amount is not None else None,
            "approved_quantity": approved_quantity,
            "replaced_quantity": replaced_quantity or 0,
            "policy_version": policy.version,
            "proposed_amount": str(proposed) if proposed is not None else None,
            "payout_rate": str(payout_rate(dispute=dispute, policy=policy)),
            "amount_change_reason": amount_change_reason.strip(),
            "root_cause": root_cause,
        },
        outcome=outcome,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        decided_by=by,
        decided_at=now,
        appeal_deadline_at=None if on_appeal else now + timedelta(days=policy.appeal_window_days),
        **sla.resolve(dispute, now=now),
    )
    decision = Decision.objects.create(
        dispute=dispute,
        outcome=outcome,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        replaced_quantity=replaced_quantity or 0,
        amount=amount,
        currency=dispute.currency,
        explanation=explanation.strip(),
        policy_version=policy.version,
        on_appeal=on_appeal,
        decided_by=by,
        root_cause=root_cause,
    )
    if not on_appeal:  # the score counts each claim once, by its first decision
        count_claim_decision(seller_id=dispute.seller_id, denied=outcome == Outcome.DENIED)
    if outcome != Outcome.DENIED and (amount or replaced_quantity):
        create_reimbursement(
            decision=decision,
            maker=by,
            policy=policy,
            proposed=proposed,
            reason=amount_change_reason,
        )
    queue_notification(dispute, kind="decided", key=f"decided:{decision.pk}", decision=decision)
    return decision


@transaction.atomic
def appeal_dispute(
    *, dispute: Dispute, by: User, reason: str, now: datetime | None = None
) -> Dispute:
    """The seller's one appeal, within the window; it goes back to the queue at higher priority."""
    lock_dispute(dispute)
    require(perms.can_act_as_seller(by, dispute), _("You cannot appeal this dispute."))
    now = now or timezone.now()
    if dispute.status == Status.DECIDED and dispute.appeal_count > 0:
        raise TransitionNotAllowed(
            _("This dispute was already appealed once; the decision on appeal is final."),
            code="appeal_used",
        )
    if (
        dispute.status == Status.DECIDED
        and dispute.appeal_deadline_at
        and now > dispute.appeal_deadline_at
    ):
        raise TransitionNotAllowed(
            _("The appeal window ended on %(date)s.")
            % {"date": dispute.appeal_deadline_at.date().isoformat()},
            code="appeal_window_closed",
        )
    text = clean_text(reason, field="reason", label=_("The reason for your appeal"))
    clocks = sla.restart_resolution(dispute, now=now)
    move_status(
        dispute,
        to=Status.APPEALED,
        by=by,
        action=_("Appealing"),
        kind=CaseEvent.Kind.APPEALED,
        data={"reason": text},
        appeal_count=dispute.appeal_count + 1,
        assignee=None,
        priority=min(dispute.priority + 1, Priority.URGENT),
        **clocks,
    )
    add_message(dispute, by=by, body=text, side=Message.Side.SELLER)
    return dispute
