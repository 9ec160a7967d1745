"""Writes of reimbursements: valuation, proposal on decision, maker-checker approval."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, TransitionNotAllowed, require
from core.money import Money, quantize
from disputes.models import CaseEvent, Decision, Dispute
from disputes.services import record_event
from evidence.selectors import returned_damaged_by_buyer
from reimbursements.models import Reimbursement, ReimbursementPolicy
from sellers.models import Sku


def unit_value_for(*, dispute: Dispute, policy: ReimbursementPolicy) -> Money | None:
    """The SKU's reference value in the dispute's currency, capped per unit by the policy."""
    sku = Sku.objects.filter(seller_id=dispute.seller_id, sku=dispute.sku).first()
    if sku is None:
        return None
    value = Money(sku.reference_value, sku.currency)
    if sku.currency != dispute.currency:
        value = value.converted_to(dispute.currency)
    cap = Money.from_usd(policy.max_unit_value_usd, dispute.currency)
    return cap if value.amount > cap.amount else value


def payout_rate(*, dispute: Dispute, policy: ReimbursementPolicy) -> Decimal:
    """Returns the buyer damaged are paid at the policy's reduced rate; everything else in full."""
    if dispute.claim_type == "return_damaged" and returned_damaged_by_buyer(dispute=dispute):
        return policy.buyer_damage_rate
    return Decimal("1")


def propose_amount(
    *, dispute: Dispute, quantity: int, policy: ReimbursementPolicy
) -> Decimal | None:
    """amount = min(claimed, eligible) × unit value × rate, rounded to the minor unit."""
    unit = unit_value_for(dispute=dispute, policy=policy)
    if unit is None:
        return None
    if dispute.quantity:
        quantity = min(quantity, dispute.quantity)
    return (unit * quantity * payout_rate(dispute=dispute, policy=policy)).amount


def needs_second_approval(*, amount: Decimal, currency: str, policy: ReimbursementPolicy) -> bool:
    return Money(amount, currency).in_usd() > policy.approval_threshold_usd


def _proposed_status(pending: bool) -> str:
    """A proposal above the threshold waits for a team lead; anything else is approved."""
    return Reimbursement.Status.PENDING_APPROVAL if pending else Reimbursement.Status.APPROVED


def create_reimbursement(
    *, decision: Decision, maker: AbstractBaseUser, policy: ReimbursementPolicy
) -> Reimbursement:
    """Propose the reimbursement a decision grants; large ones wait for a team lead."""
    dispute = decision.dispute
    unit = unit_value_for(dispute=dispute, policy=policy)
    quantity = decision.approved_quantity or 0
    pending = needs_second_approval(
        amount=decision.amount, currency=decision.currency, policy=policy
    )
    round_number = 2 if decision.on_appeal else 1
    reimbursement = Reimbursement.objects.create(
        dispute=dispute,
        decision=decision,
        seller_id=dispute.seller_id,
        reference=f"RMB-{dispute.reference.removeprefix('DSP-')}-{round_number}",
        sku=dispute.sku,
        quantity_cash=quantity,
        # Without units (a fee refund, an amount-only claim) the whole amount is the "unit".
        unit_value=unit.amount if unit and quantity else decision.amount,
        amount=decision.amount,
        currency=decision.currency,
        status=_proposed_status(pending),
        policy_version=policy.version,
        maker=maker,
    )
    record_event(
        dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_PROPOSED,
        actor=maker,
        data={
            "reimbursement": reimbursement.reference,
            "amount": str(reimbursement.amount),
            "currency": reimbursement.currency,
            "needs_approval": pending,
        },
    )
    return reimbursement


