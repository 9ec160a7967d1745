"""What the trend alert pages read: open alerts with their cases, acknowledged ones a page at a
time, one alert's daily history from the rollups. A fixed number of queries each."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from core.errors import NotFound
from disputes.models import Dispute
from quality.models import DailyRollup, TrendAlert

OPEN_LIMIT = 100  # at most one open alert per key: a hundred is already a very bad day
ACKNOWLEDGED_ORDER = ("-acknowledged_at", "-id")


def _with_cases(query: QuerySet[TrendAlert]) -> QuerySet[TrendAlert]:
    return query.prefetch_related(
        Prefetch(
            "disputes",
            queryset=Dispute.objects.only("pk", "reference", "created_at").order_by(
                "created_at", "pk"
            ),
        )
    )


def count_open_alerts() -> int:
    """The navigation's badge: one query on the open alerts' partial unique index."""
    return TrendAlert.objects.filter(acknowledged_at__isnull=True).count()


def list_open_alerts(*, limit: int = OPEN_LIMIT, with_cases: bool = True) -> list[TrendAlert]:
    """Open alerts, newest first, with the cases behind each when asked (two queries)."""
    query = TrendAlert.objects.filter(acknowledged_at__isnull=True).order_by("-raised_at", "-id")
    return list((_with_cases(query) if with_cases else query)[:limit])


def list_acknowledged_alerts() -> QuerySet[TrendAlert]:
    """Acknowledged alerts for keyset pages in ACKNOWLEDGED_ORDER (indexed)."""
    return TrendAlert.objects.filter(acknowledged_at__isnull=False).select_related(
        "acknowledged_by"
    )


def get_alert(*, alert_id: int, with_cases: bool = False) -> TrendAlert:
    query = TrendAlert.objects.select_related("acknowledged_by").filter(pk=alert_id)
    alert = (_with_cases(query) if with_cases else query).first()
    if alert is None:
        raise NotFound(_("There is no trend alert %(id)s.") % {"id": alert_id})
    return alert


def alert_history(alert: TrendAlert) -> list[tuple[date, int]]:
    """The alert's key's disputes filed per day over its baseline days, from the rollups (one
    query): what its window was compared with."""
    rows = (
        DailyRollup.objects.covering([alert.dimension])
        .filter(
            day__gte=alert.baseline_from,
            day__lte=alert.baseline_to,
            **{alert.dimension: alert.key},
        )
        .values("day")
        .order_by()
        .annotate(filed=Sum("filed"))
    )
    filed = {row["day"]: row["filed"] for row in rows}
    days = (alert.baseline_to - alert.baseline_from).days + 1
    return [
        (day, filed.get(day, 0))
        for day in (alert.baseline_from + timedelta(days=n) for n in range(days))
    ]
