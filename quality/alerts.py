"""Trend alerts: the hourly spike test of disputes filed per fulfilment centre, carrier and claim
type (the statistics are in quality.trends), and a team lead's acknowledgement.

The window (the last TREND_WINDOW_HOURS, ending on the hour) is counted live from the disputes'
created_at (indexed); the baseline (the TREND_BASELINE_DAYS before it) is read from the daily
rollups' `filed`. A run is safe to repeat: the window ends on the hour, so a second run in the
same hour tests the same window, and an alert is unique per key and window."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput, require
from disputes.models import Dispute
from quality.models import DailyRollup, TrendAlert
from quality.permissions import can_acknowledge_alerts
from quality.trends import Assessment, Thresholds, assess

logger = logging.getLogger(__name__)

DIMENSIONS = tuple(TrendAlert.Dimension)
NOTE_MAX_LENGTH = 2000
# A business calendar's day can start up to 12 hours after UTC's (UTC−12): the baseline's last
# day ends before the window starts in every time zone, so no case is counted in both.
LATEST_OFFSET = timedelta(hours=12)


@dataclass(frozen=True)
class TrendWindow:
    """The hours tested and the days they are compared with."""

    start: datetime
    end: datetime
    baseline_from: date
    baseline_to: date

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def baseline_days(self) -> int:
        return (self.baseline_to - self.baseline_from).days + 1


def trend_window(now: datetime) -> TrendWindow:
    """The window ending at the last full hour before `now`, and the baseline days before it."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=settings.ARBITER["TREND_WINDOW_HOURS"])
    baseline_to = (start - LATEST_OFFSET).date() - timedelta(days=1)
    baseline_from = baseline_to - timedelta(days=settings.ARBITER["TREND_BASELINE_DAYS"] - 1)
    return TrendWindow(start, end, baseline_from, baseline_to)


@dataclass
class TrendRun:
    window: TrendWindow
    tested: int = 0
    raised: list[TrendAlert] = field(default_factory=list)
    # Spikes that an earlier alert already stands for (open, or its window overlaps this one).
    already_alerted: list[tuple[str, str]] = field(default_factory=list)


def _window_cases(window: TrendWindow) -> dict[tuple[str, str], list[int]]:
    """{(dimension, key): [dispute ids]} for the disputes filed in the window (one query)."""
    cases: dict[tuple[str, str], list[int]] = {}
    rows = (
        Dispute.objects.filter(created_at__gte=window.start, created_at__lt=window.end)
        .order_by()
        .values_list("pk", *DIMENSIONS)
    )
    for pk, *values in rows.iterator(chunk_size=5000):
        for dimension, value in zip(DIMENSIONS, values, strict=True):
            if value:  # a case without a carrier is no carrier's defect
                cases.setdefault((dimension, value), []).append(pk)
    return cases


def _baseline(window: TrendWindow) -> Counter:
    """{(dimension, key): disputes filed} over the baseline days, from the rollups (a query per
    dimension, each at its grain)."""
    totals: Counter = Counter()
    for dimension in DIMENSIONS:
        rows = (
            DailyRollup.objects.covering([dimension])
            .filter(day__gte=window.baseline_from, day__lte=window.baseline_to)
            .values_list(dimension)
            .order_by()
            .annotate(filed=Sum("filed"))
        )
        for value, filed in rows:
            if value and filed:
                totals[dimension, value] += filed
    return totals


@dataclass(frozen=True)
class KeyResult:
    """One key's test: the assessment, the cases in the window and the baseline's count."""

    dimension: str
    key: str
    assessment: Assessment
    dispute_ids: list[int]
    baseline_filed: int


def assess_window(window: TrendWindow, thresholds: Thresholds) -> list[KeyResult]:
    """Every fulfilment centre, carrier and claim type with a case in the window, tested."""
    cases = _window_cases(window)
    baseline = _baseline(window)
    return [
        KeyResult(
            dimension=dimension,
            key=key,
            assessment=assess(
                observed=len(ids),
                baseline_filed=baseline[dimension, key],
                baseline_days=window.baseline_days,
                window_hours=window.hours,
                thresholds=thresholds,
            ),
            dispute_ids=ids,
            baseline_filed=baseline[dimension, key],
        )
        for (dimension, key), ids in sorted(cases.items())
    ]


@transaction.atomic
def detect_trends(*, now: datetime | None = None) -> TrendRun:
    """Test every fulfilment centre, carrier and claim type with a case in the last window and
    raise an alert for each new spike. Safe to run twice, and at the same time."""
    window = trend_window(now or timezone.now())
    thresholds = Thresholds.from_settings(settings.ARBITER)
    results = assess_window(window, thresholds)
    run = TrendRun(window=window, tested=len(results))
    # The same spike: an alert still open, or one whose window overlaps this one (they share
    # cases), whether acknowledged or not.
    alerted = set(
        TrendAlert.objects.filter(
            Q(acknowledged_at__isnull=True) | Q(window_end__gt=window.start)
        ).values_list("dimension", "key")
    )
    for result in results:
        if not result.assessment.spike:
            continue
        key = (result.dimension, result.key)
        alert = None if key in alerted else _raise_alert(window, result)
        if alert is None:
            run.already_alerted.append(key)
        else:
            run.raised.append(alert)
    return run


def _raise_alert(window: TrendWindow, result: KeyResult) -> TrendAlert | None:
    try:
        with transaction.atomic():  # a concurrent run raised it first: its alert stands
            alert = TrendAlert.objects.create(
                dimension=result.dimension,
                key=result.key,
                window_start=window.start,
                window_end=window.end,
                observed=result.assessment.observed,
                expected=result.assessment.expected,
                p_value=result.assessment.p_value,
                baseline_from=window.baseline_from,
                baseline_to=window.baseline_to,
                baseline_filed=result.baseline_filed,
                raised_at=timezone.now(),
            )
            through = TrendAlert.disputes.through
            through.objects.bulk_create(
                [through(trendalert_id=alert.pk, dispute_id=pk) for pk in result.dispute_ids]
            )
    except IntegrityError:
        return None
    logger.warning(
        "Trend alert: %s %s, %s disputes filed in %s h, %.2f expected, p=%.3g",
        result.dimension,
        result.key,
        result.assessment.observed,
        round(window.hours),
        result.assessment.expected,
        result.assessment.p_value,
    )
    return alert


@transaction.atomic
def acknowledge_alert(*, alert: TrendAlert, by: AbstractBaseUser, note: str = "") -> TrendAlert:
    """A team lead has seen the alert (and says what is done about it, if anything)."""
    require(
        can_acknowledge_alerts(by),
        _("Only a team lead can acknowledge a trend alert; QA reviewers see alerts read-only."),
    )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        message = _("Keep the note to %(n)s characters.") % {"n": NOTE_MAX_LENGTH}
        raise InvalidInput(message, fields={"note": [message]})
    acknowledged_at = timezone.now()
    # Compare-and-set: of two leads acknowledging at once, one wins and the other is told.
    changed = TrendAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=acknowledged_at, note=note
    )
    if not changed:
        current = TrendAlert.objects.select_related("acknowledged_by").get(pk=alert.pk)
        who = current.acknowledged_by
        raise Conflict(
            _("%(name)s already acknowledged this alert on %(when)s.")
            % {
                "name": (who.get_full_name() or who.get_username()) if who else "—",
                "when": date_format(timezone.localtime(current.acknowledged_at), "DATETIME_FORMAT"),
            },
            code="already_acknowledged",
        )
    alert.acknowledged_by, alert.acknowledged_at, alert.note = by, acknowledged_at, note
    return alert
