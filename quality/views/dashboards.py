"""The service, productivity, money, defects and quality dashboards, and a specialist's own
numbers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from quality import selectors
from quality.filters import DashboardFilterForm
from quality.selectors import alerts as alert_selectors
from quality.selectors import qa_dashboard
from quality.views.common import (
    LABELS,
    chart_config,
    dashboard_page,
    day_label,
    labelled,
    own_page,
    team_pages,
)

PAGE_ROWS, EXPORT_ROWS = 15, 1000


@require_GET
@team_pages
def dashboard_home(request: HttpRequest) -> HttpResponse:
    return redirect("quality:service")


# --- service ------------------------------------------------------------------------------------


@require_GET
@team_pages
def service(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    # The page lists the first few cases of each kind; their CSV, up to a thousand.
    data = selectors.service_dashboard(
        filters, list_limit=EXPORT_ROWS if "export" in request.GET else PAGE_ROWS
    )
    buckets = [label for label, _age in selectors.AGE_BUCKETS][::-1]
    for row in data.backlog:
        row["cells"] = [row[bucket] for bucket in buckets]
    backlog_chart = chart_config(
        "bar",
        [str(row["status"].label) for row in data.backlog],
        {bucket: [row[bucket] for row in data.backlog] for bucket in buckets},
        stacked=True,
    )
    compliance_chart = chart_config(
        "line",
        [day_label(row["day"]) for row in data.compliance_by_day],
        {
            _("First response"): [
                row["first_response_compliance"] for row in data.compliance_by_day
            ],
            _("Resolution"): [row["resolution_compliance"] for row in data.compliance_by_day],
        },
        percent=True,
    )
    sla_header = [
        _("First response met"),
        _("First response breached"),
        _("First response compliance %"),
        _("Resolution met"),
        _("Resolution breached"),
        _("Resolution compliance %"),
    ]
    sla_fields = [
        "first_response_met",
        "first_response_breached",
        "first_response_compliance",
        "resolution_met",
        "resolution_breached",
        "resolution_compliance",
    ]
    tables = {
        "backlog": lambda: (
            [_("Status"), *buckets, _("Total")],
            [
                [row["status"].label, *[row[b] for b in buckets], row["total"]]
                for row in data.backlog
            ],
        ),
        "sla-by-day": lambda: (
            [_("Day"), *sla_header],
            [
                [row["day"].isoformat(), *[row[f] for f in sla_fields]]
                for row in data.compliance_by_day
            ],
        ),
        "sla-by-queue": lambda: (
            [_("Queue"), *sla_header],
            [[row["queue"], *[row[f] for f in sla_fields]] for row in data.compliance_by_queue],
        ),
        "breaches-today": lambda: (
            [_("Case"), _("Deadline"), _("Breached at"), _("Queue"), _("Assignee")],
            [
                [
                    e.dispute.reference,
                    e.data.get("deadline", ""),
                    e.created_at.isoformat(),
                    e.dispute.queue.name if e.dispute.queue else "",
                    e.dispute.assignee.get_username() if e.dispute.assignee else "",
                ]
                for e in data.breached_cases
            ],
        ),
        "due-soon": lambda: (
            [_("Case"), _("Status"), _("Due"), _("Queue"), _("Assignee")],
            [
                [
                    d.reference,
                    d.get_status_display(),
                    d.sla_next_deadline_at.isoformat(),
                    d.queue.name if d.queue else "",
                    d.assignee.get_username() if d.assignee else "",
                ]
                for d in data.due_soon
            ],
        ),
        "awaiting-seller": lambda: (
            [_("Case"), _("Seller"), _("Waiting since"), _("Seller's deadline")],
            [
                [
                    d.reference,
                    d.seller.name,
                    d.sla_paused_at.isoformat() if d.sla_paused_at else "",
                    d.seller_response_due_at.isoformat() if d.seller_response_due_at else "",
                ]
                for d in data.awaiting_oldest
            ],
        ),
    }
    context = {
        "data": data,
        "buckets": buckets,
        "open_alerts": alert_selectors.list_open_alerts(limit=5, with_cases=False),
        "open_alert_count": alert_selectors.count_open_alerts(),
        "backlog_chart": backlog_chart,
        "compliance_chart": compliance_chart,
        "awaiting_chart": chart_config(
            "bar",
            [row["bucket"] for row in data.awaiting][::-1],
            {_("Cases"): [row["count"] for row in data.awaiting][::-1]},
        ),
    }
    return dashboard_page(
        request, "quality/service.html", form, filters, context, tables, "service"
    )


# --- productivity -------------------------------------------------------------------------------

PRODUCTIVITY_HEADER = [
    gettext_lazy("Specialist"),
    gettext_lazy("Decided"),
    gettext_lazy("Average handle time (business hours)"),
    gettext_lazy("First-contact resolution %"),
    gettext_lazy("Appealed"),
    gettext_lazy("Appeal rate %"),
    gettext_lazy("Overturned on appeal"),
    gettext_lazy("Appeal overturn rate %"),
    gettext_lazy("QA reviews"),
    gettext_lazy("Average QA score"),
    gettext_lazy("Critical failures"),
]
QA_MONEY_HEADER = [
    gettext_lazy("Specialist"),
    gettext_lazy("Currency"),
    gettext_lazy("Reviewed amount"),
    gettext_lazy("Money error (net)"),
    gettext_lazy("Money error (gross)"),
    gettext_lazy("Financial accuracy %"),
]


def qa_money_table(specialists: list[dict]) -> tuple[list, list]:
    """Financial accuracy per specialist and currency, as CSV: the productivity page's and the
    quality page's (rows with a name and their SpecialistQA under "qa")."""
    return (
        [str(h) for h in QA_MONEY_HEADER],
        [
            [
                row["specialist"],
                money.currency,
                money.reviewed_amount,
                money.money_error,
                money.money_error_gross,
                money.accuracy_percent if money.accuracy_percent is not None else "",
            ]
            for row in specialists
            if row["qa"]
            for money in row["qa"].money
        ],
    )


