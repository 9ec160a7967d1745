"""The SLA sweep and the seller reminders: each touches only rows that are due.

Warnings and breaches are recorded exactly once per deadline: the timer row is locked
(SKIP LOCKED on PostgreSQL, so two sweeps share the work) and its warned_at/breached_at is set
in the same transaction as the CaseEvent.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.errors import Conflict
from disputes.case import move_status, record_event, record_events, touch
from disputes.models import CaseEvent, Dispute, Escalation, SlaPolicy, SlaTimer
from disputes.notifications import queue_notification, queue_staff_notification
from disputes.status import ACTIVE, Priority, Status

BATCH = 200
TIMER_FIELDS = (
    "dispute",
    "kind",
    "policy",
    "started_at",
    "due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "met_at",
    "stopped_at",
    "next_check_at",
)
SWEPT_DISPUTE_FIELDS = ("dispute__status", "dispute__sla_paused_at", "dispute__assignee")


def _lock_due(queryset, *, batch: int):
    if connection.vendor == "postgresql":
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset[:batch])


def _team_leads():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name="Team Lead")
        .exclude(email="")
    )


def sweep_sla(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Record due warnings and breaches; returns how many of each.

    Warnings are written in bulk (one insert, one update per batch); breaches, rarer and with
    more to do, go case by case.
    """
    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0}
    with transaction.atomic():
        due = (
            SlaTimer.objects.filter(next_check_at__lte=now)
            .order_by("next_check_at")
            .select_related("dispute__assignee")
            # Just what a warning needs: a batch of whole cases costs more to load than to write.
            .only(*TIMER_FIELDS, *SWEPT_DISPUTE_FIELDS, "dispute__assignee__email")
        )
        timers = _lock_due(due, batch=batch)
        events, warned, idle, changed = [], [], [], []
        for timer in timers:
            dispute = timer.dispute
            if dispute.status not in ACTIVE or dispute.sla_paused_at is not None:
                idle.append(timer.pk)
                continue
            breaching = timer.breached_at is None and timer.due_at and timer.due_at <= now
            if timer.warned_at is None and timer.warn_at and timer.warn_at <= now:
                timer.warned_at = now
                counts["warned"] += 1
                events.append(
                    (
                        dispute,
                        CaseEvent.Kind.SLA_WARNING,
                        {"deadline": timer.kind, "due_at": timer.due_at.isoformat()},
                    )
                )
                queue_staff_notification(
                    dispute,
                    kind="sla_warning",
                    user=dispute.assignee,
                    key=f"sla_warning:{timer.pk}:{timer.started_at:%s}",
                )
                if not breaching:
                    warned.append(timer.pk)  # next check: the deadline itself
                    continue
            if breaching:
                timer.breached_at = now
                counts["breached"] += 1
                _breach(
                    Dispute.objects.select_related("assignee").get(pk=dispute.pk), timer, now=now
                )
            timer.schedule_next_check()
            changed.append(timer)
        record_events(events)
        # One statement for the common case (warned, not yet due), one per rarer change.
        SlaTimer.objects.filter(pk__in=warned).update(warned_at=now, next_check_at=F("due_at"))
        SlaTimer.objects.filter(pk__in=idle).update(next_check_at=None)
        for timer in changed:
            timer.save(update_fields=["warned_at", "breached_at", "next_check_at"])
    return counts


def _breach(dispute: Dispute, timer: SlaTimer, *, now: datetime) -> None:
    """Record the breach, raise the priority and, by policy, escalate to the team lead."""
    record_event(
        dispute,
        kind=CaseEvent.Kind.SLA_BREACHED,
        actor=None,
        data={
            "deadline": timer.kind,
            "due_at": timer.due_at.isoformat(),
            "action": timer.policy.breach_action,
        },
    )
    raised = min(dispute.priority + 1, Priority.URGENT)
    escalate = (
        timer.policy.breach_action == SlaPolicy.BreachAction.ESCALATE
        and dispute.status == Status.IN_REVIEW
    )
    change = {
        "before": {"priority": dispute.priority},
        "after": {"priority": raised},
        "reason": "sla_breached",
    }
    try:
        with transaction.atomic():  # a concurrent change skips these, not the whole sweep
            if escalate:
                move_status(
                    dispute,
                    to=Status.ESCALATED,
                    by=None,
                    action="Escalating",
                    kind=CaseEvent.Kind.ESCALATED,
                    data={"team": "team_lead", "reason": "sla_breached", **change},
                    priority=raised,
                )
                Escalation.objects.create(
                    dispute=dispute,
                    team="team_lead",
                    requested_by=None,
                    reason=f"SLA breached: {timer.get_kind_display()}",
                )
            elif raised != dispute.priority:
                touch(
                    dispute,
                    kind=CaseEvent.Kind.PRIORITY_CHANGED,
                    by=None,
                    data=change,
                    priority=raised,
                )
    except Conflict:
        pass  # someone acted on the case this very moment; the breach itself is recorded
    queue_staff_notification(
        dispute,
        kind="sla_breached",
        user=dispute.assignee,
        key=f"sla_breached:{timer.pk}:{timer.started_at:%s}:assignee",
    )
    for lead in _team_leads():
        queue_staff_notification(
            dispute,
            kind="sla_breached",
            user=lead,
            key=f"sla_breached:{timer.pk}:{timer.started_at:%s}:{lead.pk}",
        )


def remind_sellers(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Halfway to the seller's deadline: one reminder per request for information."""
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        due = Dispute.objects.filter(
            status=Status.AWAITING_SELLER, seller_reminder_at__lte=now
        ).select_related("seller")
        for dispute in _lock_due(due.order_by("seller_reminder_at"), batch=batch):
            try:
                touch(
                    dispute,
                    kind=CaseEvent.Kind.SELLER_REMINDED,
                    by=None,
                    data={"due": dispute.seller_response_due_at.isoformat()},
                    seller_reminder_at=None,
                )
            except Conflict:
                continue  # the seller answered this very moment: no reminder needed
            queue_notification(
                dispute,
                kind="reminder",
                key=f"reminder:{dispute.pk}:{dispute.seller_response_due_at:%s}",
            )
            reminded += 1
    return reminded


__all__ = ["remind_sellers", "sweep_sla"]
