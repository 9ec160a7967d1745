"""Writes of reimbursements: the proposal a decision makes, maker-checker review, revision.

Status changes go through `_move`: the transition table (reimbursements/status.py) and a
compare-and-set on the status, so two reviewers at once cannot both act on the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, InvalidInput, TransitionNotAllowed, require
from core.money import quantize
from disputes import permissions as perms
from disputes.case import record_event
from disputes.models import CaseEvent, Decision
from reimbursements.models import Reimbursement, ReimbursementPolicy
from reimbursements.selectors import needs_second_approval, unit_value_for
from reimbursements.status import ALLOWED, ReimbursementStatus

Status = ReimbursementStatus


def _proposed_status(pending: bool) -> str:
    """A proposal above the threshold waits for a team lead; anything else is approved."""
    return Status.PENDING_APPROVAL if pending else Status.APPROVED


def _move(reimbursement: Reimbursement, *, to: Status, **fields) -> None:
    """Change the status if the table allows it and nobody changed it since it was read."""
    current = Status(reimbursement.status)
    if to not in ALLOWED[current]:
        raise TransitionNotAllowed(
            _("A reimbursement that is “%(status)s” cannot become “%(target)s”.")
            % {"status": current.label, "target": to.label}
        )
    fields["updated_at"] = timezone.now()
    rows = Reimbursement.objects.filter(pk=reimbursement.pk, status=current).update(
        status=to, **fields
    )
    if rows == 0:
        raise Conflict(
            _("Someone else changed this reimbursement a moment ago. Reload it and try again."),
            code="conflict",
        )
    reimbursement.status = to
    for name, value in fields.items():
        setattr(reimbursement, name, value)


def create_reimbursement(
    *,
    decision: Decision,
    maker: AbstractBaseUser,
    policy: ReimbursementPolicy,
    override: bool = False,
) -> Reimbursement:
    """Propose the reimbursement a decision grants; large ones, and any paying more than the
    policy's proposal (`override`), wait for a team lead."""
    dispute = decision.dispute
    unit = unit_value_for(dispute=dispute, policy=policy)
    quantity = decision.approved_quantity or 0
    pending = override or needs_second_approval(
        amount=decision.amount, currency=decision.currency, policy=policy
    )
    round_number = 2 if decision.on_appeal else 1
    reimbursement = Reimbursement.objects.create(
        dispute=dispute,
        decision=decision,
        seller_id=dispute.seller_id,
        reference=f"RMB-{dispute.reference.removeprefix('DSP-')}-{round_number}",
        sku=dispute.sku,
        claim_type=dispute.claim_type,
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
            "over_proposal": override,
        },
    )
    return reimbursement


@dataclass(frozen=True)
class Verdict:
    """What a team lead's review does: the status it gives and how it is told."""

    status: Status
    event: str
    not_a_lead: str
    is_the_maker: str
    needs_reason: bool


VERDICTS = {
    "approve": Verdict(
        status=Status.APPROVED,
        event=CaseEvent.Kind.REIMBURSEMENT_APPROVED,
        not_a_lead=gettext_lazy("Only a team lead can approve reimbursements."),
        is_the_maker=gettext_lazy(
            "You proposed this reimbursement; another team lead must approve it."
        ),
        needs_reason=False,
    ),
    "reject": Verdict(
        status=Status.REJECTED,
        event=CaseEvent.Kind.REIMBURSEMENT_REJECTED,
        not_a_lead=gettext_lazy("Only a team lead can reject reimbursements."),
        is_the_maker=gettext_lazy(
            "You proposed this reimbursement; another team lead must review it."
        ),
        needs_reason=True,
    ),
}


@transaction.atomic
def review_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, verdict: str, reason: str = ""
) -> Reimbursement:
    """A team lead other than the maker approves or rejects a reimbursement waiting for them."""
    rule = VERDICTS[verdict]
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    require(
        by.is_staff and by.has_perm("reimbursements.approve_reimbursement"), str(rule.not_a_lead)
    )
    require(by.pk != reimbursement.maker_id, str(rule.is_the_maker), code="maker_cannot_approve")
    if rule.needs_reason and not reason.strip():
        raise InvalidInput(
            _("Say why the reimbursement is rejected."),
            fields={"reason": [_("This field is required.")]},
        )
    if reimbursement.status != Status.PENDING_APPROVAL:
        raise TransitionNotAllowed(
            _("This reimbursement is “%(status)s”, not waiting for approval.")
            % {"status": reimbursement.get_status_display()}
        )
    _move(
        reimbursement,
        to=rule.status,
        approver=by,
        approved_at=timezone.now(),
    )
    data = {"reimbursement": reimbursement.reference}
    if rule.needs_reason:
        data["reason"] = reason.strip()
    record_event(reimbursement.dispute, kind=rule.event, actor=by, data=data)
    return reimbursement


def approve_reimbursement(*, reimbursement: Reimbursement, by: AbstractBaseUser) -> Reimbursement:
    """A team lead other than the maker approves a reimbursement above the threshold."""
    return review_reimbursement(reimbursement=reimbursement, by=by, verdict="approve")


def reject_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, reason: str
) -> Reimbursement:
    """A team lead sends a proposed reimbursement back, with the reason in the timeline."""
    return review_reimbursement(reimbursement=reimbursement, by=by, verdict="reject", reason=reason)


@transaction.atomic
def revise_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, amount, reason: str
) -> Reimbursement:
    """After a team lead sent a reimbursement back, the case's assignee (or a lead) proposes a
    corrected amount, with the reason; it needs approval by the same rule as the first one."""
    reimbursement = (
        Reimbursement.objects.select_for_update().select_related("dispute").get(pk=reimbursement.pk)
    )
    dispute = reimbursement.dispute
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can revise its reimbursement."),
    )
    if reimbursement.status != Status.REJECTED:
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
    _move(
        reimbursement,
        to=Status(_proposed_status(pending)),
        amount=amount,
        maker=by,
        approver=None,
        approved_at=None,
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
