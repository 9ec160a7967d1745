"""What the dashboards read: the daily rollups for figures over days (plus what the next rollup
run will add, counted live), and indexed live reads for what is true right now (the backlog,
cases due, approvals waiting). Every function runs a fixed number of queries."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, reduce

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When

from disputes.models import Dispute, Queue
from quality.models import BACKLOG_STATUSES, DIMENSIONS, BacklogRollup, DailyRollup, grain_for
from quality.rollups import BACKLOG, CASE, pending_delta

User = get_user_model()

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

    @property
    def rollup_dimensions(self) -> set[str]:
        """The rollup dimensions these filters read, besides the day."""
        return {
            name
            for name, used in (
                ("queue_pk", self.queue is not None),
                ("specialist_pk", bool(self.specialist_pk) or self.team is not None),
                ("marketplace", bool(self.marketplace)),
                ("claim_type", bool(self.claim_type)),
            )
            if used
        }

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

    def backlog_q(self) -> Q:
        """The live cases' filters (case_q) on BacklogRollup's fields."""
        q = Q()
        if self.queue is not None:
            q &= Q(queue_pk=self.queue.pk)
        if self.specialist_pk:
            q &= Q(assignee_pk=self.specialist_pk)
        if self.team is not None:
            q &= Q(assignee_pk__in=self.team_member_pks)
        if self.marketplace:
            q &= Q(marketplace=self.marketplace)
        if self.claim_type:
            q &= Q(claim_type=self.claim_type)
        return q

    def backlog_matches(self, key: tuple) -> bool:
        """The same test as backlog_q, for a BacklogRollup key counted live (created day,
        status, queue, assignee, claim type, marketplace)."""
        _, _, queue_pk, assignee_pk, claim_type, marketplace = key
        return (
            (self.queue is None or queue_pk == self.queue.pk)
            and (not self.specialist_pk or assignee_pk == self.specialist_pk)
            and (self.team is None or assignee_pk in self.team_member_pks)
            and (not self.marketplace or marketplace == self.marketplace)
            and (not self.claim_type or claim_type == self.claim_type)
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
            row = dict(
                zip(("day", *DIMENSIONS), (date.fromisoformat(key[1]), *key[2:]), strict=True)
            )
            if self.filters.rollup_key_matches(row):
                rows.append((row, changes))
        return rows

    def totals(self, by: Iterable[str], figures: Iterable[str]) -> dict[tuple, dict]:
        """{(value of each `by` field): {figure: sum}} over the filtered days."""
        by, figures = tuple(by), tuple(figures)
        query = DailyRollup.objects.covering({*by, *self.filters.rollup_dimensions}).filter(
            self.filters.rollup_q()
        )
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

    def breakdown(
        self, groupings: Iterable[tuple[str, ...]], figures: Iterable[str]
    ) -> dict[tuple[str, ...], dict[tuple, dict]]:
        """Totals for several groupings (e.g. by claim type, and by carrier), with one read per
        grain: the groupings a grain serves are read at once, grouped by all their fields, and
        summed again here."""
        groupings, figures = [tuple(g) for g in groupings], tuple(figures)
        by_grain: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for grouping in groupings:
            by_grain[grain_for({*grouping, *self.filters.rollup_dimensions})].append(grouping)
        result = {g: defaultdict(lambda: dict.fromkeys(figures, 0)) for g in groupings}
        for served in by_grain.values():
            fields = tuple(dict.fromkeys(name for grouping in served for name in grouping))
            for key, values in self.totals(fields, figures).items():
                named = dict(zip(fields, key, strict=True))
                for grouping in served:
                    row = result[grouping][tuple(named[name] for name in grouping)]
                    for name in figures:
                        row[name] += values[name]
        return {grouping: dict(rows) for grouping, rows in result.items()}

    def total(self, figures: Iterable[str]) -> dict:
        figures = tuple(figures)
        return self.totals((), figures).get((), dict.fromkeys(figures, 0))

    def open_cases_by_day(self) -> dict[tuple[str, date], int]:
        """{(status, day filed in UTC): cases open right now} under the filters: the backlog
        rollup, summed in the database, and what the next run will add."""
        counts: dict[tuple[str, date], int] = defaultdict(int)
        stored = (
            BacklogRollup.objects.filter(self.filters.backlog_q())
            .values_list("status", "created_day")
            .order_by()
            .annotate(cases=Sum("cases"))
        )
        for status, day, cases in stored:
            counts[status, day] += cases
        for key, changes in self.delta.items():
            if key[0] == BACKLOG and self.filters.backlog_matches(key[1:]):
                counts[key[2], date.fromisoformat(key[1])] += changes["cases"]
        return dict(counts)

    def open_cases(self) -> dict[str, int]:
        """{status: cases open right now} under the filters."""
        counts: dict[str, int] = defaultdict(int)
        for (status, _), cases in self.open_cases_by_day().items():
            counts[status] += cases
        return dict(counts)


def ratio(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _labels(model, pks: Iterable[int], label) -> dict[int, str]:
    pks = {pk for pk in pks if pk}
    return {obj.pk: label(obj) for obj in model.objects.filter(pk__in=pks)} if pks else {}


def queue_names(pks: Iterable[int]) -> dict[int, str]:
    return _labels(Queue, pks, lambda queue: queue.name)


def user_names(pks: Iterable[int]) -> dict[int, str]:
    return _labels(User, pks, lambda user: user.get_full_name() or user.get_username())


def age_bucket(column: str, now: datetime) -> Case:
    return Case(
        *[When(**{f"{column}__lte": now - age}, then=Value(label)) for label, age in AGE_BUCKETS],
        default=Value(AGE_BUCKETS[-1][0]),
        output_field=CharField(),
    )


def bucketed(query: QuerySet, column: str, group: str | None, now: datetime) -> dict:
    values = [group] if group else []
    rows = query.annotate(bucket=age_bucket(column, now)).values(*values, "bucket").order_by()
    counts: dict = defaultdict(lambda: dict.fromkeys([label for label, _ in AGE_BUCKETS], 0))
    for row in rows.annotate(n=Count("pk")):
        counts[row[group] if group else None][row["bucket"]] = row["n"]
    return counts


def _bucket_of(age: timedelta) -> str:
    return next(label for label, least in AGE_BUCKETS if age >= least)


def open_backlog(filters: DashboardFilters, rollups: Rollups, now: datetime) -> dict[str, dict]:
    """{status: {age bucket: cases}} of the cases open now, from the backlog rollup by day
    filed. Every case filed on a day without an age boundary (now less 1, 3, 7, 14 days) is
    in that day's bucket; on a day with one, the smaller side of the boundary is counted live
    (one indexed query) and the other side is the day's total less it."""
    counts = {
        status: dict.fromkeys([label for label, _ in AGE_BUCKETS], 0) for status in BACKLOG_STATUSES
    }
    boundaries = {(now - age).astimezone(UTC).date(): now - age for _, age in AGE_BUCKETS[:-1]}
    by_day = rollups.open_cases_by_day()
    for (status, day), cases in by_day.items():
        if day not in boundaries:
            counts[status][_bucket_of(now - datetime.combine(day, time.min, tzinfo=UTC))] += cases
    # Per boundary day: the side counted live, as a range of filing times, and each side's bucket.
    sides = {}
    for day, boundary in boundaries.items():
        start = datetime.combine(day, time.min, tzinfo=UTC)
        end = start + timedelta(days=1)
        older, younger = _bucket_of(now - start), _bucket_of(now - end + timedelta(microseconds=1))
        if boundary - start <= end - boundary:  # filed at or before the boundary: the older
            sides[day] = (Q(created_at__gte=start, created_at__lte=boundary), older, younger)
        else:
            sides[day] = (Q(created_at__gt=boundary, created_at__lt=end), younger, older)
    live = (
        Dispute.objects.filter(filters.case_q(), status__in=BACKLOG_STATUSES)
        .filter(reduce(operator.or_, (q for q, _, _ in sides.values())))
        .annotate(
            side=Case(
                *[When(q, then=Value(day.isoformat())) for day, (q, _, _) in sides.items()],
                output_field=CharField(),
            )
        )
        .values_list("status", "side")
        .order_by()
        .annotate(n=Count("pk"))
    )
    counted = {(status, date.fromisoformat(side)): n for status, side, n in live}
    for day, (_, counted_bucket, other_bucket) in sides.items():
        for status in BACKLOG_STATUSES:
            here = counted.get((status, day), 0)
            counts[status][counted_bucket] += here
            # Never below nothing: a case changing between the two reads is counted next time.
            counts[status][other_bucket] += max(by_day.get((status, day), 0) - here, 0)
    return {status: buckets for status, buckets in counts.items() if any(buckets.values())}
