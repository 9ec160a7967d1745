"""Messages on a case: replies, internal notes, requests for information and seller answers."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, require
from disputes import permissions as perms
from disputes import sla
from disputes.case import lock_dispute, move_status, require_move, require_status, touch
from disputes.models import CaseEvent, Dispute, Message
from disputes.notifications import queue_notification
from disputes.status import Status
from evidence.services import attach_evidence_files
from reimbursements.selectors import get_active_policy

User = AbstractBaseUser
MAX_MESSAGE_LENGTH = 10_000


def clean_text(value: str, *, field: str, label: str) -> str:
    """The text stripped, or a refusal naming the field when it is empty or too long."""
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


def add_message(
    dispute: Dispute, *, by: User | None, body: str, side: str, internal: bool = False
) -> Message:
    """Store one message row; the calling service records the event."""
    return Message.objects.create(
        dispute=dispute,
        author=by,
        side=side,
        body=body,
        visibility=Message.Visibility.INTERNAL if internal else Message.Visibility.PUBLIC,
    )


@transaction.atomic
def reply_to_seller(
    *, dispute: Dispute, by: User, body: str, expected_version: int | None = None
) -> Message:
    """A public reply from staff; the first one stops the first-response clock."""
    lock_dispute(dispute, expected_version=expected_version)
    require(perms.can_work(by, dispute), _("Only the case's assignee or a team lead can reply."))
    require_status(dispute, step="reply", action=_("Replying"))
    text = clean_text(body, field="body", label=_("The reply"))
    message = add_message(dispute, by=by, body=text, side=Message.Side.STAFF)
    clocks = sla.record_first_response(dispute, now=timezone.now())
    touch(dispute, kind=CaseEvent.Kind.REPLIED, by=by, data={"message": message.pk}, **clocks)
    queue_notification(dispute, kind="reply", key=f"reply:{message.pk}", message=message)
    return message


@transaction.atomic
def add_internal_note(*, dispute: Dispute, by: User, body: str) -> Message:
    """A note only staff see."""
    lock_dispute(dispute)
    require(perms.can_write_notes(by), _("Only staff can write internal notes."))
    text = clean_text(body, field="body", label=_("The note"))
    message = add_message(dispute, by=by, body=text, side=Message.Side.STAFF, internal=True)
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
    text = clean_text(body, field="body", label=_("The request"))
    now = timezone.now()
    days = get_active_policy(claim_type=dispute.claim_type).seller_response_days
    action = _("Requesting information")
    require_move(dispute, to=Status.AWAITING_SELLER, action=action)  # before touching the clocks
    clocks = sla.record_first_response(dispute, now=now)
    clocks.update(sla.pause(dispute, now=now))
    due = now + timedelta(days=days)
    clocks["seller_reminder_at"] = now + timedelta(days=days / 2)
    move_status(
        dispute,
        to=Status.AWAITING_SELLER,
        by=by,
        action=action,
        kind=CaseEvent.Kind.INFO_REQUESTED,
        data={"seller_response_due_at": due.isoformat()},
        seller_response_due_at=due,
        **clocks,
    )
    message = add_message(dispute, by=by, body=text, side=Message.Side.STAFF)
    queue_notification(
        dispute, kind="info_needed", key=f"info_needed:{message.pk}", message=message
    )
    return message


@transaction.atomic
def post_seller_message(*, dispute: Dispute, by: User, body: str) -> Message:
    """A message from the seller; when information was requested it answers the request."""
    lock_dispute(dispute)
    require(perms.can_act_as_seller(by, dispute), _("You cannot write on this dispute."))
    require_status(
        dispute,
        step="seller_message",
        message=_("This dispute is “%(status)s”; to raise something new, file a new dispute.")
        % {"status": dispute.status_enum.label},
        code="dispute_closed",
    )
    text = clean_text(body, field="body", label=_("Your message"))
    message = add_message(dispute, by=by, body=text, side=Message.Side.SELLER)
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
def reply_with_evidence(
    *, dispute: Dispute, by: User, body: str, uploads: list[UploadedFile], evidence_kind: str
) -> Message:
    """The seller's answer with files attached: the files and the message land together."""
    stored = attach_evidence_files(
        dispute=dispute, uploaded_by=by, uploads=uploads, kind=evidence_kind or "other"
    )
    try:
        return post_seller_message(dispute=dispute, by=by, body=body)
    except Exception:
        for evidence in stored:  # the rows roll back with the message; the files must go too
            evidence.file.delete(save=False)
        raise
