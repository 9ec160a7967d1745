"""How a case ends: closed, withdrawn by the seller, or merged into another."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, TransitionNotAllowed, require
from disputes import permissions as perms
from disputes import sla
from disputes.case import lock_dispute, move_status, require_move, touch
from disputes.models import CaseEvent, Dispute
from disputes.notifications import queue_notification
from disputes.status import Status
from reimbursements.selectors import money_pending

User = AbstractBaseUser


def _finish(dispute: Dispute, *, to: Status, action: str, **change) -> None:
    """End the case: no team clock runs any more and the seller owes no answer."""
    require_move(dispute, to=to, action=action)  # refuse before stopping the clocks
    waiting = money_pending(dispute=dispute)
    if waiting:  # closing waits for the money
        raise TransitionNotAllowed(
            _("%(action)s is not possible yet: %(why)s") % {"action": action, "why": waiting},
            code="money_pending",
        )
    move_status(
        dispute,
        to=to,
        action=action,
        seller_response_due_at=None,
        seller_reminder_at=None,
        **change,
        **sla.stop(dispute),
    )


@transaction.atomic
def close_dispute(
    *, dispute: Dispute, by: User | None, reason: str = "", now: datetime | None = None
) -> Dispute:
    """Close a decided case after its appeal window, or one the seller left unanswered.

    `by=None` is Arbiter itself (the sweep); a person needs the team lead's permission.
    """
    lock_dispute(dispute)
    now = now or timezone.now()
    if by is not None:
        require(perms.can_supervise(by), _("Only a team lead can close a dispute by hand."))
    elif (
        dispute.status == Status.DECIDED
        and dispute.appeal_deadline_at
        and now < dispute.appeal_deadline_at
    ):
        raise TransitionNotAllowed(_("The appeal window is still open."), code="appeal_window_open")
    elif (
        dispute.status == Status.AWAITING_SELLER
        and dispute.seller_response_due_at
        and now < dispute.seller_response_due_at
    ):
        raise TransitionNotAllowed(
            _("The seller still has time to answer."), code="seller_deadline_open"
        )
    _finish(
        dispute,
        to=Status.CLOSED,
        by=by,
        action=_("Closing"),
        kind=CaseEvent.Kind.CLOSED,
        data={"reason": reason},
        closed_at=now,
    )
    # The seller is told when their silence closed it, or when a person closed it (with the
    # reason); a case closed because its appeal window ended was announced by the decision.
    if reason == "seller_silent" or by is not None:
        queue_notification(dispute, kind="closed")
    return dispute


@transaction.atomic
def withdraw_dispute(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """The seller takes the dispute back before a decision."""
    lock_dispute(dispute)
    require(perms.can_act_as_seller(by, dispute), _("You cannot withdraw this dispute."))
    _finish(
        dispute,
        to=Status.WITHDRAWN,
        by=by,
        action=_("Withdrawing"),
        kind=CaseEvent.Kind.WITHDRAWN,
        data={"reason": reason.strip()},
        closed_at=timezone.now(),
    )
    return dispute


@transaction.atomic
def merge_dispute(*, dispute: Dispute, into: Dispute, by: User) -> Dispute:
    """Fold a duplicate into another dispute of the same seller."""
    if dispute.pk == into.pk:
        raise InvalidInput(
            _("A dispute cannot be merged into itself."),
            fields={"into": [_("Choose another dispute.")]},
        )
    # Lock both in id order so two opposite merges cannot deadlock.
    first, second = sorted((dispute, into), key=lambda d: d.pk)
    lock_dispute(first)
    lock_dispute(second)
    require(
        perms.can_merge(by, dispute), _("Only the case's assignee or a team lead can merge it.")
    )
    if into.seller_id != dispute.seller_id:
        raise InvalidInput(
            _("Only disputes of the same seller can be merged."),
            fields={"into": [_("This dispute belongs to another seller.")]},
        )
    if into.is_terminal:
        raise InvalidInput(
            _("%(ref)s is “%(status)s”; merge into an active dispute.")
            % {"ref": into.reference, "status": into.status_enum.label},
            fields={"into": [_("Choose an active dispute.")]},
        )
    _finish(
        dispute,
        to=Status.MERGED,
        by=by,
        action=_("Merging"),
        kind=CaseEvent.Kind.MERGED,
        data={"into": into.reference},
        closed_at=timezone.now(),
        merged_into=into,
    )
    touch(into, kind=CaseEvent.Kind.MERGE_RECEIVED, by=by, data={"from": dispute.reference})
    return dispute
