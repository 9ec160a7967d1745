"""The weekly report page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quality import reports
from quality.filters import WeeklyReportForm
from quality.views.common import (
    chart_config,
    dashboard_page,
    team_pages,
)

# --- weekly report ------------------------------------------------------------------------------


@require_GET
@team_pages
def weekly(request: HttpRequest) -> HttpResponse:
    form = WeeklyReportForm(request.GET or None)
    report = reports.weekly_report(form.chosen_week(), filters=form.filters())
    days = [date_format(day, "D") for day in report.week.days]

    def per_day(rows: list[tuple[int, int]]) -> dict[str, list[int]]:
        return {
            report.week.label: [now for now, _before in rows],
            report.previous_week.label: [before for _now, before in rows],
        }

    def figure_rows() -> list[list]:
        rows = [
            [str(f.label), f.change.current, f.change.previous, f.change.delta, f.change.percent]
            for f in report.figures
        ]
        for row in report.money:
            for key, label in (("paid", _("Paid")), ("reversed", _("Reversed")), ("net", _("Net"))):
                c = row[key]
                rows.append(
                    [f"{label} ({row['currency']})", c.current, c.previous, c.delta, c.percent]
                )
        rows.append([_("Backlog now"), report.backlog_total, "", "", ""])
        return rows

    header = [_("Figure"), report.week.label, report.previous_week.label]
    tables = {"figures": lambda: ([*header, _("Week on week"), _("Week on week %")], figure_rows())}
    context = {
        "report": report,
        "scope": form.scope(),
        "filed_chart": chart_config("bar", days, per_day(report.filed_by_day)),
        "decided_chart": chart_config("bar", days, per_day(report.decided_by_day)),
    }
    return dashboard_page(
        request, "quality/weekly.html", form, report.filters, context, tables, "weekly"
    )
