"""Keeping the daily rollups: each changed case's share is recomputed from its own rows and the
difference applied, so that a run is incremental, safe to repeat and equal to a rebuild.

Which cases changed is read from the timeline: every change to a case appends a CaseEvent (and
every change to its QA review a QAReviewEvent), and RollupState remembers the last of each
counted. Events younger than ROLLUP_SETTLE_SECONDS wait for
the next run, so that a transaction still open when the run starts is not skipped for good; the
dashboards count them live meanwhile (`pending_contributions`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.business_time import Calendar, NoWorkingTime, business_seconds_between
from disputes.models import BusinessCalendar, CaseEvent, Decision, Dispute, SlaTimer
from disputes.status import Outcome
from quality.models import (
    AMOUNTS,
    BACKLOG_STATUSES,
    COUNTS,
    DIMENSIONS,
    GRAINS,
    QA_AMOUNTS,
    QA_COUNTS,
    SELLER_COUNTS,
    BacklogRollup,
    CaseContribution,
    DailyRollup,
    QADailyRollup,
    QAReview,
    QAReviewEvent,
    RollupState,
    SellerDailyRollup,
)
from quality.qa_status import SCORED
from reimbursements.models import Reimbursement, Reversal

STATE = "daily"  # the bookmark in the cases' timeline
QA_STATE = "qa"  # the bookmark in the QA reviews' histories
BATCH = 500
CASE, SELLER, BACKLOG, QA = "case", "seller", "backlog", "qa"
OUTCOME_COUNT = {
    Outcome.APPROVED: "approved",
    Outcome.PARTIALLY_APPROVED: "partially_approved",
    Outcome.DENIED: "denied",
}
ASSIGNMENT = {CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.REASSIGNED}
SLA_COUNTS = {
    SlaTimer.Kind.FIRST_RESPONSE: "first_response",
    SlaTimer.Kind.RESOLUTION: "resolution",
}

DECIMALS = frozenset(AMOUNTS) | frozenset(QA_AMOUNTS)

# A contribution: (table, day, *key) → {figure: value}.
Share = dict[tuple, dict[str, int | Decimal]]


@dataclass(frozen=True)
class RollupRun:
    cases: int
    last_event_id: int


# --- one case's share ----------------------------------------------------------------------------


@dataclass
class CaseRows:
    """What a case's share is computed from, fetched for a batch of cases at once."""

    dispute: CaseRecord
    events: list[EventRecord]
    decisions: list[DecisionRecord]
    timers: list[TimerRecord]
    payouts: list[PayoutRecord]
    reversals: list[ReversalRecord]
    reviews: list[ReviewRecord]


