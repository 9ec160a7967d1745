"""Every write to a dispute: the status machine's transitions and the case's messages.

Each service checks who may act and from which status, writes the rows, appends the CaseEvent
and enqueues follow-up work on commit. Portal, workspace, API, tasks and commands all call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput, NotAllowed, TransitionNotAllowed, require
from core.money import quantize
from disputes import permissions as perms
from disputes import sla
from disputes.claims import validate_claim
from disputes.models import (
    CaseEvent,
    Decision,
    Dispute,
    Escalation,
    Message,
    Queue,
    ReferenceSequence,
)
from disputes.notifications import queue_notification
from disputes.status import (
    ALLOWED,
    QUEUED,
    TERMINAL,
    UNDECIDED,
    Channel,
    EscalationTeam,
    Outcome,
    Priority,
    ReasonCode,
    Status,
)
from sellers.models import Seller

User = AbstractBaseUser
MAX_MESSAGE_LENGTH = 10_000


# --- building blocks --------------------------------------------------------------------------


def next_reference(*, year: int) -> str:
    """Hand out the next DSP-YYYY-NNNNNN; the row lock gives concurrent filings distinct ones."""
    ReferenceSequence.objects.get_or_create(year=year)
    ReferenceSequence.objects.filter(year=year).update(last_value=F("last_value") + 1)
    value = ReferenceSequence.objects.filter(year=year).values_list("last_value", flat=True).get()
    return f"DSP-{year}-{value:06d}"


def record_event(
    dispute: Dispute,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    data: Mapping[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        dispute=dispute,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=dict(data or {}),
    )


def lock_dispute(dispute: Dispute, *, expected_version: int | None = None) -> Dispute:
    """Reload the dispute under a row lock; refuse if the caller acted on a stale copy."""
    dispute.refresh_from_db(from_queryset=Dispute.objects.select_for_update())
    if expected_version is not None and dispute.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this dispute while you were looking at it. "
                "Reload it to see what changed, then try again."
            ),
            code="stale",
        )
    return dispute


def _compare_and_set(dispute: Dispute, *, current: str, **fields: Any) -> None:
    now = timezone.now()
    updates = {"version": F("version") + 1, "updated_at": now, "last_activity_at": now, **fields}
    rows = Dispute.objects.filter(pk=dispute.pk, status=current, version=dispute.version).update(
        **updates
    )
    if rows == 0:
        raise Conflict(
            _("Someone else changed this dispute a moment ago. Reload it and try again."),
            code="conflict",
        )
    for name, value in fields.items():
        setattr(dispute, name, value)
    dispute.version += 1
    dispute.updated_at = dispute.last_activity_at = now


def move_status(
    dispute: Dispute,
    *,
    to: Status,
    by: User | None,
    action: str,
    kind: str = CaseEvent.Kind.STATUS_CHANGED,
    data: Mapping[str, Any] | None = None,
    **fields: Any,
) -> CaseEvent:
    """The only way a status changes: refuse pairs not in ALLOWED, compare-and-set, log it."""
    current = Status(dispute.status)
    if to not in ALLOWED[current]:
        raise TransitionNotAllowed(
            _("%(action)s is not possible while the dispute is “%(status)s”.")
            % {"action": action, "status": current.label},
            code="transition_not_allowed",
        )
    _compare_and_set(dispute, current=current, status=to, **fields)
    return record_event(dispute, kind=kind, actor=by, from_status=current, to_status=to, data=data)


def touch(
    dispute: Dispute,
    *,
    kind: str,
    by: User | None,
    data: Mapping[str, Any] | None = None,
    **fields: Any,
) -> CaseEvent:
    """A change that keeps the status (a reply, a reassignment) still bumps the version."""
    _compare_and_set(dispute, current=dispute.status, **fields)
    return record_event(dispute, kind=kind, actor=by, data=data)


def _clean_text(value: str, *, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(
            _("%(label)s cannot be empty.") % {"label": label},
            fields={field: [_("This field is required.")]},
        )
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            _("%(label)s is too long.") % {"label": label},
            fields={field: [_("Keep it under %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH}]},
        )
    return text


def _add_message(
    dispute: Dispute, *, by: User | None, body: str, side: str, internal: bool = False
) -> Message:
    return Message.objects.create(
        dispute=dispute,
        author=by,
        side=side,
        body=body,
        visibility=Message.Visibility.INTERNAL if internal else Message.Visibility.PUBLIC,
    )


def _policy_for(dispute: Dispute):
    from reimbursements.selectors import get_active_policy

    return get_active_policy(claim_type=dispute.claim_type)


# --- filing and intake -------------------------------------------------------------------------


def submit_dispute(
    *,
    seller: Seller,
    submitted_by: User,
    claim_type: str,
    fields: Mapping[str, Any],
    channel: str = Channel.PORTAL,
    language: str | None = None,
    submission_key: str = "",
) -> Dispute:
    """File a dispute; the same submission key returns the first dispute instead of a second."""
    submission_key, existing = _start_filing(seller, submitted_by, submission_key)
    if existing is not None:
        return existing
    cleaned = validate_claim(seller=seller, claim_type=claim_type, fields=fields)
    return _store_submission(
        seller=seller,
        submitted_by=submitted_by,
        claim_type=claim_type,
        cleaned=cleaned,
        channel=channel,
        language=language,
        submission_key=submission_key,
    )


def _start_filing(
    seller: Seller, submitted_by: User, submission_key: str
) -> tuple[str, Dispute | None]:
    """Refuse a filer who may not file for the seller; return the cleaned submission key and
    the dispute an earlier send of the same form created, if any."""
    require(
        perms.can_file_for(submitted_by, seller.pk),
        _("You cannot file disputes for this seller account."),
    )
    submission_key = (submission_key or "").strip()[:80]
    return submission_key, _submitted_before(seller, submission_key)


def _submitted_before(seller: Seller, submission_key: str) -> Dispute | None:
    """The dispute an earlier send of the same form (double click, retry) created, if any."""
    if not submission_key:
        return None
    return Dispute.objects.filter(seller=seller, submission_key=submission_key).first()


def _store_submission(*, seller, submission_key, **validated) -> Dispute:
    try:
        with transaction.atomic():
            return _create_dispute(seller=seller, submission_key=submission_key, **validated)
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its dispute.
        existing = _submitted_before(seller, submission_key)
        if existing is not None:
            return existing
        raise


def _create_dispute(
    *, seller, submitted_by, claim_type, cleaned, channel, language, submission_key
) -> Dispute:
    now = timezone.now()
    dispute = Dispute.objects.create(
        reference=next_reference(year=now.year),
        seller=seller,
        claim_type=claim_type,
        channel=channel,
        language=language or seller.preferred_language,
        created_by=submitted_by,
        submission_key=submission_key,
        currency=cleaned.pop("currency", None) or seller.default_currency,
        **cleaned,
    )
    record_event(
        dispute,
        kind=CaseEvent.Kind.SUBMITTED,
        actor=submitted_by,
        to_status=Status.SUBMITTED,
        data={"channel": channel, "claim_type": claim_type},
    )
    queue_notification(dispute, kind="received")
    from disputes.tasks import complete_intake_task

    # robust: a broker hiccup must not fail a filing that is already stored; catch_up re-sends.
    transaction.on_commit(lambda: complete_intake_task.delay(dispute.pk), robust=True)
    return dispute


@transaction.atomic
def complete_intake(*, dispute: Dispute) -> Dispute:
    """Route a submitted dispute to its queue, start the team's clock and open it. Idempotent."""
    lock_dispute(dispute)
    if dispute.status != Status.SUBMITTED:
        return dispute
    from disputes.claim_types import get_claim_type

    queue = Queue.objects.get(slug=get_claim_type(dispute.claim_type).default_queue)
    dispute.queue = queue
    now = timezone.now()
    clocks = sla.start_clocks(dispute, now=now)
    move_status(
        dispute,
        to=Status.OPEN,
        by=None,
        action=_("Opening"),
        kind=CaseEvent.Kind.CHECKS_COMPLETED,
        data={"queue": queue.slug},
        queue=queue,
        **clocks,
    )
    return dispute


