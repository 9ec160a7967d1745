"""The productivity dashboard: decisions, handle time, first contact, appeals."""

from __future__ import annotations

from dataclasses import dataclass

from quality.selectors.common import (
    DashboardFilters,
    Rollups,
    ratio,
    user_names,
)
from quality.selectors.qa import SpecialistQA, qa_figures

# --- productivity -------------------------------------------------------------------------------

PRODUCTIVITY = (
    "decided",
    "appeal_decided",
    "first_contact",
    "appealed",
    "overturned",
    "handled",
    "handle_seconds",
)


@dataclass
class ProductivityDashboard:
    decided_by_day: list[dict]  # day, then decided per specialist (by name)
    specialists: list[dict]  # each with "qa": the SpecialistQA of the days, or None
    totals: dict


def productivity_dashboard(filters: DashboardFilters) -> ProductivityDashboard:
    rollups = Rollups(filters)
    per_day = rollups.totals(["day", "specialist_pk"], ["decided"])
    per_specialist = {
        pk: figures
        for (pk,), figures in rollups.totals(["specialist_pk"], PRODUCTIVITY).items()
        if pk  # figures with no specialist (filings, unassigned breaches) are not anyone's work
    }
    names = user_names(per_specialist)
    # QA figures by the day the score was given, for the specialists listed (1 query).
    qa: dict[int, SpecialistQA] = {
        row.specialist_id: row
        for row in (
            qa_figures(
                start=filters.day_from,
                end=filters.day_to,
                specialist_ids=list(per_specialist),
                pending=rollups.delta,
            )
            if per_specialist
            else []
        )
    }
    specialists = sorted(
        (
            _productivity(
                {"specialist_pk": pk, "specialist": names.get(pk, "—"), "qa": qa.get(pk)},
                figures,
            )
            for pk, figures in per_specialist.items()
        ),
        key=lambda row: (-row["decided"], row["specialist"]),
    )
    decided_by_day = [
        {
            "day": day,
            "counts": {
                names.get(pk, "—"): per_day.get((day, pk), {}).get("decided", 0)
                for pk in per_specialist
            },
        }
        for day in filters.days
    ]
    overall = {name: sum(f[name] for f in per_specialist.values()) for name in PRODUCTIVITY}
    return ProductivityDashboard(
        decided_by_day=decided_by_day,
        specialists=specialists,
        totals=_productivity({"specialist": ""}, overall),
    )


def _productivity(row: dict, figures: dict) -> dict:
    first_decisions = figures["decided"] - figures["appeal_decided"]
    return {
        **row,
        "decided": figures["decided"],
        "handle_hours": round(figures["handle_seconds"] / figures["handled"] / 3600, 1)
        if figures["handled"]
        else None,
        "first_contact_rate": ratio(figures["first_contact"], first_decisions),
        "appeal_rate": ratio(figures["appealed"], first_decisions),
        "overturn_rate": ratio(figures["overturned"], figures["appeal_decided"]),
        "appealed": figures["appealed"],
        "overturned": figures["overturned"],
    }