def share_of(rows: CaseRows, calendars: dict[int, Calendar]) -> Share:
    """The case's contribution to every rollup row it touches."""
    dispute = rows.dispute
    calendar = _calendar_of(rows, calendars)
    zone = ZoneInfo(calendar.time_zone if calendar else settings.TIME_ZONE)
    share: Share = defaultdict(lambda: defaultdict(int))

    def add(moment: datetime, figure: str, value=1, *, specialist=0, root_cause=""):
        key = (
            CASE,
            moment.astimezone(zone).date().isoformat(),
            dispute.queue_id or 0,
            specialist or 0,
            dispute.claim_type,
            dispute.marketplace,
            root_cause or "",
            dispute.fulfillment_center,
            dispute.carrier,
            dispute.currency,
        )
        share[key][figure] += value

    def add_seller(moment: datetime, figure: str):
        share[(SELLER, moment.astimezone(zone).date().isoformat(), dispute.seller_id)][figure] += 1

    if dispute.status in BACKLOG_STATUSES:
        filed = dispute.created_at.astimezone(UTC).date().isoformat()
        key = (filed, dispute.status, dispute.queue_id or 0, dispute.assignee_id or 0)
        share[(BACKLOG, *key, dispute.claim_type, dispute.marketplace)]["cases"] = 1
    add(dispute.created_at, "filed")
    add_seller(dispute.created_at, "filed")
    decisions = sorted(rows.decisions, key=lambda d: (d.decided_at, d.pk))
    for number, decision in enumerate(decisions):
        by = {"specialist": decision.decided_by_id, "root_cause": decision.root_cause}
        add(decision.decided_at, "decided", **by)
        add(decision.decided_at, OUTCOME_COUNT[decision.outcome], **by)
        if decision.on_appeal:
            add(decision.decided_at, "appeal_decided", **by)
            if number and decisions[number - 1].outcome != decision.outcome:
                add(decision.decided_at, "overturned", **by)
        elif dispute.appeal_count == 0 and not _info_requested_before(rows, decision.decided_at):
            add(decision.decided_at, "first_contact", **by)
        assigned_at = _assigned_before(rows, decision.decided_at)
        if assigned_at is not None:
            seconds = _business_seconds(calendar, assigned_at, decision.decided_at)
            add(decision.decided_at, "handled", **by)
            add(decision.decided_at, "handle_seconds", seconds, **by)
        if number + 1 == len(decisions) and decision.outcome == Outcome.DENIED:
            add_seller(decision.decided_at, "denied")  # a claim found invalid, in the end
    for event in rows.events:
        if event.kind == CaseEvent.Kind.APPEALED:
            earlier = [d for d in decisions if d.decided_at <= event.created_at]
            decider = earlier[-1] if earlier else None
            add(
                event.created_at,
                "appealed",
                specialist=decider.decided_by_id if decider else 0,
                root_cause=decider.root_cause if decider else "",
            )
    for timer in rows.timers:
        prefix = SLA_COUNTS.get(timer.kind)
        if prefix is None:
            continue
        if timer.breached_at is not None:
            add(timer.breached_at, f"{prefix}_breached", specialist=dispute.assignee_id)
        elif timer.met_at is not None:
            add(timer.met_at, f"{prefix}_met", specialist=dispute.assignee_id)
    for payout in rows.payouts:
        if payout.proposed_amount is not None and payout.amount != payout.proposed_amount:
            add(payout.created_at, "payout_overrides", specialist=payout.maker_id)
        if payout.paid_at is not None:
            add(payout.paid_at, "payouts_paid", specialist=payout.maker_id)
            add(payout.paid_at, "paid_amount", payout.amount, specialist=payout.maker_id)
    for reversal in rows.reversals:
        if reversal.status == Reversal.Status.COMPLETED and reversal.resolved_at is not None:
            by = {"specialist": reversal.resolved_by_id}
            add(reversal.resolved_at, "reversals_completed", **by)
            add(reversal.resolved_at, "reversed_amount", -reversal.amount, **by)
    site_zone = ZoneInfo(settings.TIME_ZONE)  # QA figures are by the site's days
    for review in rows.reviews:
        if review.status in SCORED:
            day = review.submitted_at.astimezone(site_zone).date().isoformat()
            row = share[(QA, day, review.specialist_id, review.reviewer_id or 0, review.currency)]
            row["reviews"] += 1
            row["critical_failures"] += int(review.failed)
            row["score_total"] += review.score
            row["reviewed_amount"] += review.reviewed_amount
            row["money_error"] += review.money_error
            row["money_error_gross"] += abs(review.money_error)
    return {key: dict(figures) for key, figures in share.items()}


def _calendar_of(rows: CaseRows, calendars: dict[int, Calendar]) -> Calendar | None:
    """The calendar of the case's SLA policy (its days and business time); None for a case
    that never had a clock (counted in the site's time zone, handle time on the wall clock)."""
    for timer in rows.timers:
        calendar = calendars.get(timer.calendar_id)
        if calendar is not None:
            return calendar
    return None


def _info_requested_before(rows: CaseRows, moment: datetime) -> bool:
    return any(
        e.kind == CaseEvent.Kind.INFO_REQUESTED and e.created_at <= moment for e in rows.events
    )


def _assigned_before(rows: CaseRows, moment: datetime) -> datetime | None:
    times = [e.created_at for e in rows.events if e.kind in ASSIGNMENT and e.created_at <= moment]
    return max(times) if times else None


def _business_seconds(calendar: Calendar | None, start: datetime, end: datetime) -> int:
    if calendar is not None:
        try:
            return round(business_seconds_between(calendar, start, end))
        except NoWorkingTime:  # a calendar without working hours: the wall clock
            pass
    return round((end - start).total_seconds())


# --- reading cases in batches -------------------------------------------------------------------


