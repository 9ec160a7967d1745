"""Helpers the service tests share: status lists and what a refused call must leave alone."""

from __future__ import annotations

from datetime import UTC, datetime

from disputes import services
from disputes.models import CaseEvent, Decision, Dispute, Escalation, Message, Notification
from disputes.status import Status

ALL = list(Status)
TERMINAL = [Status.CLOSED, Status.WITHDRAWN, Status.MERGED]
# Statuses in which a case has someone working it.
WORKED = {Status.IN_REVIEW, Status.AWAITING_SELLER, Status.ESCALATED}
# A Monday inside the standard calendar's working hours (Mon–Fri 08:00–20:00 UTC).
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def others(*allowed: Status) -> list[Status]:
    return [s for s in ALL if s not in allowed]


def ids(statuses) -> list[str]:
    return [s.value for s in statuses]


def snapshot(dispute: Dispute) -> tuple:
    """Everything a refused call must leave as it was."""
    stored = Dispute.objects.get(pk=dispute.pk)
    return (
        stored.status,
        stored.version,
        stored.assignee_id,
        stored.priority,
        stored.appeal_count,
        CaseEvent.objects.filter(dispute=dispute).count(),
        Message.objects.filter(dispute=dispute).count(),
        Decision.objects.filter(dispute=dispute).count(),
        Escalation.objects.filter(dispute=dispute, resolved_at__isnull=True).count(),
        Notification.objects.filter(dispute=dispute).count(),
    )


def last_event(dispute: Dispute) -> CaseEvent:
    return CaseEvent.objects.filter(dispute=dispute).order_by("-id").first()


# Calls several test modules make the same way.


def decide_and_appeal(dispute, *, decider, seller_user) -> Dispute:
    services.decide_dispute(
        dispute=dispute, by=decider, outcome="denied", reason_code="insufficient_evidence"
    )
    services.appeal_dispute(dispute=dispute, by=seller_user, reason="The records show the loss.")
    return Dispute.objects.get(pk=dispute.pk)


def open_escalation(dispute, by) -> Escalation:
    return Escalation.objects.create(dispute=dispute, team="warehouse", reason="?", requested_by=by)


def request_info(dispute, by):
    return services.request_information(dispute=dispute, by=by, body="Photos, please.")


def escalate(dispute, by):
    return services.escalate_dispute(
        dispute=dispute, by=by, team="warehouse", reason="Please recount the bin."
    )


def decide(dispute, by):
    return services.decide_dispute(
        dispute=dispute, by=by, outcome="denied", reason_code="insufficient_evidence"
    )
