"""Writes of reimbursements: the payout a decision makes, maker-checker review, revision,
payout batches, and reversals when reimbursed goods turn up.

Money is paid once: a payout pays what its decision grants minus what the case paid already
(`paid_on_case`), and never more units than its source allows (`PayoutSource`, read under a
row lock, with a check constraint behind it). Status changes go through `_move`: the
transition table (reimbursements/status.py) and a compare-and-set on the status.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    require,
)
from core.money import quantize
from disputes import permissions as perms
from disputes.case import record_event
from disputes.models import CaseEvent, CheckRun, Decision, Dispute
from disputes.notifications import queue_notification
from evidence.choices import RecordKind
from evidence.models import LedgerEvent
from reimbursements.models import (
    PayoutBatch,
    PayoutSource,
    Reimbursement,
    ReimbursementPolicy,
    Reversal,
)
from reimbursements.selectors import (
    needs_second_approval,
    paid_on_case,
    payout_rate,
    source_key_of,
    unit_value_for,
)
from reimbursements.status import ALLOWED, ReimbursementStatus

Status = ReimbursementStatus
Why = Reimbursement.ApprovalReason
MAX_AMOUNT = Decimal("1000000000000")  # what the amount columns hold (14 digits, 2 decimals)


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


# --- the payout a decision makes ----------------------------------------------------------------


def _lock_source(*, seller_id: int, key: str, cap: int) -> PayoutSource:
    """The source's row, created if new, under a row lock: a second payout for the same units
    waits here until the first commits, then reads what it paid."""
    PayoutSource.objects.bulk_create(
        [PayoutSource(seller_id=seller_id, key=key)], ignore_conflicts=True
    )
    source = PayoutSource.objects.select_for_update().get(seller_id=seller_id, key=key)
    if cap > source.units_cap:
        source.units_cap = cap
        source.save(update_fields=["units_cap"])
    return source


def _share(total: Decimal, part: int, whole: int, currency: str) -> Decimal:
    """`part` of `whole` units' `total`, rounded once."""
    if part >= whole:
        return total
    return quantize(total * part / whole, currency) if whole else Decimal("0")


def _supported_units(dispute: Dispute) -> int:
    """The units the records support for the claim's source, as its latest check run read them."""
    if not dispute.latest_check_run_id:
        return 0
    supported = CheckRun.objects.values_list("supported_quantity", flat=True).get(
        pk=dispute.latest_check_run_id
    )
    return supported or 0