def load_calendars() -> dict[int, Calendar]:
    calendars = BusinessCalendar.objects.prefetch_related("hours", "holidays")
    return {calendar.pk: calendar.as_calendar() for calendar in calendars}


class CaseRecord(NamedTuple):
    pk: int
    created_at: datetime
    status: str
    queue_id: int | None
    assignee_id: int | None
    seller_id: int
    marketplace: str
    claim_type: str
    fulfillment_center: str
    carrier: str
    currency: str
    appeal_count: int


class EventRecord(NamedTuple):
    dispute_id: int
    kind: str
    created_at: datetime


class DecisionRecord(NamedTuple):
    dispute_id: int
    pk: int
    outcome: str
    root_cause: str
    on_appeal: bool
    decided_by_id: int
    decided_at: datetime


class TimerRecord(NamedTuple):
    dispute_id: int
    kind: str
    met_at: datetime | None
    breached_at: datetime | None
    calendar_id: int


class PayoutRecord(NamedTuple):
    dispute_id: int
    amount: Decimal
    proposed_amount: Decimal | None
    maker_id: int
    paid_at: datetime | None
    created_at: datetime


class ReversalRecord(NamedTuple):
    dispute_id: int
    status: str
    amount: Decimal
    resolved_by_id: int | None
    resolved_at: datetime | None


class ReviewRecord(NamedTuple):
    dispute_id: int
    status: str
    submitted_at: datetime | None
    specialist_id: int
    reviewer_id: int | None
    currency: str
    score: Decimal | None
    failed: bool
    reviewed_amount: Decimal
    money_error: Decimal


def _grouped(queryset, record) -> dict[int, list]:
    """Rows as plain records, grouped by case: no model instances, which a rebuild of a
    million cases would spend most of its time building."""
    groups: dict[int, list] = defaultdict(list)
    for values in queryset.values_list(*record._fields):
        groups[values[0]].append(record._make(values))
    return groups


def case_rows(dispute_ids: Iterable[int]) -> list[CaseRows]:
    """Everything the shares of these cases are computed from, in a constant number of queries."""
    ids = list(dispute_ids)
    cases = Dispute.objects.filter(pk__in=ids).annotate(marketplace=F("seller__marketplace"))
    events = _grouped(
        CaseEvent.objects.filter(
            dispute_id__in=ids,
            kind__in=[*ASSIGNMENT, CaseEvent.Kind.INFO_REQUESTED, CaseEvent.Kind.APPEALED],
        ),
        EventRecord,
    )
    decisions = _grouped(Decision.objects.filter(dispute_id__in=ids), DecisionRecord)
    timers = _grouped(
        SlaTimer.objects.filter(dispute_id__in=ids).annotate(calendar_id=F("policy__calendar_id")),
        TimerRecord,
    )
    payouts = _grouped(Reimbursement.objects.filter(dispute_id__in=ids), PayoutRecord)
    reversals = _grouped(Reversal.objects.filter(dispute_id__in=ids), ReversalRecord)
    reviews = _grouped(QAReview.objects.filter(dispute_id__in=ids), ReviewRecord)
    return [
        CaseRows(
            dispute=case,
            events=events.get(case.pk, []),
            decisions=decisions.get(case.pk, []),
            timers=timers.get(case.pk, []),
            payouts=payouts.get(case.pk, []),
            reversals=reversals.get(case.pk, []),
            reviews=reviews.get(case.pk, []),
        )
        for case in map(CaseRecord._make, cases.values_list(*CaseRecord._fields))
    ]


def stored_shares(dispute_ids: Iterable[int]) -> dict[int, Share]:
    return {
        row.dispute_id: _decode(row.rows)
        for row in CaseContribution.objects.filter(dispute_id__in=list(dispute_ids))
    }


def _encode(share: Share) -> list:
    return [
        [*key, {k: str(v) if isinstance(v, Decimal) else v for k, v in figures.items()}]
        for key, figures in share.items()
    ]


def _decode(rows: list) -> Share:
    share: Share = {}
    for row in rows:
        *key, figures = row
        share[tuple(key)] = {k: Decimal(v) if k in DECIMALS else v for k, v in figures.items()}
    return share


