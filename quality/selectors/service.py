"""The service dashboard: the backlog, SLA compliance, breaches, cases due and waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from disputes.models import CaseEvent, Dispute
from disputes.status import Status
from quality.selectors.common import (
    AGE_BUCKETS,
    DUE_SOON,
    LIST_LIMIT,
    DashboardFilters,
    Rollups,
    bucketed,
    open_backlog,
    queue_names,
    ratio,
)

# --- service ------------------------------------------------------------------------------------


@dataclass
class ServiceDashboard:
    backlog: list[dict]  # status, then one count per age bucket, and a total
    compliance_by_day: list[dict]
    compliance_by_queue: list[dict]
    breaches_today: int
    breached_cases: list[CaseEvent]
    due_soon: list[Dispute]
    due_soon_count: int
    awaiting: list[dict]
    awaiting_oldest: list[Dispute]

    @property
    def awaiting_total(self) -> int:
        return sum(row["count"] for row in self.awaiting)


def service_dashboard(
    filters: DashboardFilters, *, now: datetime | None = None, list_limit: int = LIST_LIMIT
) -> ServiceDashboard:
    """`list_limit`: how many cases each list holds (a page shows a few, its CSV many)."""
    now = now or timezone.now()
    live = Dispute.objects.filter(filters.case_q())
    rollups = Rollups(filters)
    backlog = [
        {"status": Status(status), **buckets, "total": sum(buckets.values())}
        for status, buckets in open_backlog(filters, rollups, now).items()
    ]
    sla = ("first_response_met", "first_response_breached", "resolution_met", "resolution_breached")
    by_day = rollups.totals(["day"], sla)
    compliance_by_day = [_compliance({"day": day}, by_day.get((day,), {})) for day in filters.days]
    by_queue = rollups.totals(["queue_pk"], sla)
    names = queue_names(pk for (pk,) in by_queue)
    compliance_by_queue = sorted(
        (
            _compliance({"queue": names.get(pk, "—")}, figures)
            for (pk,), figures in by_queue.items()
        ),
        key=lambda row: row["queue"],
    )
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    breached = CaseEvent.objects.filter(
        Q(kind=CaseEvent.Kind.SLA_BREACHED, created_at__gte=today_start)
        & filters.case_q("dispute__")
    )
    due = live.filter(
        status__in=[
            Status.OPEN,
            Status.IN_REVIEW,
            Status.ESCALATED,
            Status.APPEALED,
            Status.SUBMITTED,
        ],
        sla_next_deadline_at__gte=now,
        sla_next_deadline_at__lte=now + DUE_SOON,
    )
    waiting = live.filter(status=Status.AWAITING_SELLER)
    waiting_counts = bucketed(waiting, "sla_paused_at", None, now)[None]
    return ServiceDashboard(
        backlog=backlog,
        compliance_by_day=compliance_by_day,
        compliance_by_queue=compliance_by_queue,
        breaches_today=breached.count(),
        breached_cases=list(
            breached.select_related("dispute", "dispute__queue", "dispute__assignee").order_by(
                "-created_at"
            )[:list_limit]
        ),
        due_soon=list(
            due.select_related("queue", "assignee").order_by("sla_next_deadline_at")[:list_limit]
        ),
        due_soon_count=due.count(),
        awaiting=[{"bucket": label, "count": waiting_counts[label]} for label, _ in AGE_BUCKETS],
        awaiting_oldest=list(
            # The seller's deadline soonest first: the longest waiting, read from the
            # partial index on that deadline instead of sorting every waiting case.
            waiting.select_related("seller", "assignee").order_by("seller_response_due_at")[
                :list_limit
            ]
        ),
    )


def _compliance(row: dict, figures: dict) -> dict:
    first_met = figures.get("first_response_met", 0)
    first_breached = figures.get("first_response_breached", 0)
    met = figures.get("resolution_met", 0)
    breached = figures.get("resolution_breached", 0)
    return {
        **row,
        "first_response_met": first_met,
        "first_response_breached": first_breached,
        "first_response_compliance": ratio(first_met, first_met + first_breached),
        "resolution_met": met,
        "resolution_breached": breached,
        "resolution_compliance": ratio(met, met + breached),
    }
