"""Daily rollups the dashboards read: rows that grow with days, not with cases.

Each case's share of the rollups is computed from its own rows (decisions, timers, payouts,
timeline) and kept in CaseContribution; when a case changes, its old share is taken off and the
new one added, so a rollup run is idempotent and a rebuild gives the same figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.claim_types import ClaimTypeCode
from disputes.models import Dispute
from disputes.status import Status

# The counted figures of a DailyRollup row, in the order the contributions store them.
COUNTS = (
    "filed",
    "decided",
    "approved",
    "partially_approved",
    "denied",
    "first_contact",
    "appealed",
    "appeal_decided",
    "overturned",
    "handled",
    "handle_seconds",
    "first_response_met",
    "first_response_breached",
    "resolution_met",
    "resolution_breached",
    "payouts_paid",
    "payout_overrides",
    "reversals_completed",
)
AMOUNTS = ("paid_amount", "reversed_amount")
SELLER_COUNTS = ("filed", "denied")


class RollupState(models.Model):
    """How far the rollups have read the timeline: every case event up to this id is counted."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


class CaseContribution(models.Model):
    """What one case adds to the rollups, kept so that a change to the case replaces it exactly."""

    dispute = models.OneToOneField(
        Dispute, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # [[table, day, *key, {figure: value}], …] with table "case" (DailyRollup) or "seller".
    rows = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.dispute_id}: {len(self.rows)} rows"


# The statuses of the backlog: every case not finished nor decided.
BACKLOG_STATUSES = (
    Status.SUBMITTED,
    Status.OPEN,
    Status.IN_REVIEW,
    Status.AWAITING_SELLER,
    Status.ESCALATED,
    Status.APPEALED,
)

# The dimensions of a DailyRollup key after its day, in the order the contributions store them.
DIMENSIONS = (
    "queue_pk",
    "specialist_pk",
    "claim_type",
    "marketplace",
    "root_cause",
    "fulfillment_center",
    "carrier",
    "currency",
)
# The rollups are kept at several grains: the full key, and projections that leave out what a
# page neither groups nor filters by (a left-out dimension reads 0 or ""). A 90-day page over
# the full key reads thousands of rows a day at a million cases; its grain reads tens.
# Smallest first: DailyRollupQuerySet.covering picks the first that has every dimension asked for.
GRAINS = {
    "total": ("claim_type", "marketplace", "currency"),
    "people": ("queue_pk", "specialist_pk"),
    "root_cause": ("claim_type", "marketplace", "currency", "root_cause"),
    "carrier": ("claim_type", "marketplace", "currency", "carrier"),
    "fulfillment_center": ("claim_type", "marketplace", "currency", "fulfillment_center"),
    "staff": ("queue_pk", "specialist_pk", "claim_type", "marketplace", "currency"),
    "full": DIMENSIONS,
}
FULL = "full"


def grain_for(dimensions) -> str:
    """The smallest grain that keeps every one of these dimensions (the day is in every one)."""
    wanted = set(dimensions) - {"day"}
    unknown = wanted - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"not a rollup dimension: {sorted(unknown)}")
    return next(name for name, kept in GRAINS.items() if wanted <= set(kept))


class DailyRollupQuerySet(models.QuerySet):
    def covering(self, dimensions) -> DailyRollupQuerySet:
        """The rows of the smallest grain that keeps every one of these dimensions."""
        return self.filter(grain=grain_for(dimensions))


class DailyRollup(models.Model):
    """One day's figures for one combination of queue, specialist, claim type, marketplace, root
    cause, fulfilment centre, carrier and currency, at one grain (GRAINS). Ids are plain numbers
    (0 = none) so that the key is unique without NULLs; the day is in the time zone of the case's
    business calendar."""

    grain = models.CharField(max_length=20, default=FULL)
    day = models.DateField()
    queue_pk = models.PositiveIntegerField(default=0)
    specialist_pk = models.PositiveIntegerField(default=0)
    claim_type = models.CharField(max_length=32)
    marketplace = models.CharField(max_length=2)
    root_cause = models.CharField(max_length=24, blank=True)
    fulfillment_center = models.CharField(max_length=16, blank=True)
    carrier = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3)

    filed = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    partially_approved = models.IntegerField(default=0)
    denied = models.IntegerField(default=0)
    # Decided without a request for information and never appealed.
    first_contact = models.IntegerField(default=0)
    appealed = models.IntegerField(default=0)  # counted against the specialist who decided
    appeal_decided = models.IntegerField(default=0)
    overturned = models.IntegerField(default=0)  # an appeal decided otherwise than the first time
    handled = models.IntegerField(default=0)
    # Assignment to decision, in business seconds of the case's calendar.
    handle_seconds = models.BigIntegerField(default=0)
    first_response_met = models.IntegerField(default=0)
    first_response_breached = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    resolution_breached = models.IntegerField(default=0)
    payouts_paid = models.IntegerField(default=0)
    payout_overrides = models.IntegerField(default=0)  # amount other than the policy's proposal
    reversals_completed = models.IntegerField(default=0)
    paid_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    reversed_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    KEY = ("grain", "day", *DIMENSIONS)

    objects = DailyRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily rollup")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", *DIMENSIONS], name="daily_rollup_unique_key"
            )
        ]
        indexes = [models.Index(fields=["grain", "day"], name="daily_rollup_grain_day")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.claim_type} {self.queue_pk}/{self.specialist_pk}"