def difference(old: Share, new: Share) -> Share:
    """new − old, row by row, leaving out what did not change."""
    delta: Share = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key, {}), new.get(key, {})
        changed = {
            figure: after.get(figure, 0) - before.get(figure, 0)
            for figure in before.keys() | after.keys()
            if after.get(figure, 0) != before.get(figure, 0)
        }
        if changed:
            delta[key] = changed
    return delta


# --- applying -----------------------------------------------------------------------------------


# Where a case's changes are read from: the bookmark's name → (events, the path to their case).
SOURCES = {
    STATE: (CaseEvent, "dispute_id"),
    QA_STATE: (QAReviewEvent, "review__dispute_id"),
}


def _touched_since(
    source: str, last_event_id: int, *, until: datetime, limit: int
) -> tuple[list[int], int]:
    """Cases with events in `source` after its bookmark (settled ones only), and the new
    bookmark."""
    model, case = SOURCES[source]
    events = list(
        model.objects.filter(pk__gt=last_event_id, created_at__lte=until)
        .order_by("pk")
        .values_list("pk", case)[:limit]
    )
    if not events:
        return [], last_event_id
    return sorted({dispute_id for _, dispute_id in events}), events[-1][0]


def _bookmarks() -> dict[str, RollupState]:
    """Each source's bookmark, locked: one run at a time."""
    return {
        name: RollupState.objects.select_for_update().get_or_create(name=name)[0]
        for name in SOURCES
    }


@transaction.atomic
def roll_up(*, now: datetime | None = None, batch: int = BATCH) -> RollupRun:
    """Count every settled case event and QA review event not counted yet. One run at a time
    (the bookmarks' row locks); a run that finds nothing changes nothing."""
    now = now or timezone.now()
    bookmarks = _bookmarks()
    until = now - timedelta(seconds=settings.ARBITER["ROLLUP_SETTLE_SECONDS"])
    calendars = load_calendars()
    cases = 0
    for source, state in bookmarks.items():
        while True:
            # Events, not cases, are batched: a case with many new events counts once a batch.
            dispute_ids, last = _touched_since(
                source, state.last_event_id, until=until, limit=batch * 10
            )
            if not dispute_ids:
                break
            for start in range(0, len(dispute_ids), batch):
                _apply(_replace_shares(dispute_ids[start : start + batch], calendars))
            cases += len(dispute_ids)
            state.last_event_id = last
        state.save()
    return RollupRun(cases=cases, last_event_id=bookmarks[STATE].last_event_id)


def _replace_shares(dispute_ids: list[int], calendars: dict[int, Calendar]) -> Share:
    """Store the new shares of these cases; return how much the rollups must change."""
    old = stored_shares(dispute_ids)
    total: Share = {}
    contributions = []
    for rows in case_rows(dispute_ids):
        new = share_of(rows, calendars)
        _merge(total, difference(old.get(rows.dispute.pk, {}), new))
        contributions.append(CaseContribution(dispute_id=rows.dispute.pk, rows=_encode(new)))
    CaseContribution.objects.bulk_create(
        contributions, update_conflicts=True, unique_fields=["dispute"], update_fields=["rows"]
    )
    return total


def _merge(total: Share, delta: Share) -> None:
    for key, figures in delta.items():
        row = total.setdefault(key, {})
        for figure, value in figures.items():
            row[figure] = row.get(figure, 0) + value


TABLES = (
    (CASE, DailyRollup, (*COUNTS, *AMOUNTS)),
    (SELLER, SellerDailyRollup, SELLER_COUNTS),
    (BACKLOG, BacklogRollup, ("cases",)),
    (QA, QADailyRollup, (*QA_COUNTS, *QA_AMOUNTS)),
)