def _qa_cells(qa) -> list:
    if qa is None:
        return [0, "", 0]
    return [
        qa.reviews,
        qa.average_score if qa.average_score is not None else "",
        qa.critical_failures,
    ]


PRODUCTIVITY_FIELDS = [
    "specialist",
    "decided",
    "handle_hours",
    "first_contact_rate",
    "appealed",
    "appeal_rate",
    "overturned",
    "overturn_rate",
]


def _productivity_page(request, form, filters, page, extra=None):
    data = selectors.productivity_dashboard(filters)
    names = [row["specialist"] for row in data.specialists]
    chart = chart_config(
        "bar",
        [day_label(row["day"]) for row in data.decided_by_day],
        {name: [row["counts"].get(name, 0) for row in data.decided_by_day] for name in names},
        stacked=True,
    )
    tables = {
        "specialists": lambda: (
            [str(h) for h in PRODUCTIVITY_HEADER],
            [
                [*[row[f] for f in PRODUCTIVITY_FIELDS], *_qa_cells(row["qa"])]
                for row in data.specialists
            ],
        ),
        "qa-money": lambda: qa_money_table(data.specialists),
        "decided-per-day": lambda: (
            [_("Day"), *names],
            [
                [row["day"].isoformat(), *[row["counts"].get(n, 0) for n in names]]
                for row in data.decided_by_day
            ],
        ),
    }
    context = {"data": data, "decided_chart": chart, **(extra or {})}
    return dashboard_page(
        request, "quality/productivity.html", form, filters, context, tables, page
    )


