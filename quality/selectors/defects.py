"""The defects dashboard: filings and confirmed defects by claim type, root cause, fulfilment
centre and carrier; the top sellers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from quality.models import SellerDailyRollup
from quality.rollups import SELLER
from quality.selectors.common import (
    DashboardFilters,
    Rollups,
    ratio,
)
from sellers.models import Seller

# --- defects ------------------------------------------------------------------------------------


@dataclass
class DefectsDashboard:
    by_day: list[dict]
    by_claim_type: list[dict]
    by_root_cause: list[dict]
    by_fulfillment_center: list[dict]
    by_carrier: list[dict]
    top_sellers_by_disputes: list[dict]
    top_sellers_by_invalid: list[dict]


CONFIRMED = ("approved", "partially_approved")


def defects_dashboard(filters: DashboardFilters) -> DefectsDashboard:
    rollups = Rollups(filters)
    figures = ("filed", "decided", *CONFIRMED, "denied")

    def rows(by: str) -> list[dict]:
        totals = rollups.totals([by], figures)
        result = []
        for (value,), f in totals.items():
            confirmed = f["approved"] + f["partially_approved"]
            if f["filed"] or f["decided"]:
                result.append(
                    {
                        by: value,
                        "filed": f["filed"],
                        "decided": f["decided"],
                        "confirmed": confirmed,
                        "denied": f["denied"],
                        "confirmed_rate": ratio(confirmed, f["decided"]),
                    }
                )
        return sorted(result, key=lambda row: (-row["filed"], -row["confirmed"], str(row[by])))

    by_day_type = rollups.totals(["day", "claim_type"], ["filed"])
    types = sorted({claim_type for _, claim_type in by_day_type})
    by_day = [
        {"day": day, "filed": {t: by_day_type.get((day, t), {}).get("filed", 0) for t in types}}
        for day in filters.days
    ]
    return DefectsDashboard(
        by_day=by_day,
        by_claim_type=rows("claim_type"),
        by_root_cause=[row for row in rows("root_cause") if row["root_cause"]],
        by_fulfillment_center=[
            row for row in rows("fulfillment_center") if row["fulfillment_center"]
        ],
        by_carrier=[row for row in rows("carrier") if row["carrier"]],
        top_sellers_by_disputes=top_sellers(rollups, "filed"),
        top_sellers_by_invalid=top_sellers(rollups, "denied"),
    )


def top_sellers(rollups: Rollups, figure: str, limit: int = 10) -> list[dict]:
    """The sellers with the most disputes filed (or claims denied) in the days chosen."""
    filters = rollups.filters
    query = SellerDailyRollup.objects.filter(day__gte=filters.day_from, day__lte=filters.day_to)
    if filters.marketplace:
        query = query.filter(seller__marketplace=filters.marketplace)
    totals: dict[int, dict] = {
        row["seller_id"]: {"filed": row["filed"], "denied": row["denied"]}
        for row in query.values("seller_id")
        .annotate(filed=Sum("filed"), denied=Sum("denied"))
        .filter(**{f"{figure}__gt": 0})
        .order_by(f"-{figure}", "seller_id")[: limit * 3]
    }
    for key, changes in rollups.delta.items():  # today, not rolled up yet
        if key[0] == SELLER and filters.day_from <= date.fromisoformat(key[1]) <= filters.day_to:
            row = totals.setdefault(key[2], {"filed": 0, "denied": 0})
            for name, value in changes.items():
                row[name] += value
    ranked = sorted(
        ((pk, row) for pk, row in totals.items() if row[figure] > 0),
        key=lambda item: (-item[1][figure], item[0]),
    )[:limit]
    sellers = Seller.objects.in_bulk([pk for pk, _ in ranked])
    return [
        {
            "seller": sellers[pk],
            "filed": row["filed"],
            "denied": row["denied"],
            "invalid_rate": ratio(row["denied"], row["filed"]),
        }
        for pk, row in ranked
        if pk in sellers
        and (not filters.marketplace or sellers[pk].marketplace == filters.marketplace)
    ]