def _apply(delta: Share) -> None:
    """Add a difference to the rollup tables, the case rows at every grain (the caller holds
    the bookmark's lock)."""
    for table, model, figures in TABLES:
        rows = {key[1:]: value for key, value in delta.items() if key[0] == table}
        if table == CASE:
            rows = at_every_grain(rows)
        if not rows:
            continue
        # The existing rows that may be touched: narrowed by every field of the key.
        keys = [_stored_key(model, key) for key in rows]
        narrowed = {f"{name}__in": {key[n] for key in keys} for n, name in enumerate(model.KEY)}
        existing = {_key_of(row, model): row for row in model.objects.filter(**narrowed)}
        to_create, to_update = [], []
        for key, changes in zip(keys, rows.values(), strict=True):
            row = existing.get(key)
            if row is None:
                row = model(**dict(zip(model.KEY, key, strict=True)))
                to_create.append(row)
            else:
                to_update.append(row)
            for figure, value in changes.items():
                setattr(row, figure, getattr(row, figure) + value)
        # A row whose figures all went back to zero goes: the table equals a rebuild.
        empty = [row.pk for row in to_update if not any(getattr(row, f) for f in figures)]
        _insert(model, to_create)
        model.objects.bulk_update(
            [row for row in to_update if row.pk not in empty], figures, batch_size=1000
        )
        model.objects.filter(pk__in=empty).delete()


def _stored_key(model, key: tuple) -> tuple:
    """A share's key as the model stores it (its days dates)."""
    return tuple(
        date.fromisoformat(value) if name in ("day", "created_day") else value
        for name, value in zip(model.KEY, key, strict=True)
    )


def at_every_grain(rows: dict[tuple, dict]) -> dict[tuple, dict]:
    """Full-key case rows (day, *DIMENSIONS) → (grain, day, *DIMENSIONS) at every grain, the
    dimensions a grain leaves out set to their blank."""
    blank = {name: 0 if name.endswith("_pk") else "" for name in DIMENSIONS}
    result: dict[tuple, dict] = {}
    for grain, kept in GRAINS.items():
        for (day, *values), changes in rows.items():
            key = (
                grain,
                day,
                *(
                    value if name in kept else blank[name]
                    for name, value in zip(DIMENSIONS, values, strict=True)
                ),
            )
            _merge(result, {key: changes})
    # Moves within a projection cancel out there (a case reassigned is the same case in "total").
    return {
        key: nonzero
        for key, changes in result.items()
        if (nonzero := {figure: value for figure, value in changes.items() if value})
    }


def _insert(model, rows: list) -> None:
    """New rollup rows: with PostgreSQL's COPY (a rebuild writes hundreds of thousands, which
    bulk_create spends most of its time turning into SQL), elsewhere with bulk_create."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])


def _key_of(row, model) -> tuple:
    return tuple(getattr(row, field) for field in model.KEY)


@transaction.atomic
def rebuild_rollups(*, batch: int = 2000) -> RollupRun:
    """Throw the rollups away and count every case again from its rows."""
    bookmarks = _bookmarks()
    for source, state in bookmarks.items():
        model = SOURCES[source][0]
        state.last_event_id = (
            model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
    for _, model, _ in TABLES:
        model.objects.all().delete()
    CaseContribution.objects.all().delete()
    calendars = load_calendars()
    ids = Dispute.objects.order_by("pk").values_list("pk", flat=True)
    cases, after, total = 0, 0, {}
    while chunk := list(ids.filter(pk__gt=after)[:batch]):
        _merge(total, _replace_shares(chunk, calendars))
        cases += len(chunk)
        after = chunk[-1]
    _apply(total)  # the tables are empty: one write of every row
    for state in bookmarks.values():
        state.save()
    return RollupRun(cases=cases, last_event_id=bookmarks[STATE].last_event_id)


# --- what is not rolled up yet ------------------------------------------------------------------


def pending_delta(*, limit: int = 20_000) -> Share:
    """The difference the next run will apply: events after the bookmarks, counted live so
    that a dashboard's today is up to the minute. Bounded: past `limit` events of a source it
    waits for the run."""
    bookmarks = {state.name: state.last_event_id for state in RollupState.objects.all()}
    until = timezone.now() + timedelta(days=1)
    dispute_ids = sorted(
        {
            dispute_id
            for source in SOURCES
            for dispute_id in _touched_since(
                source, bookmarks.get(source, 0), until=until, limit=limit
            )[0]
        }
    )
    if not dispute_ids:
        return {}
    calendars = load_calendars()
    old = stored_shares(dispute_ids)
    total: Share = {}
    for rows in case_rows(dispute_ids):
        _merge(total, difference(old.get(rows.dispute.pk, {}), share_of(rows, calendars)))
    return total
