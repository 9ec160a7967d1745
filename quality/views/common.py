"""What every dashboard page shares: who may open it, labels, charts, CSV tables, the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.csv_stream import csv_response
from disputes.check_codes import RootCause
from disputes.claim_types import ClaimTypeCode
from disputes.views.common import staff_with
from sellers.models import Marketplace

LABELS = {
    "claim_type": dict(ClaimTypeCode.choices),
    "root_cause": dict(RootCause.choices),
    "marketplace": dict(Marketplace.choices),
}


def labelled(rows: list[dict], by: str) -> list[dict]:
    """Each row with `label`: the words for its code (a claim type's name, not its code)."""
    names = LABELS.get(by, {})
    for row in rows:
        row["label"] = str(names.get(row[by], row[by]))
    return rows


# Chart colours, in order: readable on white and told apart by most colour-blind readers.
PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#84cc16", "#64748b"]


team_pages = staff_with(
    "disputes.review_quality",
    gettext_lazy("The team dashboards are for team leads and QA reviewers."),
)
own_page = staff_with(
    "disputes.work_dispute", gettext_lazy("This page shows a specialist's own numbers.")
)


def day_label(value: date) -> str:
    return date_format(value, "M d")


def chart_config(
    kind: str,
    labels: list,
    series: dict[str, list],
    *,
    stacked=False,
    percent=False,
    top: int | None = None,
):
    """A Chart.js configuration (data and the few options the pages vary); `top` fixes the
    value axis's end (a percentage's is 100)."""
    return {
        "type": kind,
        "stacked": stacked,
        "percent": percent,
        "max": 100 if percent else top,
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": str(name),
                    "data": values,
                    "backgroundColor": PALETTE[n % len(PALETTE)],
                    "borderColor": PALETTE[n % len(PALETTE)],
                }
                for n, (name, values) in enumerate(series.items())
            ],
        },
    }


def export_table(
    request: HttpRequest, tables: dict[str, Callable[[], tuple[list, list]]], page: str
):
    """`?export=name` answers that table as CSV; an unknown name is a 404."""
    name = request.GET.get("export")
    if name not in tables:
        raise Http404(_("There is no such table to download."))
    header, rows = tables[name]()
    return csv_response([header, *rows], filename=f"{page}-{name}.csv")


def dashboard_page(request, template, form, filters, context, tables, page):
    if "export" in request.GET:
        return export_table(request, tables, page)
    return render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "nav": "dashboards",
            "tab": page,
            "query": request.GET.copy().urlencode(),
            **context,
        },
    )
