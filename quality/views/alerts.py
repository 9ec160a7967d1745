"""The trend alerts page, and a team lead acknowledging an alert."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound
from core.pagination import paginate_keyset
from quality.alerts import NOTE_MAX_LENGTH, acknowledge_alert
from quality.permissions import can_acknowledge_alerts
from quality.selectors import alerts as alert_selectors
from quality.views.common import (
    PALETTE,
    chart_config,
    day_label,
    team_pages,
)

# --- trend alerts -------------------------------------------------------------------------------

ALERTS_PAGE_SIZE = 25


def _alert_chart(alert) -> dict:
    """The key's disputes filed on each baseline day, then in the alert's window, beside the
    count expected."""
    history = alert_selectors.alert_history(alert)
    per_day = alert.baseline_filed / len(history) if history else 0.0
    hours = round((alert.window_end - alert.window_start).total_seconds() / 3600)
    chart = chart_config(
        "bar",
        [*[day_label(day) for day, _filed in history], _("Last %(hours)s h") % {"hours": hours}],
        {
            _("Disputes filed"): [filed for _day_, filed in history] + [alert.observed],
            _("Expected"): [round(per_day, 2)] * len(history) + [round(alert.expected, 2)],
        },
    )
    filed, expected = chart["data"]["datasets"]
    filed.update(backgroundColor=[PALETTE[0]] * len(history) + [PALETTE[3]], order=1)
    line = {"type": "line", "order": 0, "pointRadius": 0, "borderWidth": 2}
    expected.update(line, borderColor="#111827", backgroundColor="#111827")
    return chart


def _selected_alert(value: str | None, open_alerts: list):
    """The alert whose history is drawn: the one asked for, else the newest open one."""
    if not value:
        return open_alerts[0] if open_alerts else None
    if not value.isdigit():
        raise Http404(_("There is no such alert."))
    for alert in open_alerts:
        if alert.pk == int(value):
            return alert
    try:
        return alert_selectors.get_alert(alert_id=int(value), with_cases=True)
    except NotFound as error:
        raise Http404(error.message) from error


@require_GET
@team_pages
def alerts(request: HttpRequest) -> HttpResponse:
    open_alerts = alert_selectors.list_open_alerts()
    acknowledged = alert_selectors.list_acknowledged_alerts()
    order, size = alert_selectors.ACKNOWLEDGED_ORDER, ALERTS_PAGE_SIZE
    try:
        cursor = request.GET.get("cursor")
        page = paginate_keyset(acknowledged, ordering=order, cursor=cursor, page_size=size)
    except DomainError:  # a stale or edited page link: the first page
        page = paginate_keyset(acknowledged, ordering=order, cursor=None, page_size=size)
    selected = _selected_alert(request.GET.get("alert"), open_alerts)
    query = request.GET.copy()  # the dashboards' filters, kept for the other tabs
    for name in ("alert", "cursor"):
        query.pop(name, None)
    return render(
        request,
        "quality/alerts.html",
        {
            "nav": "dashboards",
            "tab": "alerts",
            "query": query.urlencode(),
            "open_alerts": open_alerts,
            "page": page,
            "selected": selected,
            "alert_chart": _alert_chart(selected) if selected else None,
            "can_acknowledge": can_acknowledge_alerts(request.user),
            "note_max_length": NOTE_MAX_LENGTH,
            "window_hours": settings.ARBITER["TREND_WINDOW_HOURS"],
            "baseline_days": settings.ARBITER["TREND_BASELINE_DAYS"],
        },
    )


@require_POST
@team_pages
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = alert_selectors.get_alert(alert_id=alert_id)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        acknowledge_alert(alert=alert, by=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Alert acknowledged: %(what)s %(key)s.")
            % {"what": alert.get_dimension_display(), "key": alert.key_label},
        )
    return redirect(f"{reverse('quality:alerts')}?alert={alert.pk}")