class SellerDailyRollup(models.Model):
    """Disputes filed and claims denied per seller and day: the top-sellers tables."""

    day = models.DateField()
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    filed = models.IntegerField(default=0)
    denied = models.IntegerField(default=0)

    KEY = ("day", "seller_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "seller"], name="seller_rollup_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.seller_id}"


# The figures of a QADailyRollup row; the decimal ones are sums of money or of scores.
QA_COUNTS = ("reviews", "critical_failures")
QA_AMOUNTS = ("score_total", "reviewed_amount", "money_error", "money_error_gross")
QA_KEY = ("day", "specialist_pk", "reviewer_pk", "currency")


class QADailyRollup(models.Model):
    """Scored QA reviews per day (the day the score was given, in the site's time zone),
    specialist reviewed, reviewer and currency: the quality figures without reading every
    review. A review amended by a team lead counts with its amended score."""

    day = models.DateField()
    specialist_pk = models.PositiveIntegerField()
    reviewer_pk = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    reviews = models.IntegerField(default=0)
    critical_failures = models.IntegerField(default=0)
    score_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    reviewed_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # Signed (+ overpaid, − underpaid), and without its sign.
    money_error = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    money_error_gross = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    KEY = QA_KEY

    class Meta:
        verbose_name = _("QA daily rollup")
        constraints = [models.UniqueConstraint(fields=list(QA_KEY), name="qa_rollup_unique_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.specialist_pk}: {self.reviews}"


BACKLOG_KEY = ("created_day", "status", "queue_pk", "assignee_pk", "claim_type", "marketplace")


class BacklogRollup(models.Model):
    """The cases open right now, counted per day filed (UTC), status, queue, assignee, claim type
    and marketplace: the backlog by age without counting every open case on each page (only the
    cases filed on the days an age boundary falls in are counted live, and only on one side of
    the boundary: quality.selectors.common.open_backlog)."""

    created_day = models.DateField()
    status = models.CharField(max_length=20)
    queue_pk = models.PositiveIntegerField(default=0)
    assignee_pk = models.PositiveIntegerField(default=0)
    claim_type = models.CharField(max_length=32)
    marketplace = models.CharField(max_length=2)
    cases = models.IntegerField(default=0)

    KEY = BACKLOG_KEY

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(BACKLOG_KEY), name="backlog_rollup_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.created_day} {self.status} {self.queue_pk}/{self.assignee_pk}: {self.cases}"


class TrendAlert(models.Model):
    """A spike in disputes filed for one fulfilment centre, carrier or claim type: the window's
    count against its trailing baseline, the cases behind it, and the lead who acknowledged it.

    The same spike never raises two alerts: one open alert per key (a partial unique index), one
    alert per key and window (a repeated run is a no-op), and the detector skips a key whose last
    alert's window overlaps the new one (quality.alerts)."""

    class Dimension(models.TextChoices):
        # The values are the field names on Dispute and DailyRollup alike.
        FULFILLMENT_CENTER = "fulfillment_center", _("Fulfilment centre")
        CARRIER = "carrier", _("Carrier")
        CLAIM_TYPE = "claim_type", _("Claim type")

    dimension = models.CharField(max_length=24, choices=Dimension.choices)
    key = models.CharField(max_length=40)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    observed = models.PositiveIntegerField()
    # The baseline's mean count per window (never below the floor for a key without history).
    expected = models.FloatField()
    p_value = models.FloatField()  # P(X >= observed) for X ~ Poisson(expected)
    baseline_from = models.DateField()
    baseline_to = models.DateField()
    baseline_filed = models.PositiveIntegerField()
    disputes = models.ManyToManyField(Dispute, related_name="trend_alerts", blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("trend alert")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "window_end"], name="trend_alert_unique_window"
            ),
            models.UniqueConstraint(
                fields=["dimension", "key"],
                condition=Q(acknowledged_at__isnull=True),
                name="trend_alert_one_open",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="trend_alert_acknowledged_by_someone",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-acknowledged_at", "-id"],
                condition=Q(acknowledged_at__isnull=False),
                name="trend_alert_acknowledged",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} @ {self.window_end:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def key_label(self) -> str:
        """The key in words: a claim type's name, a centre's or carrier's code as it is."""
        if self.dimension == self.Dimension.CLAIM_TYPE:
            return str(dict(ClaimTypeCode.choices).get(self.key, self.key))
        return self.key

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else 0.0


class WeeklyReportDelivery(models.Model):
    """One team lead's copy of one week's report. The attempt is recorded before the mail
    leaves and `sent_at` after, so a repeated run sends nothing twice; an attempt whose worker
    died is tried again once its lease (NOTIFICATION_LEASE_SECONDS) has run out."""

    week = models.CharField(max_length=8)  # ISO week, e.g. 2026-W47
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "user"], name="weekly_report_once_per_lead")
        ]

    def __str__(self) -> str:
        return f"{self.week} → {self.user_id}"


# The QA models live beside these; imported here so that Django registers them with the app.
from quality.qa_models import (  # noqa: E402, F401
    QACalibration,
    QACalibrationMark,
    QACalibrationScore,
    QAReview,
    QAReviewEvent,
    QAReviewItem,
    QARubric,
    QARubricItem,
)