# --- working the case --------------------------------------------------------------------------


@transaction.atomic
def assign_dispute(
    *, dispute: Dispute, assignee: User, by: User, expected_version: int | None = None
) -> Dispute:
    """Take a queued case (or give it to someone), or reassign one already being worked."""
    seen_queued = dispute.status in QUEUED
    lock_dispute(dispute, expected_version=expected_version)
    if assignee.pk != by.pk:
        require(
            perms.can_assign_to_others(by),
            _("Only a senior specialist or a team lead can assign cases to others."),
        )
    require(
        perms.can_work_queues(assignee),
        _("%(name)s cannot work disputes.") % {"name": assignee.get_username()},
        code="assignee_not_allowed",
    )
    require(
        perms.can_take(assignee, dispute),
        _("An appeal must be reviewed by someone other than the specialist who decided it."),
        code="appeal_needs_new_reviewer",
    )
    before = {"assignee": dispute.assignee_id}
    if dispute.status in QUEUED:
        move_status(
            dispute,
            to=Status.IN_REVIEW,
            by=by,
            action=_("Assigning"),
            kind=CaseEvent.Kind.ASSIGNED,
            data={
                "before": before,
                "after": {"assignee": assignee.pk},
                "assignee": assignee.get_username(),
            },
            assignee=assignee,
        )
    elif dispute.status in (Status.IN_REVIEW, Status.AWAITING_SELLER, Status.ESCALATED):
        if dispute.assignee_id == assignee.pk:
            return dispute
        if seen_queued and assignee.pk == by.pk and not perms.can_assign_to_others(by):
            # The caller saw it queued, someone took it since: a race, not a lack of rights.
            raise Conflict(
                _("%(name)s took this case a moment ago. Take another one.")
                % {"name": dispute.assignee.get_username() if dispute.assignee else "—"},
                code="already_taken",
            )
        require(
            perms.can_assign_to_others(by),
            _("Only a senior specialist or a team lead can reassign a case."),
        )
        touch(
            dispute,
            kind=CaseEvent.Kind.REASSIGNED,
            by=by,
            data={
                "before": before,
                "after": {"assignee": assignee.pk},
                "assignee": assignee.get_username(),
            },
            assignee=assignee,
        )
    else:
        raise TransitionNotAllowed(
            _("Assigning is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.status_enum.label}
        )
    return dispute


@transaction.atomic
def reply_to_seller(
    *, dispute: Dispute, by: User, body: str, expected_version: int | None = None
) -> Message:
    """A public reply from staff; the first one stops the first-response clock."""
    lock_dispute(dispute, expected_version=expected_version)
    require(perms.can_work(by, dispute), _("Only the case's assignee or a team lead can reply."))
    if dispute.is_terminal or dispute.status == Status.SUBMITTED:
        raise TransitionNotAllowed(
            _("Replying is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.status_enum.label}
        )
    text = _clean_text(body, field="body", label=_("The reply"))
    message = _add_message(dispute, by=by, body=text, side=Message.Side.STAFF)
    clocks = sla.record_first_response(dispute, now=timezone.now())
    touch(dispute, kind=CaseEvent.Kind.REPLIED, by=by, data={"message": message.pk}, **clocks)
    queue_notification(dispute, kind="reply", key=f"reply:{message.pk}")
    return message


@transaction.atomic
def add_internal_note(*, dispute: Dispute, by: User, body: str) -> Message:
    """A note only staff see."""
    lock_dispute(dispute)
    require(
        perms.can_work_queues(by)
        or (perms.is_staff_user(by) and by.has_perm("disputes.review_quality")),
        _("Only staff can write internal notes."),
    )
    text = _clean_text(body, field="body", label=_("The note"))
    message = _add_message(dispute, by=by, body=text, side=Message.Side.STAFF, internal=True)
    touch(dispute, kind=CaseEvent.Kind.NOTE_ADDED, by=by, data={"message": message.pk})
    return message


@transaction.atomic
def request_information(
    *, dispute: Dispute, by: User, body: str, expected_version: int | None = None
) -> Message:
    """Ask the seller for something; the team's clock pauses and the seller's starts."""
    lock_dispute(dispute, expected_version=expected_version)
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can request information."),
    )
    text = _clean_text(body, field="body", label=_("The request"))
    now = timezone.now()
    days = _policy_for(dispute).seller_response_days
    if dispute.status != Status.IN_REVIEW:  # refuse before touching the clocks
        raise TransitionNotAllowed(
            _("Requesting information is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.status_enum.label}
        )
    clocks = sla.record_first_response(dispute, now=now)
    clocks.update(sla.pause(dispute, now=now))
    due = now + timedelta(days=days)
    clocks["seller_reminder_at"] = now + timedelta(days=days / 2)
    move_status(
        dispute,
        to=Status.AWAITING_SELLER,
        by=by,
        action=_("Requesting information"),
        kind=CaseEvent.Kind.INFO_REQUESTED,
        data={"seller_response_due_at": due.isoformat()},
        seller_response_due_at=due,
        **clocks,
    )
    message = _add_message(dispute, by=by, body=text, side=Message.Side.STAFF)
    queue_notification(dispute, kind="info_needed", key=f"info_needed:{message.pk}")
    return message


@transaction.atomic
def post_seller_message(*, dispute: Dispute, by: User, body: str) -> Message:
    """A message from the seller; when information was requested it answers the request."""
    lock_dispute(dispute)
    require(perms.can_act_as_seller(by, dispute), _("You cannot write on this dispute."))
    if dispute.is_terminal:
        raise TransitionNotAllowed(
            _("This dispute is “%(status)s”; to raise something new, file a new dispute.")
            % {"status": dispute.status_enum.label},
            code="dispute_closed",
        )
    text = _clean_text(body, field="body", label=_("Your message"))
    message = _add_message(dispute, by=by, body=text, side=Message.Side.SELLER)
    now = timezone.now()
    if dispute.status == Status.AWAITING_SELLER:
        clocks = sla.resume(dispute, now=now)
        clocks.update(sla.seller_wrote(dispute, now=now))
        move_status(
            dispute,
            to=Status.IN_REVIEW,
            by=by,
            action=_("Answering"),
            kind=CaseEvent.Kind.SELLER_RESPONDED,
            data={"message": message.pk},
            seller_response_due_at=None,
            seller_reminder_at=None,
            **clocks,
        )
    else:
        clocks = {}
        if dispute.status in (Status.IN_REVIEW, Status.ESCALATED):
            clocks = sla.seller_wrote(dispute, now=now)
        touch(
            dispute,
            kind=CaseEvent.Kind.SELLER_MESSAGE,
            by=by,
            data={"message": message.pk},
            **clocks,
        )
    return message


@transaction.atomic
def escalate_dispute(
    *, dispute: Dispute, by: User, team: str, reason: str, expected_version: int | None = None
) -> Escalation:
    """Ask a peer team; the case waits in `escalated` until their answer is recorded."""
    lock_dispute(dispute, expected_version=expected_version)
    require(perms.can_work(by, dispute), _("Only the case's assignee or a team lead can escalate."))
    if team not in EscalationTeam.values:
        raise InvalidInput(
            _("Choose the team to escalate to."), fields={"team": [_("Not a team Arbiter knows.")]}
        )
    text = _clean_text(reason, field="reason", label=_("The reason"))
    move_status(
        dispute,
        to=Status.ESCALATED,
        by=by,
        action=_("Escalating"),
        kind=CaseEvent.Kind.ESCALATED,
        data={"team": team, "reason": text},
    )
    return Escalation.objects.create(dispute=dispute, team=team, reason=text, requested_by=by)


@transaction.atomic
def resolve_escalation(*, dispute: Dispute, by: User, answer: str) -> Escalation:
    """Record the peer team's answer and put the case back in review."""
    lock_dispute(dispute)
    require(perms.can_work_queues(by), _("Only staff can record a peer team's answer."))
    text = _clean_text(answer, field="answer", label=_("The answer"))
    escalation = dispute.escalations.filter(resolved_at__isnull=True).first()
    if escalation is None:
        raise TransitionNotAllowed(
            _("Recording an answer is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.status_enum.label}
        )
    move_status(
        dispute,
        to=Status.IN_REVIEW,
        by=by,
        action=_("Recording the answer"),
        kind=CaseEvent.Kind.ESCALATION_RESOLVED,
        data={"team": escalation.team, "answer": text},
    )
    escalation.answer, escalation.resolved_by, escalation.resolved_at = text, by, timezone.now()
    escalation.save(update_fields=["answer", "resolved_by", "resolved_at"])
    return escalation


@transaction.atomic
def decide_dispute(
    *,
    dispute: Dispute,
    by: User,
    outcome: str,
    reason_code: str,
    approved_quantity: int | None = None,
    amount: Decimal | None = None,
    explanation: str = "",
    amount_change_reason: str = "",
    expected_version: int | None = None,
) -> Decision:
    """Decide; an approval with an amount proposes a reimbursement (maker-checker above limit).

    The amount defaults to the policy's proposal; a different amount needs a reason.
    """
    from reimbursements.services import create_reimbursement, payout_rate, propose_amount

    lock_dispute(dispute, expected_version=expected_version)
    require(
        perms.can_work(by, dispute), _("Only the case's assignee or a team lead can decide it.")
    )
    require(
        not perms.decided_before(by, dispute),
        _("An appeal must be decided by someone other than the specialist who decided it."),
        code="appeal_needs_new_reviewer",
    )
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose approved, partially approved or denied.")]
    if reason_code not in ReasonCode.values:
        errors["reason_code"] = [_("Choose a reason code.")]
    if approved_quantity is not None and approved_quantity < 0:
        errors["approved_quantity"] = [_("The quantity cannot be negative.")]
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    if outcome == Outcome.DENIED and (amount or approved_quantity):
        errors["outcome"] = [_("A denied dispute pays nothing: clear the quantity and amount.")]
    if dispute.quantity and approved_quantity and approved_quantity > dispute.quantity:
        errors["approved_quantity"] = [
            _("The seller claimed %(n)s units; you cannot approve more.") % {"n": dispute.quantity}
        ]
    if errors:
        raise InvalidInput(_("The decision is not complete: see the fields."), fields=errors)

    policy = _policy_for(dispute)
    proposed = None
    if outcome != Outcome.DENIED and approved_quantity:
        proposed = propose_amount(dispute=dispute, quantity=approved_quantity, policy=policy)
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
            "policy_version": policy.version,
            "proposed_amount": str(proposed) if proposed is not None else None,
            "payout_rate": str(payout_rate(dispute=dispute, policy=policy)),
            "amount_change_reason": amount_change_reason.strip(),
        },
        outcome=outcome,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        decided_by=by,
        decided_at=now,
        appeal_deadline_at=None if on_appeal else now + timedelta(days=policy.appeal_window_days),
        **sla.stop(dispute),
    )
    decision = Decision.objects.create(
        dispute=dispute,
        outcome=outcome,
        reason_code=reason_code,
        approved_quantity=approved_quantity,
        amount=amount,
        currency=dispute.currency,
        explanation=explanation.strip(),
        policy_version=policy.version,
        on_appeal=on_appeal,
        decided_by=by,
    )
    if outcome != Outcome.DENIED and amount:
        create_reimbursement(decision=decision, maker=by, policy=policy)
    queue_notification(dispute, kind="decided", key=f"decided:{decision.pk}")
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
    text = _clean_text(reason, field="reason", label=_("The reason for your appeal"))
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
    _add_message(dispute, by=by, body=text, side=Message.Side.SELLER)
    return dispute


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
    move_status(
        dispute,
        to=Status.CLOSED,
        by=by,
        action=_("Closing"),
        kind=CaseEvent.Kind.CLOSED,
        data={"reason": reason},
        closed_at=now,
        seller_response_due_at=None,
        seller_reminder_at=None,
        **sla.stop(dispute),
    )
    if reason == "seller_silent":
        queue_notification(dispute, kind="closed")
    return dispute


@transaction.atomic
def withdraw_dispute(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """The seller takes the dispute back before a decision."""
    lock_dispute(dispute)
    require(perms.can_act_as_seller(by, dispute), _("You cannot withdraw this dispute."))
    if dispute.status not in UNDECIDED:
        raise TransitionNotAllowed(
            _("Withdrawing is not possible while the dispute is “%(status)s”.")
            % {"status": dispute.status_enum.label}
        )
    move_status(
        dispute,
        to=Status.WITHDRAWN,
        by=by,
        action=_("Withdrawing"),
        kind=CaseEvent.Kind.WITHDRAWN,
        data={"reason": reason.strip()},
        closed_at=timezone.now(),
        seller_response_due_at=None,
        seller_reminder_at=None,
        **sla.stop(dispute),
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
        perms.can_work(by, dispute)
        or (perms.can_work_queues(by) and dispute.status == Status.SUBMITTED),
        _("Only the case's assignee or a team lead can merge it."),
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
    move_status(
        dispute,
        to=Status.MERGED,
        by=by,
        action=_("Merging"),
        kind=CaseEvent.Kind.MERGED,
        data={"into": into.reference},
        merged_into=into,
        closed_at=timezone.now(),
        **sla.stop(dispute),
    )
    touch(into, kind=CaseEvent.Kind.MERGE_RECEIVED, by=by, data={"from": dispute.reference})
    return dispute


@transaction.atomic
def change_priority(*, dispute: Dispute, by: User, priority: int) -> Dispute:
    """Raise or lower how urgently a case is worked."""
    lock_dispute(dispute)
    if dispute.status in TERMINAL:
        raise TransitionNotAllowed(
            _("The priority of a finished dispute (“%(status)s”) cannot change.")
            % {"status": dispute.status_enum.label}
        )
    require(
        perms.can_work(by, dispute) or perms.can_supervise(by),
        _("Only the case's assignee or a team lead can change its priority."),
    )
    if priority not in Priority.values:
        raise InvalidInput(_("Choose a priority."), fields={"priority": [_("Not a priority.")]})
    if dispute.priority == priority:
        return dispute
    touch(
        dispute,
        kind=CaseEvent.Kind.PRIORITY_CHANGED,
        by=by,
        data={"before": {"priority": dispute.priority}, "after": {"priority": priority}},
        priority=priority,
    )
    return dispute


FINAL_DECISION_CLOSES_AFTER = timedelta(days=1)


def close_lapsed_disputes(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Close cases whose seller stayed silent past the deadline, whose appeal window ended, or
    whose decision on appeal is a day old.

    Reads only due rows through the partial indexes; each case closes in its own transaction so
    one failure does not hold back the rest, and running twice closes nothing twice.
    """
    now = now or timezone.now()
    rules = (  # (reason, which cases, oldest first by)
        (
            "seller_silent",
            Q(status=Status.AWAITING_SELLER, seller_response_due_at__lte=now),
            "seller_response_due_at",
        ),
        (
            "appeal_window_ended",
            Q(status=Status.DECIDED, appeal_deadline_at__lte=now),
            "appeal_deadline_at",
        ),
        (
            # A decision on appeal is final: nothing is left to wait for but a day's grace.
            "decision_final",
            Q(
                status=Status.DECIDED,
                appeal_count__gt=0,
                decided_at__lte=now - FINAL_DECISION_CLOSES_AFTER,
            ),
            "decided_at",
        ),
    )
    due = [
        (pk, reason)
        for reason, condition, oldest_first in rules
        for pk in Dispute.objects.filter(condition)
        .order_by(oldest_first)
        .values_list("pk", flat=True)[:batch_size]
    ]
    closed = 0
    for pk, reason in due:
        dispute = Dispute.objects.filter(pk=pk).first()
        if dispute is None:
            continue
        try:
            close_dispute(dispute=dispute, by=None, reason=reason, now=now)
        except (TransitionNotAllowed, Conflict):
            continue  # someone acted on it meanwhile (the seller answered, or it was appealed)
        closed += 1
    return closed


__all__ = [
    "NotAllowed",
    "add_internal_note",
    "appeal_dispute",
    "assign_dispute",
    "change_priority",
    "close_dispute",
    "close_lapsed_disputes",
    "complete_intake",
    "decide_dispute",
    "escalate_dispute",
    "merge_dispute",
    "move_status",
    "post_seller_message",
    "reply_to_seller",
    "request_information",
    "resolve_escalation",
    "submit_dispute",
    "withdraw_dispute",
]


def take_next_case(*, user: User) -> Dispute | None:
    """Assign the caller the most urgent queued case they work, or None when there is none.

    Earliest SLA deadline first, then priority, then age, from the caller's queues (all when
    they belong to none) and languages. On PostgreSQL the candidate row is locked with
    SKIP LOCKED, so specialists asking at the same moment get different cases.
    """
    from django.db import connection

    from disputes.models import StaffProfile

    require(perms.can_work_queues(user), _("Only specialists take cases from the queues."))
    candidates = Dispute.objects.filter(status__in=QUEUED).exclude(
        appeal_count__gt=0, decided_by=user
    )
    queue_ids = list(user.work_queues.values_list("pk", flat=True))
    if queue_ids:
        candidates = candidates.filter(queue_id__in=queue_ids)
    profile = StaffProfile.objects.filter(user=user).first()
    if profile and profile.languages:
        candidates = candidates.filter(language__in=profile.languages)
    candidates = candidates.order_by(
        F("sla_next_deadline_at").asc(nulls_last=True), "-priority", "created_at", "id"
    )
    for _attempt in range(5):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                locked = candidates.select_for_update(skip_locked=True, of=("self",))
            else:
                locked = candidates  # SQLite serialises writers; the version check does the rest
            dispute = locked.first()
            if dispute is None:
                return None
            try:
                return assign_dispute(dispute=dispute, assignee=user, by=user)
            except (Conflict, TransitionNotAllowed):
                continue  # taken a moment ago: try the next one
    return None


@transaction.atomic
def recommend_restriction(*, dispute: Dispute, by: User, reason: str):
    """Recommend restricting the seller's account; team leads act on it."""
    from sellers.models import RestrictionRecommendation

    lock_dispute(dispute)
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can recommend a restriction."),
    )
    text = _clean_text(reason, field="reason", label=_("The reason"))
    recommendation = RestrictionRecommendation.objects.create(
        seller_id=dispute.seller_id, dispute=dispute, recommended_by=by, reason=text
    )
    touch(
        dispute,
        kind=CaseEvent.Kind.RESTRICTION_RECOMMENDED,
        by=by,
        data={"reason": text, "recommendation": recommendation.pk},
    )
    return recommendation


@transaction.atomic
def save_view(*, owner: User, name: str, query: str):
    """Save (or overwrite) a named case-list filter for its owner."""
    from disputes.models import SavedView

    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the view a name."), fields={"name": [_("Required.")]})
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name[:80], defaults={"query": (query or "")[:1000]}
    )
    return view


@transaction.atomic
def delete_saved_view(*, owner: User, view_id: int) -> None:
    from disputes.models import SavedView

    SavedView.objects.filter(owner=owner, pk=view_id).delete()


@transaction.atomic
def file_dispute(
    *,
    seller: Seller,
    submitted_by: User,
    claim_type: str,
    fields: Mapping[str, Any],
    uploads: list,
    evidence_kind: str = "",
    channel: str = Channel.PORTAL,
    language: str | None = None,
    submission_key: str = "",
) -> Dispute:
    """File a dispute with its evidence files: all of it is stored, or none of it.

    Every problem (fields and files) is reported at once, before anything is written.
    """
    from disputes.claim_types import CLAIM_TYPES, EvidenceKind
    from evidence.services import attach_evidence, inspect_upload

    submission_key, existing = _start_filing(seller, submitted_by, submission_key)
    if existing is not None:
        return existing
    errors: dict[str, list[str]] = {}
    cleaned = {}
    try:
        cleaned = validate_claim(seller=seller, claim_type=claim_type, fields=fields)
    except InvalidInput as exc:
        errors.update(exc.fields)
    spec = CLAIM_TYPES.get(claim_type)
    if spec and spec.evidence_kinds and not uploads:
        kinds = ", ".join(str(EvidenceKind(k).label) for k in spec.evidence_kinds)
        errors["evidence"] = [
            _("This kind of claim needs evidence: attach at least one file (%(kinds)s).")
            % {"kinds": kinds}
        ]
    if uploads and evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = [_("Say what the files show.")]
    for upload in uploads:
        try:
            inspect_upload(upload)
        except InvalidInput as exc:
            errors.setdefault("evidence", []).append(exc.message)
    if errors:
        raise InvalidInput(_("Some details of the claim need your attention."), fields=errors)
    dispute = _store_submission(
        seller=seller,
        submitted_by=submitted_by,
        claim_type=claim_type,
        cleaned=cleaned,
        channel=channel,
        language=language,
        submission_key=submission_key,
    )
    stored = []
    try:
        for upload in uploads:
            stored.append(
                attach_evidence(
                    dispute=dispute, uploaded_by=submitted_by, upload=upload, kind=evidence_kind
                )
            )
    except Exception:
        for evidence in stored:  # the transaction rolls back the rows; remove their files too
            evidence.file.delete(save=False)
        raise
    return dispute