def create_reimbursement(
    *,
    decision: Decision,
    maker: AbstractBaseUser,
    policy: ReimbursementPolicy,
    proposed: Decimal | None = None,
    reason: str = "",
) -> Reimbursement | None:
    """Pay what the decision grants, minus what was paid already: on this case (an earlier
    decision before an appeal) and for the same units on any other case. None when nothing is
    left to pay. Above the threshold, or when the amount is not the policy's `proposed`, it
    waits for a team lead other than the maker."""
    dispute = decision.dispute
    granted = decision.approved_quantity or 0
    key = source_key_of(dispute) if granted else ""
    source = None
    if key:
        cap = max(_supported_units(dispute), granted)
        source = _lock_source(seller_id=dispute.seller_id, key=key, cap=cap)
    paid = paid_on_case(dispute=dispute)  # read after the lock: another payout has committed

    owed_units = max(granted - paid.units, 0)
    units = owed_units
    if source is not None:
        units = min(owed_units, max(source.units_cap - source.units_paid, 0))
    replaced = min(max(decision.replaced_quantity - paid.replaced, 0), units)
    owed_cash = max(owed_units - max(decision.replaced_quantity - paid.replaced, 0), 0)
    cash = units - replaced
    owed_amount = max((decision.amount or Decimal("0")) - paid.amount, Decimal("0"))
    amount = _share(owed_amount, cash, owed_cash, dispute.currency) if granted else owed_amount
    if granted and cash == 0:
        amount = Decimal("0")
    if units == 0 and amount == 0:
        record_event(
            dispute,
            kind=CaseEvent.Kind.NOTHING_MORE_OWED,
            actor=maker,
            data={
                "already_paid": {"units": paid.units, "amount": str(paid.amount)},
                "currency": dispute.currency,
                "source": key,
                "source_units_paid": source.units_paid if source else None,
            },
        )
        return None
    proposal = None
    if proposed is not None:
        proposal = max(proposed - paid.amount, Decimal("0"))
        proposal = _share(proposal, cash, owed_cash, dispute.currency) if granted else proposal
    if proposed is not None and decision.amount != proposed:
        why = Why.OVERRIDE
    elif needs_second_approval(amount=amount, currency=dispute.currency, policy=policy):
        why = Why.ABOVE_THRESHOLD
    else:
        why = Why.NONE
    unit = unit_value_for(dispute=dispute, policy=policy)
    reimbursement = Reimbursement.objects.create(
        dispute=dispute,
        decision=decision,
        seller_id=dispute.seller_id,
        reference=f"RMB-{dispute.reference.removeprefix('DSP-')}-{2 if decision.on_appeal else 1}",
        sku=dispute.sku,
        claim_type=dispute.claim_type,
        source_key=key,
        quantity_cash=cash,
        quantity_replaced=replaced,
        # Without units (a fee refund, an amount-only claim) the whole amount is the "unit".
        unit_value=unit.amount if unit and units else amount,
        rate=payout_rate(dispute=dispute, policy=policy),
        amount=amount,
        proposed_amount=proposal,
        currency=decision.currency,
        status=Status.PENDING_APPROVAL if why else Status.APPROVED,
        approval_reason=why,
        maker_reason=reason.strip(),
        policy_version=policy.version,
        maker=maker,
    )
    if source is not None:
        PayoutSource.objects.filter(pk=source.pk).update(units_paid=F("units_paid") + units)
    record_event(
        dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_PROPOSED,
        actor=maker,
        data={
            "reimbursement": reimbursement.reference,
            "amount": str(amount),
            "currency": reimbursement.currency,
            "quantity_cash": cash,
            "quantity_replaced": replaced,
            "already_paid": {"units": paid.units, "amount": str(paid.amount)},
            "proposed_amount": str(proposal) if proposal is not None else None,
            "needs_approval": bool(why),
            "approval_reason": why,
        },
    )
    return reimbursement


# --- a team lead's review -----------------------------------------------------------------------


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
    reimbursement = (
        Reimbursement.objects.select_for_update(of=("self",))
        .select_related("dispute")
        .get(pk=reimbursement.pk)
    )
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
    if reimbursement.dispute.is_terminal:
        raise TransitionNotAllowed(
            _("Case %(ref)s is closed; its reimbursement can no longer be reviewed.")
            % {"ref": reimbursement.dispute.reference},
            code="case_closed",
        )
    _move(
        reimbursement,
        to=rule.status,
        approver=by,
        approved_at=timezone.now(),
        review_note=reason.strip(),
    )
    data = {"reimbursement": reimbursement.reference, "amount": str(reimbursement.amount)}
    if reason.strip():
        data["reason"] = reason.strip()
    record_event(reimbursement.dispute, kind=rule.event, actor=by, data=data)
    return reimbursement


def approve_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, reason: str = ""
) -> Reimbursement:
    """A team lead other than the maker approves a reimbursement waiting for them."""
    return review_reimbursement(
        reimbursement=reimbursement, by=by, verdict="approve", reason=reason
    )


def reject_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, reason: str
) -> Reimbursement:
    """A team lead sends a proposed reimbursement back, with the reason in the timeline."""
    return review_reimbursement(reimbursement=reimbursement, by=by, verdict="reject", reason=reason)


@dataclass(frozen=True)
class BulkResult:
    done: list[str]
    refused: dict[str, str]  # reference → why


def review_many(
    *, reimbursement_ids: list[int], by: AbstractBaseUser, verdict: str, reason: str = ""
) -> BulkResult:
    """Approve or reject several at once, each in its own transaction: one refusal (the lead's
    own proposal, a case closed meanwhile) does not hold back the rest."""
    if verdict not in VERDICTS:
        raise InvalidInput(_("Choose approve or reject."), fields={"verdict": [_("Not valid.")]})
    if VERDICTS[verdict].needs_reason and not reason.strip():
        raise InvalidInput(
            _("Say why the reimbursements are rejected."),
            fields={"reason": [_("This field is required.")]},
        )
    rows = Reimbursement.objects.filter(pk__in=reimbursement_ids).order_by("created_at", "id")
    done, refused = [], {}
    for reimbursement in rows:
        try:
            review_reimbursement(reimbursement=reimbursement, by=by, verdict=verdict, reason=reason)
        except DomainError as error:
            refused[reimbursement.reference] = error.message
        else:
            done.append(reimbursement.reference)
    return BulkResult(done=done, refused=refused)


