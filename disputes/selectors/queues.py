"""Reads of the work: queue counts, a specialist's own cases, saved list views."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from disputes.models import Dispute, Queue, SavedView
from disputes.sla import sla_state_q
from disputes.status import QUEUED, Status


def count_queue_overview_for(*, user) -> list[dict]:
    """Per queue: open, due soon, breached, awaiting seller, escalated (one grouped query)."""
    now = timezone.now()
    queues = Queue.objects.filter(is_active=True)
    member_of = list(user.work_queues.values_list("pk", flat=True))
    if member_of:
        queues = queues.filter(pk__in=member_of)
    return list(
        queues.annotate(
            open_count=Count("disputes", filter=Q(disputes__status__in=QUEUED)),
            due_soon_count=Count(
                "disputes", filter=sla_state_q("due_soon", now=now, prefix="disputes__")
            ),
            breached_count=Count(
                "disputes", filter=sla_state_q("breached", now=now, prefix="disputes__")
            ),
            awaiting_count=Count("disputes", filter=Q(disputes__status=Status.AWAITING_SELLER)),
            escalated_count=Count("disputes", filter=Q(disputes__status=Status.ESCALATED)),
        ).values(
            "slug",
            "name",
            "open_count",
            "due_soon_count",
            "breached_count",
            "awaiting_count",
            "escalated_count",
        )
    )


def count_my_work(*, user) -> dict:
    """The caller's own cases by what they wait for, and how many are past their deadline."""
    mine = Dispute.objects.filter(assignee=user)
    return mine.aggregate(
        in_review=Count("id", filter=Q(status=Status.IN_REVIEW)),
        awaiting=Count("id", filter=Q(status=Status.AWAITING_SELLER)),
        escalated=Count("id", filter=Q(status=Status.ESCALATED)),
        breached=Count("id", filter=sla_state_q("breached")),
    )


def list_saved_views_for(*, user) -> list[SavedView]:
    """The caller's saved case-list filters."""
    return list(SavedView.objects.filter(owner=user))