@transaction.atomic
def approve_reimbursement(*, reimbursement: Reimbursement, by: AbstractBaseUser) -> Reimbursement:
    """A team lead other than the maker approves a reimbursement above the threshold."""
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    require(
        by.is_staff and by.has_perm("reimbursements.approve_reimbursement"),
        _("Only a team lead can approve reimbursements."),
    )
    require(
        by.pk != reimbursement.maker_id,
        _("You proposed this reimbursement; another team lead must approve it."),
        code="maker_cannot_approve",
    )
    if reimbursement.status != Reimbursement.Status.PENDING_APPROVAL:
        raise TransitionNotAllowed(
            _("This reimbursement is “%(status)s”, not waiting for approval.")
            % {"status": reimbursement.get_status_display()}
        )
    reimbursement.status = Reimbursement.Status.APPROVED
    reimbursement.approver, reimbursement.approved_at = by, timezone.now()
    reimbursement.save(update_fields=["status", "approver", "approved_at", "updated_at"])
    record_event(
        reimbursement.dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_APPROVED,
        actor=by,
        data={"reimbursement": reimbursement.reference},
    )
    return reimbursement


@transaction.atomic
def reject_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, reason: str
) -> Reimbursement:
    """A team lead sends a proposed reimbursement back, with the reason in the timeline."""
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    require(
        by.is_staff and by.has_perm("reimbursements.approve_reimbursement"),
        _("Only a team lead can reject reimbursements."),
    )
    require(
        by.pk != reimbursement.maker_id,
        _("You proposed this reimbursement; another team lead must review it."),
        code="maker_cannot_approve",
    )
    if not reason.strip():
        raise InvalidInput(
            _("Say why the reimbursement is rejected."),
            fields={"reason": [_("This field is required.")]},
        )
    if reimbursement.status != Reimbursement.Status.PENDING_APPROVAL:
        raise TransitionNotAllowed(
            _("This reimbursement is “%(status)s”, not waiting for approval.")
            % {"status": reimbursement.get_status_display()}
        )
    reimbursement.status = Reimbursement.Status.REJECTED
    reimbursement.approver, reimbursement.approved_at = by, timezone.now()
    reimbursement.save(update_fields=["status", "approver", "approved_at", "updated_at"])
    record_event(
        reimbursement.dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_REJECTED,
        actor=by,
        data={"reimbursement": reimbursement.reference, "reason": reason.strip()},
    )
    return reimbursement


@transaction.atomic
def revise_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, amount, reason: str
) -> Reimbursement:
    """After a team lead sent a reimbursement back, the case's assignee (or a lead) proposes a
    corrected amount, with the reason; it needs approval by the same rule as the first one."""
    from disputes import permissions as perms

    reimbursement = (
        Reimbursement.objects.select_for_update().select_related("dispute").get(pk=reimbursement.pk)
    )
    dispute = reimbursement.dispute
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can revise its reimbursement."),
    )
    if reimbursement.status != Reimbursement.Status.REJECTED:
        raise TransitionNotAllowed(
            _("Only a reimbursement a team lead sent back can be revised: this one is “%(s)s”.")
            % {"s": reimbursement.get_status_display()}
        )
    errors: dict[str, list[str]] = {}
    try:
        amount = quantize(Decimal(str(amount)), reimbursement.currency)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or amount <= 0:
        errors["amount"] = [_("Enter an amount above zero.")]
    if not reason.strip():
        errors["reason"] = [_("Say what changed since the team lead sent it back.")]
    if errors:
        raise InvalidInput(_("The revised reimbursement is not complete."), fields=errors)
    policy = ReimbursementPolicy.objects.get(
        claim_type=dispute.claim_type, version=reimbursement.policy_version
    )
    before = reimbursement.amount
    pending = needs_second_approval(amount=amount, currency=reimbursement.currency, policy=policy)
    reimbursement.amount = amount
    reimbursement.maker = by
    reimbursement.approver = reimbursement.approved_at = None
    reimbursement.status = _proposed_status(pending)
    reimbursement.save(
        update_fields=["amount", "maker", "approver", "approved_at", "status", "updated_at"]
    )
    record_event(
        dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_REVISED,
        actor=by,
        data={
            "reimbursement": reimbursement.reference,
            "before": {"amount": str(before)},
            "after": {"amount": str(amount)},
            "currency": reimbursement.currency,
            "needs_approval": pending,
            "reason": reason.strip(),
        },
    )
    return reimbursement