@require_GET
@team_pages
def productivity(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    return _productivity_page(request, form, form.filters(), "productivity")


@require_GET
@own_page
def my_numbers(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None, own_only=request.user)
    recent = {"recent_reviews": selectors.list_reviews_of(specialist=request.user)}
    return _productivity_page(request, form, form.filters(), "mine", recent)


# --- money --------------------------------------------------------------------------------------


@require_GET
@team_pages
def money(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    data = selectors.money_dashboard(filters)
    labelled(data.by_claim_type, "claim_type")
    labelled(data.by_marketplace, "marketplace")
    currencies = sorted({c for row in data.by_day for c in row["paid"]})
    money_header = [
        _("Currency"),
        _("Payouts paid"),
        _("Paid"),
        _("Reversals completed"),
        _("Reversed"),
        _("Net"),
        _("Overrides of the proposal"),
    ]
    money_fields = [
        "currency",
        "payouts_paid",
        "paid_amount",
        "reversals_completed",
        "reversed_amount",
        "net_amount",
        "payout_overrides",
    ]
    tables = {
        "by-claim-type": lambda: (
            [_("Claim type"), *money_header],
            [[row["label"], *[row[f] for f in money_fields]] for row in data.by_claim_type],
        ),
        "by-marketplace": lambda: (
            [_("Marketplace"), *money_header],
            [[row["label"], *[row[f] for f in money_fields]] for row in data.by_marketplace],
        ),
        "overrides": lambda: (
            [
                _("Payout"),
                _("Case"),
                _("Proposed"),
                _("Amount"),
                _("Currency"),
                _("Maker"),
                _("Approved by"),
                _("Reason"),
            ],
            [
                [
                    r.reference,
                    r.dispute.reference,
                    r.proposed_amount,
                    r.amount,
                    r.currency,
                    r.maker.get_username(),
                    r.approver.get_username() if r.approver else "",
                    r.maker_reason,
                ]
                for r in data.overrides
            ],
        ),
        "approvals-waiting": lambda: (
            [_("Payout"), _("Case"), _("Amount"), _("Currency"), _("Maker"), _("Waiting since")],
            [
                [
                    r.reference,
                    r.dispute.reference,
                    r.amount,
                    r.currency,
                    r.maker.get_username(),
                    r.created_at.isoformat(),
                ]
                for r in data.approvals_waiting
            ],
        ),
    }
    context = {
        "data": data,
        "paid_chart": chart_config(
            "bar",
            [day_label(row["day"]) for row in data.by_day],
            {c: [float(row["paid"][c]) for row in data.by_day] for c in currencies},
        ),
    }
    return dashboard_page(request, "quality/money.html", form, filters, context, tables, "money")


# --- defects ------------------------------------------------------------------------------------


@require_GET
@team_pages
def defects(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    data = selectors.defects_dashboard(filters)
    types = sorted({t for row in data.by_day for t in row["filed"]})
    labels = LABELS["claim_type"]
    for by in ("claim_type", "root_cause", "fulfillment_center", "carrier"):
        labelled(getattr(data, f"by_{by}"), by)
    header = [_("Filed"), _("Decided"), _("Confirmed"), _("Denied"), _("Confirmed %")]
    fields = ["filed", "decided", "confirmed", "denied", "confirmed_rate"]

    def table(title: str, rows: list[dict]):
        return lambda: (
            [title, *header],
            [[row["label"], *[row[f] for f in fields]] for row in rows],
        )

    sellers_header = [_("Seller"), _("Seller id"), _("Filed"), _("Denied"), _("Invalid %")]

    def sellers(rows):
        return lambda: (
            sellers_header,
            [
                [
                    r["seller"].name,
                    r["seller"].seller_id,
                    r["filed"],
                    r["denied"],
                    r["invalid_rate"],
                ]
                for r in rows
            ],
        )

    tables = {
        "by-claim-type": table(_("Claim type"), data.by_claim_type),
        "by-root-cause": table(_("Root cause"), data.by_root_cause),
        "by-fulfillment-center": table(_("Fulfilment centre"), data.by_fulfillment_center),
        "by-carrier": table(_("Carrier"), data.by_carrier),
        "top-sellers": sellers(data.top_sellers_by_disputes),
        "top-invalid": sellers(data.top_sellers_by_invalid),
    }
    context = {
        "data": data,
        "filed_chart": chart_config(
            "bar",
            [day_label(row["day"]) for row in data.by_day],
            {str(labels.get(t, t)): [row["filed"][t] for row in data.by_day] for t in types},
            stacked=True,
        ),
    }
    return dashboard_page(
        request, "quality/defects.html", form, filters, context, tables, "defects"
    )


# --- quality ------------------------------------------------------------------------------------

QUALITY_HEADER = [
    gettext_lazy("Specialist"),
    gettext_lazy("QA reviews"),
    gettext_lazy("Average QA score"),
    gettext_lazy("Average QA score, period before"),
    gettext_lazy("Change (points)"),
    gettext_lazy("Critical failures"),
]


@require_GET
@team_pages
def quality(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters()
    data = qa_dashboard.quality_dashboard(filters)

    def points(values) -> list[float | None]:  # a week without reviews is a gap in its line
        return [None if value is None else float(value) for value in values]

    series = {str(_("Team")): points(week.average_score for week in data.weeks)}
    for row in data.specialists:
        pk = row["specialist_pk"]
        series[row["specialist"]] = points(week.by_specialist.get(pk) for week in data.weeks)
    chart = chart_config("line", [day_label(week.monday) for week in data.weeks], series, top=100)

    def score(value):
        return "" if value is None else value

    tables = {
        "specialists": lambda: (
            [str(h) for h in QUALITY_HEADER],
            [
                [
                    row["specialist"],
                    row["qa"].reviews,
                    score(row["qa"].average_score),
                    score(row["previous"].average_score if row["previous"] else None),
                    score(row["change"]),
                    row["qa"].critical_failures,
                ]
                for row in data.specialists
            ],
        ),
        "financial-accuracy": lambda: qa_money_table(data.specialists),
        "weeks": lambda: (
            [_("Week from"), _("QA reviews"), _("Average QA score"), _("Critical failures")],
            [
                [
                    week.monday.isoformat(),
                    week.reviews,
                    score(week.average_score),
                    week.critical_failures,
                ]
                for week in data.weeks
            ],
        ),
    }
    context = {"data": data, "trend_chart": chart}
    return dashboard_page(
        request, "quality/quality.html", form, filters, context, tables, "quality"
    )
