"""Questions to peer teams (warehouse, logistics partner, finance, fraud, team lead)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, TransitionNotAllowed, require
from disputes import permissions as perms
from disputes.case import lock_dispute, move_status
from disputes.models import CaseEvent, Dispute, Escalation
from disputes.services.messaging import clean_text
from disputes.status import EscalationTeam, Status

User = AbstractBaseUser


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
    text = clean_text(reason, field="reason", label=_("The reason"))
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
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can record the peer team's answer."),
    )
    text = clean_text(answer, field="answer", label=_("The answer"))
    escalation = dispute.escalations.filter(resolved_at__isnull=True).first()
    if escalation is None:  # the status may allow the move, but there is no question to answer
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
