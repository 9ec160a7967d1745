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

    dimensions = ("claim_type", "root_cause", "fulfillment_center", "carrier")
    parts = rollups.breakdown([(name,) for name in dimensions], figures)

    def rows(by: str) -> list[dict]:
        totals = parts[(by,)]
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
    by_disputes, by_invalid = top_sellers(rollups)
    return DefectsDashboard(
        by_day=by_day,
        by_claim_type=rows("claim_type"),
        by_root_cause=[row for row in rows("root_cause") if row["root_cause"]],
        by_fulfillment_center=[
            row for row in rows("fulfillment_center") if row["fulfillment_center"]
        ],
        by_carrier=[row for row in rows("carrier") if row["carrier"]],
        top_sellers_by_disputes=by_disputes,
        top_sellers_by_invalid=by_invalid,
    )


def top_sellers(rollups: Rollups, limit: int = 10) -> tuple[list[dict], list[dict]]:
    """The sellers with the most disputes filed, and with the most claims denied, in the days
    chosen: one read of the seller rollups, ranked twice."""
    filters = rollups.filters
    query = SellerDailyRollup.objects.filter(day__gte=filters.day_from, day__lte=filters.day_to)
    if filters.marketplace:
        query = query.filter(seller__marketplace=filters.marketplace)
    totals: dict[int, dict] = {
        row["seller_id"]: {"filed": row["filed"], "denied": row["denied"]}
        for row in query.values("seller_id").annotate(filed=Sum("filed"), denied=Sum("denied"))
    }
    for key, changes in rollups.delta.items():  # today, not rolled up yet
        if key[0] == SELLER and filters.day_from <= date.fromisoformat(key[1]) <= filters.day_to:
            row = totals.setdefault(key[2], {"filed": 0, "denied": 0})
            for name, value in changes.items():
                row[name] += value

    def ranked(figure: str) -> list[tuple[int, dict]]:
        rows = ((pk, row) for pk, row in totals.items() if row[figure] > 0)
        return sorted(rows, key=lambda item: (-item[1][figure], item[0]))[: limit * 2]

    by_disputes, by_invalid = ranked("filed"), ranked("denied")
    sellers = Seller.objects.in_bulk({pk for pk, _ in by_disputes + by_invalid})

    def listed(rows: list[tuple[int, dict]]) -> list[dict]:
        return [
            {
                "seller": sellers[pk],
                "filed": row["filed"],
                "denied": row["denied"],
                "invalid_rate": ratio(row["denied"], row["filed"]),
            }
            for pk, row in rows
            if pk in sellers
            and (not filters.marketplace or sellers[pk].marketplace == filters.marketplace)
        ][:limit]

    return listed(by_disputes), listed(by_invalid)