def _amount(value, currency: str) -> Decimal | None:
    """A positive amount within what the books hold, in the currency's minor unit, or None."""
    try:
        amount = quantize(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        return None
    return amount


@transaction.atomic
def revise_reimbursement(
    *, reimbursement: Reimbursement, by: AbstractBaseUser, amount, reason: str
) -> Reimbursement:
    """After a team lead sent a reimbursement back, the case's assignee (or a lead) proposes a
    corrected amount with the reason; it goes back to a team lead whatever the amount."""
    reimbursement = (
        Reimbursement.objects.select_for_update(of=("self",))
        .select_related("dispute")
        .get(pk=reimbursement.pk)
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
    revised = _amount(amount, reimbursement.currency)
    if revised is None:
        errors["amount"] = [_("Enter an amount above zero.")]
    if not reason.strip():
        errors["reason"] = [_("Say what changed since the team lead sent it back.")]
    if errors:
        raise InvalidInput(_("The revised reimbursement is not complete."), fields=errors)
    before = reimbursement.amount
    _move(
        reimbursement,
        to=Status.PENDING_APPROVAL,
        amount=revised,
        maker=by,
        approver=None,
        approved_at=None,
        approval_reason=Why.REVISED,
        maker_reason=reason.strip(),
    )
    record_event(
        dispute,
        kind=CaseEvent.Kind.REIMBURSEMENT_REVISED,
        actor=by,
        data={
            "reimbursement": reimbursement.reference,
            "before": {"amount": str(before)},
            "after": {"amount": str(revised)},
            "currency": reimbursement.currency,
            "needs_approval": True,
            "reason": reason.strip(),
        },
    )
    return reimbursement


# --- payout batches -----------------------------------------------------------------------------


def _require_finance(user: AbstractBaseUser) -> None:
    require(
        user.is_staff and user.has_perm("reimbursements.pay_reimbursement"),
        _("Only finance can batch and pay reimbursements."),
    )


@transaction.atomic
def create_payout_batch(
    *,
    by: AbstractBaseUser,
    currency: str,
    marketplace: str = "",
    idempotency_key: str | None = None,
) -> tuple[PayoutBatch, bool]:
    """Gather every approved payout of one currency (and marketplace) not yet in a batch.

    The same `idempotency_key` returns the batch it made the first time, so a payments system
    may retry (the second element says whether this call made it); two finance users at once
    never put one payout in two batches (row locks)."""
    _require_finance(by)
    if idempotency_key:
        earlier = PayoutBatch.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    rows = Reimbursement.objects.filter(
        status=Status.APPROVED, batch__isnull=True, currency=currency
    )
    if marketplace:
        rows = rows.filter(seller__marketplace=marketplace)
    ids = list(
        rows.select_for_update(skip_locked=True, of=("self",))
        .order_by("approved_at", "id")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise InvalidInput(
            _("No approved reimbursement in %(currency)s is waiting for a batch.")
            % {"currency": currency},
            code="nothing_to_pay",
        )
    total = Reimbursement.objects.filter(pk__in=ids).aggregate(total=Sum("amount"))["total"]
    now = timezone.now()
    batch = PayoutBatch.objects.create(
        reference=f"PAY-{now:%Y%m%d}-{currency}{marketplace}-{uuid.uuid4().hex[:6].upper()}",
        currency=currency,
        marketplace=marketplace,
        status=PayoutBatch.Status.OPEN,
        item_count=len(ids),
        total=total,
        created_by=by,
        idempotency_key=idempotency_key or None,
    )
    Reimbursement.objects.filter(pk__in=ids).update(batch=batch, updated_at=now)
    return batch, True


@transaction.atomic
def mark_batch_paid(
    *, batch: PayoutBatch, by: AbstractBaseUser, payment_reference: str
) -> PayoutBatch:
    """The payments system paid the batch: each payout becomes `paid`, for good, and its seller
    is told. Marking it paid again with the same reference changes nothing."""
    _require_finance(by)
    payment_reference = payment_reference.strip()
    if not payment_reference or len(payment_reference) > 80:
        raise InvalidInput(
            _("Enter the payment reference the bank or payments system gave."),
            fields={"payment_reference": [_("Required, up to 80 characters.")]},
        )
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == PayoutBatch.Status.PAID:
        if batch.payment_reference != payment_reference:
            raise Conflict(
                _("Batch %(ref)s was already paid with payment reference %(payment)s.")
                % {"ref": batch.reference, "payment": batch.payment_reference},
                code="already_paid",
            )
        return batch
    now = timezone.now()
    payouts = list(
        batch.reimbursements.select_for_update(of=("self",))
        .select_related("dispute__seller")
        .order_by("id")
    )
    for reimbursement in payouts:
        _move(reimbursement, to=Status.PAID, paid_at=now)
        record_event(
            reimbursement.dispute,
            kind=CaseEvent.Kind.REIMBURSEMENT_PAID,
            actor=by,
            data={
                "reimbursement": reimbursement.reference,
                "amount": str(reimbursement.amount),
                "currency": reimbursement.currency,
                "batch": batch.reference,
            },
        )
        queue_notification(
            reimbursement.dispute, kind="reimbursed", key=f"reimbursed:{reimbursement.pk}"
        )
    PayoutBatch.objects.filter(pk=batch.pk).update(
        status=PayoutBatch.Status.PAID,
        paid_at=now,
        paid_by=by,
        payment_reference=payment_reference,
        updated_at=now,
    )
    batch.refresh_from_db()
    return batch


# --- reversals ----------------------------------------------------------------------------------

# Which records show reimbursed units turned up, and which payouts they bear on.
REVERSAL_TRIGGERS = {
    RecordKind.LEDGER: ("warehouse_lost",),
    RecordKind.RETURNS: ("return_not_received",),
}


def _turned_up(kind: str, records: list) -> list[tuple[object, Q, int]]:
    """(record, which payouts it bears on, units) for each record showing units came back."""
    if kind == RecordKind.LEDGER:
        return [
            (r, Q(seller_id=r.seller_id, sku=r.sku, claim_type="warehouse_lost"), abs(r.quantity))
            for r in records
            if r.event_type == LedgerEvent.EventType.FOUND and r.quantity
        ]
    if kind == RecordKind.RETURNS:
        return [
            (
                r,
                Q(
                    seller_id=r.seller_id,
                    sku=r.sku,
                    claim_type="return_not_received",
                    dispute__order_id=r.order_id,
                ),
                r.quantity,
            )
            for r in records
            if r.received_date and r.quantity
        ]
    return []


def open_reversals_for(*, kind: str, records: list) -> list[Reversal]:
    """The reversal watch: units found in the warehouse, or a return received, after they were
    reimbursed open a pending reversal on the case (oldest payout first, never more units than
    it paid). A record opens at most one reversal per payout, so importing it again does
    nothing."""
    found = _turned_up(kind, records)
    if not found:
        return []
    bearing = Q()
    for _record, payouts, _units in found:
        bearing |= payouts
    candidates = list(
        Reimbursement.objects.filter(bearing, status__in=(Status.APPROVED, Status.PAID))
        .annotate(
            taken=Coalesce(Sum("reversals__quantity", filter=~Q(reversals__status="cancelled")), 0)
        )
        .select_related("dispute")
        .order_by("created_at", "id")
    )
    opened = []
    for record, _payouts, units in found:
        for payout in candidates:
            if units == 0:
                break
            if not _bears_on(record, payout):
                continue
            left = payout.quantity - payout.taken
            take = min(units, left)
            if take <= 0:
                continue
            reversal = _open_reversal(payout=payout, record=record, kind=kind, units=take)
            if reversal is None:
                continue
            payout.taken += take
            units -= take
            opened.append(reversal)
    return opened


def _bears_on(record, payout: Reimbursement) -> bool:
    if payout.seller_id != record.seller_id or payout.sku != record.sku:
        return False
    order_id = getattr(record, "order_id", None)
    return order_id is None or payout.dispute.order_id == order_id


def _open_reversal(*, payout: Reimbursement, record, kind: str, units: int) -> Reversal | None:
    cash = min(units, payout.quantity_cash)
    amount = _share(payout.amount, cash, payout.quantity_cash, payout.currency)
    dispute = payout.dispute
    count = Reversal.objects.filter(dispute=dispute).count()
    reversal, created = Reversal.objects.get_or_create(
        reimbursement=payout,
        record_id=record.record_id,
        defaults={
            "reference": f"REV-{dispute.reference.removeprefix('DSP-')}-{count + 1}",
            "dispute": dispute,
            "seller_id": payout.seller_id,
            "status": Reversal.Status.PENDING,
            "quantity": units,
            "unit_value": payout.unit_value,
            "amount": -amount,
            "currency": payout.currency,
            "record_kind": kind,
        },
    )
    if not created:
        return None
    record_event(
        dispute,
        kind=CaseEvent.Kind.REVERSAL_OPENED,
        actor=None,
        data={
            "reversal": reversal.reference,
            "reimbursement": payout.reference,
            "quantity": units,
            "amount": str(reversal.amount),
            "currency": reversal.currency,
            "record_kind": kind,
            "record_id": record.record_id,
        },
    )
    return reversal


def _lock_reversal(reversal: Reversal) -> Reversal:
    reversal = (
        Reversal.objects.select_for_update(of=("self",))
        .select_related("dispute__seller", "reimbursement")
        .filter(pk=reversal.pk)
        .first()
    )
    if reversal is None:
        raise NotFound(_("No such reversal."), code="reversal_not_found")
    if reversal.status != Reversal.Status.PENDING:
        raise TransitionNotAllowed(
            _("This reversal is already “%(status)s”.") % {"status": reversal.get_status_display()},
            code="reversal_resolved",
        )
    return reversal


@transaction.atomic
def complete_reversal(*, reversal: Reversal, by: AbstractBaseUser) -> Reversal:
    """Take the money back: the reversal counts against what the case and its source paid, and
    the seller is told in their language."""
    require(perms.can_work_queues(by), _("Only a specialist can complete a reversal."))
    reversal = _lock_reversal(reversal)
    now = timezone.now()
    Reversal.objects.filter(pk=reversal.pk).update(
        status=Reversal.Status.COMPLETED, resolved_by=by, resolved_at=now, updated_at=now
    )
    reversal.refresh_from_db()
    key = reversal.reimbursement.source_key
    if key:
        source = PayoutSource.objects.select_for_update().get(seller_id=reversal.seller_id, key=key)
        PayoutSource.objects.filter(pk=source.pk).update(
            units_paid=F("units_paid") - min(reversal.quantity, source.units_paid)
        )
    record_event(
        reversal.dispute,
        kind=CaseEvent.Kind.REVERSAL_COMPLETED,
        actor=by,
        data={
            "reversal": reversal.reference,
            "quantity": reversal.quantity,
            "amount": str(reversal.amount),
            "currency": reversal.currency,
        },
    )
    queue_notification(reversal.dispute, kind="reversed", key=f"reversed:{reversal.pk}")
    return reversal


@transaction.atomic
def cancel_reversal(*, reversal: Reversal, by: AbstractBaseUser, reason: str) -> Reversal:
    """Keep the money where it is (the found units were another batch, the return was not the
    item), with the reason in the timeline."""
    require(perms.can_work_queues(by), _("Only a specialist can cancel a reversal."))
    if not reason.strip():
        raise InvalidInput(
            _("Say why the reversal is cancelled."),
            fields={"reason": [_("This field is required.")]},
        )
    reversal = _lock_reversal(reversal)
    now = timezone.now()
    Reversal.objects.filter(pk=reversal.pk).update(
        status=Reversal.Status.CANCELLED,
        resolved_by=by,
        resolved_at=now,
        cancel_reason=reason.strip(),
        updated_at=now,
    )
    reversal.refresh_from_db()
    record_event(
        reversal.dispute,
        kind=CaseEvent.Kind.REVERSAL_CANCELLED,
        actor=by,
        data={"reversal": reversal.reference, "reason": reason.strip()},
    )
    return reversal
