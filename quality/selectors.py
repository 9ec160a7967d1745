"""What the dashboards read: the daily rollups for figures over days (plus what the next rollup
run will add, counted live), and indexed live reads for what is true right now (the backlog,
cases due, approvals waiting). Every function runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from disputes.models import CaseEvent, Dispute, Queue
from disputes.status import Status
from quality.models import DailyRollup, SellerDailyRollup
from quality.rollups import CASE, SELLER, pending_delta
from reimbursements.models import Reimbursement
from sellers.models import Seller

User = get_user_model()

BACKLOG_STATUSES = (
    Status.SUBMITTED,
    Status.OPEN,
    Status.IN_REVIEW,
    Status.AWAITING_SELLER,
    Status.ESCALATED,
    Status.APPEALED,
)
# (label, at least this old): the backlog's and the waiting cases' age buckets.
AGE_BUCKETS = (
    ("14d+", timedelta(days=14)),
    ("7–14d", timedelta(days=7)),
    ("3–7d", timedelta(days=3)),
    ("1–3d", timedelta(days=1)),
    ("<1d", timedelta(0)),
)
DUE_SOON = timedelta(hours=8)
LIST_LIMIT = 50


@dataclass(frozen=True)
class DashboardFilters:
    """What a team lead narrowed the dashboard to. `team` is a queue whose members' work is
    shown; `queue` narrows to the cases of a queue."""

    day_from: date
    day_to: date
    team: Queue | None = None
    queue: Queue | None = None
    specialist_pk: int | None = None
    marketplace: str = ""
    claim_type: str = ""
    team_member_pks: frozenset[int] = field(default_factory=frozenset)

    @property
    def days(self) -> list[date]:
        return [
            self.day_from + timedelta(days=n) for n in range((self.day_to - self.day_from).days + 1)
        ]

    def rollup_q(self) -> Q:
        q = Q(day__gte=self.day_from, day__lte=self.day_to)
        if self.queue is not None:
            q &= Q(queue_pk=self.queue.pk)
        if self.specialist_pk:
            q &= Q(specialist_pk=self.specialist_pk)
        if self.team is not None:
            q &= Q(specialist_pk__in=self.team_member_pks)
        if self.marketplace:
            q &= Q(marketplace=self.marketplace)
        if self.claim_type:
            q &= Q(claim_type=self.claim_type)
        return q

    def rollup_key_matches(self, row: dict) -> bool:
        """The same test as rollup_q, for a row counted live (not in the table yet)."""
        return (
            self.day_from <= row["day"] <= self.day_to
            and (self.queue is None or row["queue_pk"] == self.queue.pk)
            and (not self.specialist_pk or row["specialist_pk"] == self.specialist_pk)
            and (self.team is None or row["specialist_pk"] in self.team_member_pks)
            and (not self.marketplace or row["marketplace"] == self.marketplace)
            and (not self.claim_type or row["claim_type"] == self.claim_type)
        )

    def case_q(self, prefix: str = "") -> Q:
        """The filters on live case rows (the backlog, due and waiting cases)."""
        q = Q()
        if self.queue is not None:
            q &= Q(**{f"{prefix}queue": self.queue})
        if self.specialist_pk:
            q &= Q(**{f"{prefix}assignee_id": self.specialist_pk})
        if self.team is not None:
            q &= Q(**{f"{prefix}assignee_id__in": self.team_member_pks})
        if self.marketplace:
            q &= Q(**{f"{prefix}seller__marketplace": self.marketplace})
        if self.claim_type:
            q &= Q(**{f"{prefix}claim_type": self.claim_type})
        return q


class Rollups:
    """Sums of the daily rollups under the filters, with what is not rolled up yet added."""

    def __init__(self, filters: DashboardFilters):
        self.filters = filters

    @cached_property
    def delta(self) -> dict:
        """What the next rollup run will add, counted once per page."""
        return pending_delta()

    @cached_property
    def _pending(self) -> list[tuple[dict, dict]]:
        rows = []
        for key, changes in self.delta.items():
            if key[0] != CASE:
                continue
            row = dict(zip(DailyRollup.KEY, (date.fromisoformat(key[1]), *key[2:]), strict=True))
            if self.filters.rollup_key_matches(row):
                rows.append((row, changes))
        return rows

    def totals(self, by: Iterable[str], figures: Iterable[str]) -> dict[tuple, dict]:
        """{(value of each `by` field): {figure: sum}} over the filtered days."""
        by, figures = tuple(by), tuple(figures)
        query = DailyRollup.objects.filter(self.filters.rollup_q())
        if by:
            query = query.values(*by).order_by()
            rows = query.annotate(**{name: Sum(name) for name in figures})
        else:
            rows = [query.aggregate(**{name: Sum(name) for name in figures})]
        totals: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(figures, 0))
        for row in rows:
            key = tuple(row[name] for name in by)
            for name in figures:
                totals[key][name] += row[name] or 0
        for row, changes in self._pending:
            key = tuple(row[name] for name in by)
            for name in figures:
                if name in changes:
                    totals[key][name] += changes[name]
        return dict(totals)

    def total(self, figures: Iterable[str]) -> dict:
        figures = tuple(figures)
        return self.totals((), figures).get((), dict.fromkeys(figures, 0))


def ratio(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _labels(model, pks: Iterable[int], label) -> dict[int, str]:
    pks = {pk for pk in pks if pk}
    return {obj.pk: label(obj) for obj in model.objects.filter(pk__in=pks)} if pks else {}


def queue_names(pks: Iterable[int]) -> dict[int, str]:
    return _labels(Queue, pks, lambda queue: queue.name)


def user_names(pks: Iterable[int]) -> dict[int, str]:
    return _labels(User, pks, lambda user: user.get_full_name() or user.get_username())


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


def _age_bucket(column: str, now: datetime) -> Case:
    return Case(
        *[When(**{f"{column}__lte": now - age}, then=Value(label)) for label, age in AGE_BUCKETS],
        default=Value(AGE_BUCKETS[-1][0]),
        output_field=CharField(),
    )


def _bucketed(query: QuerySet, column: str, group: str | None, now: datetime) -> dict:
    values = [group] if group else []
    rows = query.annotate(bucket=_age_bucket(column, now)).values(*values, "bucket").order_by()
    counts: dict = defaultdict(lambda: dict.fromkeys([label for label, _ in AGE_BUCKETS], 0))
    for row in rows.annotate(n=Count("pk")):
        counts[row[group] if group else None][row["bucket"]] = row["n"]
    return counts


def service_dashboard(
    filters: DashboardFilters, *, now: datetime | None = None
) -> ServiceDashboard:
    now = now or timezone.now()
    live = Dispute.objects.filter(filters.case_q())
    backlog_counts = _bucketed(
        live.filter(status__in=BACKLOG_STATUSES), "created_at", "status", now
    )
    backlog = [
        {
            "status": Status(status),
            **backlog_counts[status],
            "total": sum(backlog_counts[status].values()),
        }
        for status in BACKLOG_STATUSES
        if status in backlog_counts
    ]
    rollups = Rollups(filters)
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
    waiting_counts = _bucketed(waiting, "sla_paused_at", None, now)[None]
    return ServiceDashboard(
        backlog=backlog,
        compliance_by_day=compliance_by_day,
        compliance_by_queue=compliance_by_queue,
        breaches_today=breached.count(),
        breached_cases=list(
            breached.select_related("dispute", "dispute__queue", "dispute__assignee").order_by(
                "-created_at"
            )[:LIST_LIMIT]
        ),
        due_soon=list(
            due.select_related("queue", "assignee").order_by("sla_next_deadline_at")[:LIST_LIMIT]
        ),
        due_soon_count=due.count(),
        awaiting=[{"bucket": label, "count": waiting_counts[label]} for label, _ in AGE_BUCKETS],
        awaiting_oldest=list(
            waiting.select_related("seller", "assignee").order_by("sla_paused_at")[:LIST_LIMIT]
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
    specialists: list[dict]
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
    specialists = sorted(
        (
            _productivity({"specialist_pk": pk, "specialist": names.get(pk, "—")}, figures)
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

    def rows(by: str) -> list[dict]:
        totals = rollups.totals([by, "currency"], MONEY)
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

    by_day_totals = rollups.totals(["day", "currency"], ("paid_amount", "reversed_amount"))
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
    waiting_counts = _bucketed(waiting, "created_at", None, now)[None]
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
