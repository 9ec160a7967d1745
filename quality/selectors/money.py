"""The money dashboard: paid and reversed, overrides of the proposal, approvals waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from quality.selectors.common import (
    AGE_BUCKETS,
    LIST_LIMIT,
    DashboardFilters,
    Rollups,
    bucketed,
)
from reimbursements.models import Reimbursement

# --- money --------------------------------------------------------------------------------------


@dataclass
class MoneyDashboard:
    by_claim_type: list[dict]
    by_marketplace: list[dict]
    by_day: list[dict]
    overrides: list[Reimbursement]
    approvals_waiting: list[Reimbursement]
    approvals_by_age: list[dict]


MONEY = (
    "payouts_paid",
    "paid_amount",
    "reversals_completed",
    "reversed_amount",
    "payout_overrides",
)


def money_dashboard(filters: DashboardFilters, *, now: datetime | None = None) -> MoneyDashboard:
    now = now or timezone.now()
    rollups = Rollups(filters)

    parts = rollups.breakdown(
        [("claim_type", "currency"), ("marketplace", "currency"), ("day", "currency")], MONEY
    )

    def rows(by: str) -> list[dict]:
        totals = parts[(by, "currency")]
        return sorted(
            (
                {
                    by: key[0],
                    "currency": key[1],
                    **figures,
                    "net_amount": figures["paid_amount"] - figures["reversed_amount"],
                }
                for key, figures in totals.items()
                if any(figures.values())
            ),
            key=lambda row: (row["currency"], -row["paid_amount"]),
        )

    by_day_totals = parts[("day", "currency")]
    currencies = sorted({currency for _, currency in by_day_totals})
    by_day = [
        {
            "day": day,
            "paid": {
                c: by_day_totals.get((day, c), {}).get("paid_amount", Decimal(0))
                for c in currencies
            },
        }
        for day in filters.days
    ]
    start = datetime.combine(
        filters.day_from, datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    end = datetime.combine(
        filters.day_to + timedelta(days=1), datetime.min.time(), tzinfo=start.tzinfo
    )
    payouts = Reimbursement.objects.filter(filters.case_q("dispute__")).select_related(
        "dispute", "maker", "approver"
    )
    overrides = payouts.filter(
        ~Q(amount=F("proposed_amount")),
        proposed_amount__isnull=False,
        created_at__gte=start,
        created_at__lt=end,
    ).order_by("-created_at")
    waiting = payouts.filter(status=Reimbursement.Status.PENDING_APPROVAL)
    waiting_counts = bucketed(waiting, "created_at", None, now)[None]
    return MoneyDashboard(
        by_claim_type=rows("claim_type"),
        by_marketplace=rows("marketplace"),
        by_day=by_day,
        overrides=list(overrides[:LIST_LIMIT]),
        approvals_waiting=list(waiting.order_by("created_at")[:LIST_LIMIT]),
        approvals_by_age=[
            {"bucket": label, "count": waiting_counts[label]} for label, _ in AGE_BUCKETS
        ],
    )
