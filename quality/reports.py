"""The weekly report: one ISO week's figures (Monday to Sunday) against the week before, read
from the daily rollups like the dashboards, plus the backlog as it is now.

Both weeks are read in one pass over the fourteen days (`Rollups.totals` by day), so the
report runs a fixed number of queries whatever the number of cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from disputes.check_codes import RootCause
from disputes.claim_types import ClaimTypeCode
from disputes.status import Outcome, Status
from quality.selectors import BACKLOG_STATUSES, DashboardFilters, Rollups, ratio

TOP = 5
WEEK_FORMAT = re.compile(r"(\d{4})-W(\d{1,2})")

Number = int | float | Decimal


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: Monday to Sunday, written 2026-W47 (the value of an <input type=week>)."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Week:
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, text: str) -> Week:
        """2026-W47 → Week(2026, 47); ValueError for anything else or a week the year lacks."""
        match = WEEK_FORMAT.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not an ISO week: {text!r}")
        week = cls(int(match[1]), int(match[2]))
        date.fromisocalendar(week.year, week.number, 1)  # week 53 only in some years
        return week

    @classmethod
    def last_complete(cls, today: date | None = None) -> Week:
        """The week that ended on the last Sunday before today."""
        return cls.of((today or timezone.localdate()) - timedelta(days=7))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def previous(self) -> Week:
        return Week.of(self.monday - timedelta(days=7))

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Change:
    """A figure this week and the week before. Rates (percentages) change in points; counts
    and amounts also by a percentage of the week before (none when that was zero)."""

    current: Number | None
    previous: Number | None
    rate: bool = False
    better: str = ""  # "up" or "down": which way is good news, for the colour; "" neither

    @property
    def delta(self) -> Number | None:
        if self.current is None or self.previous is None:
            return None
        delta = self.current - self.previous
        return round(delta, 1) if isinstance(delta, float) else delta

    @property
    def percent(self) -> float | None:
        if self.rate or self.delta is None or not self.previous:
            return None
        return round(100 * float(self.delta) / float(self.previous), 1)

    @property
    def direction(self) -> str:
        """up, down or same; "" when either week has no such figure (a rate of nothing)."""
        if self.delta is None:
            return ""
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def arrow(self) -> str:
        return {"up": "▲", "down": "▼", "same": "="}.get(self.direction, "")

    @property
    def tone(self) -> str:
        """good, bad or "" (no change, or a figure that is neither)."""
        if not self.better or self.direction in ("", "same"):
            return ""
        return "good" if self.direction == self.better else "bad"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    change: Change
    unit: str = ""  # "%" for rates, "h" for hours


@dataclass
class WeeklyReport:
    week: Week
    previous_week: Week
    filters: DashboardFilters  # the chosen week's days and whatever else was chosen
    figures: list[Figure]
    money: list[dict]  # currency, then a Change for each of paid, reversed, net, payouts
    top_claim_types: list[dict]  # code, label, change (filed)
    top_fulfillment_centers: list[dict]  # code, label, change (filed)
    top_root_causes: list[dict]  # code, label, change (confirmed: approved in full or part)
    filed_by_day: list[tuple[int, int]]  # Monday first: (this week, the week before)
    decided_by_day: list[tuple[int, int]]
    backlog: list[dict]  # status, count: open cases now
    generated_at: datetime | None = None

    @property
    def backlog_total(self) -> int:
        return sum(row["count"] for row in self.backlog)

    @property
    def is_empty(self) -> bool:
        return not any(
            figure.change.current or figure.change.previous
            for figure in self.figures
            if not figure.change.rate
        )

    @property
    def top_lists(self) -> list[tuple[str, Promise, list[dict]]]:
        """(id, title, rows) of the three top lists."""
        return [
            ("top-claim-types", _("By claim type"), self.top_claim_types),
            ("top-fulfillment-centers", _("By fulfilment centre"), self.top_fulfillment_centers),
            ("top-root-causes", _("Confirmed root causes"), self.top_root_causes),
        ]

    @property
    def by_key(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}


COUNTED = (
    "filed",
    "decided",
    "approved",
    "partially_approved",
    "denied",
    "appeal_decided",
    "first_contact",
    "appealed",
    "overturned",
    "handled",
    "handle_seconds",
    "first_response_met",
    "first_response_breached",
    "resolution_met",
    "resolution_breached",
)
MONEY = ("paid_amount", "reversed_amount", "payouts_paid", "reversals_completed")


def _rates(f: dict) -> dict:
    """The dashboards' rates (productivity and service), from one week's sums."""
    first_decisions = f["decided"] - f["appeal_decided"]
    first_response = f["first_response_met"] + f["first_response_breached"]
    resolution = f["resolution_met"] + f["resolution_breached"]
    return {
        **f,
        "first_contact_rate": ratio(f["first_contact"], first_decisions),
        "appeal_rate": ratio(f["appealed"], first_decisions),
        "overturn_rate": ratio(f["overturned"], f["appeal_decided"]),
        "handle_hours": round(f["handle_seconds"] / f["handled"] / 3600, 1)
        if f["handled"]
        else None,
        "first_response_compliance": ratio(f["first_response_met"], first_response),
        "resolution_compliance": ratio(f["resolution_met"], resolution),
    }


# (key, label, is a rate, which way is good, unit): the report's figures, in its order.
FIGURES = (
    ("filed", _("Disputes filed"), False, "", ""),
    ("decided", _("Cases decided"), False, "up", ""),
    ("approved", Outcome.APPROVED.label, False, "", ""),
    ("partially_approved", Outcome.PARTIALLY_APPROVED.label, False, "", ""),
    ("denied", Outcome.DENIED.label, False, "", ""),
    ("first_contact_rate", _("First-contact resolution"), True, "up", "%"),
    ("appeal_rate", _("Appeal rate"), True, "down", "%"),
    ("overturn_rate", _("Appeal overturn rate"), True, "down", "%"),
    ("handle_hours", _("Average handle time (business hours)"), False, "down", "h"),
    ("first_response_compliance", _("SLA met: first response"), True, "up", "%"),
    ("resolution_compliance", _("SLA met: resolution"), True, "up", "%"),
)


def weekly_report(
    week: Week | None = None, *, filters: DashboardFilters | None = None
) -> WeeklyReport:
    """The week's figures against the week before. `filters` narrows to a team, queue,
    specialist, marketplace or claim type; its days are replaced by the two weeks'."""
    week = week or Week.last_complete()
    before = week.previous()
    base = filters or DashboardFilters(day_from=week.monday, day_to=week.sunday)
    rollups = Rollups(replace(base, day_from=before.monday, day_to=week.sunday))

    def split(totals: dict[tuple, dict], names) -> tuple[dict, dict]:
        """{rest of key: sums} for this week and for the week before."""
        weeks: tuple[dict, dict] = ({}, {})
        for (day, *rest), figures in totals.items():
            side = weeks[0] if day >= week.monday else weeks[1]
            sums = side.setdefault(tuple(rest), dict.fromkeys(names, 0))
            for name in names:
                sums[name] += figures[name]
        return weeks

    by_day = rollups.totals(["day"], COUNTED)
    now, then = split(by_day, COUNTED)
    now = _rates(now.get((), dict.fromkeys(COUNTED, 0)))
    then = _rates(then.get((), dict.fromkeys(COUNTED, 0)))
    figures = [
        Figure(key, label, Change(now[key], then[key], rate=rate, better=better), unit)
        for key, label, rate, better, unit in FIGURES
    ]

    def per_day(name: str) -> list[tuple[int, int]]:
        return [
            (
                by_day.get((day,), {}).get(name, 0),
                by_day.get((day - timedelta(days=7),), {}).get(name, 0),
            )
            for day in week.days
        ]

    return WeeklyReport(
        week=week,
        previous_week=before,
        filters=replace(base, day_from=week.monday, day_to=week.sunday),
        figures=figures,
        money=_money(*split(rollups.totals(["day", "currency"], MONEY), MONEY)),
        top_claim_types=_top(rollups, split, "claim_type", "filed", dict(ClaimTypeCode.choices)),
        top_fulfillment_centers=_top(rollups, split, "fulfillment_center", "filed", {}),
        top_root_causes=_top(rollups, split, "root_cause", "confirmed", dict(RootCause.choices)),
        filed_by_day=per_day("filed"),
        decided_by_day=per_day("decided"),
        backlog=_backlog(rollups),
        generated_at=timezone.now(),
    )


def _money(now: dict, then: dict) -> list[dict]:
    zero = dict.fromkeys(MONEY, 0)
    rows = []
    for (currency,) in sorted(now.keys() | then.keys()):
        a, b = now.get((currency,), zero), then.get((currency,), zero)
        if not any(a.values()) and not any(b.values()):
            continue
        rows.append(
            {
                "currency": currency,
                "paid": Change(Decimal(a["paid_amount"]), Decimal(b["paid_amount"])),
                "reversed": Change(Decimal(a["reversed_amount"]), Decimal(b["reversed_amount"])),
                "net": Change(
                    Decimal(a["paid_amount"] - a["reversed_amount"]),
                    Decimal(b["paid_amount"] - b["reversed_amount"]),
                ),
                "payouts": Change(a["payouts_paid"], b["payouts_paid"]),
                "reversals": Change(a["reversals_completed"], b["reversals_completed"]),
            }
        )
    return rows


def _top(rollups: Rollups, split, by: str, figure: str, labels: dict) -> list[dict]:
    """The most frequent values of `by` this week (filed, or confirmed root causes)."""
    names = ("filed", "approved", "partially_approved")
    now, then = split(rollups.totals(["day", by], names), names)

    def count(sums: dict | None) -> int:
        if sums is None:
            return 0
        return sums["filed"] if figure == "filed" else sums["approved"] + sums["partially_approved"]

    rows = [
        {
            "code": code,
            "label": labels.get(code, code),
            "change": Change(count(now.get((code,))), count(then.get((code,)))),
        }
        for (code,) in now
        if code and count(now.get((code,)))
    ]
    rows.sort(key=lambda row: (-row["change"].current, str(row["label"])))
    return rows[:TOP]


def _backlog(rollups: Rollups) -> list[dict]:
    counts = rollups.open_cases()
    return [
        {"status": Status(status), "label": Status(status).label, "count": counts[status]}
        for status in BACKLOG_STATUSES
        if counts.get(status)
    ]
