"""QA reviews of decided cases: the versioned rubric, the reviews scored with it, their marks
per item and their history; and calibrations, where several reviewers score one case blind.
Re-exported from quality.models (a module of its own so that the rollups' models module stays
small)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCY_CHOICES
from disputes.models import Decision, Dispute
from quality.qa_status import (
    CalibrationStatus,
    ItemResult,
    QAEventKind,
    QAStatus,
    SampleReason,
)


class QARubric(models.Model):
    """One version of the scorecard. A change is a new version (a new row); a review keeps the
    version it was scored with, so a version with reviews is never edited."""

    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("QA rubric")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="qa_rubric_unique_version"),
            # New reviews are scored with the one active version.
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="qa_rubric_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class QARubricItem(models.Model):
    """A question of the scorecard; a failed critical item fails the review on its own."""

    rubric = models.ForeignKey(QARubric, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    critical = models.BooleanField(_("critical"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "id"]
        verbose_name = _("QA rubric item")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="qa_rubric_item_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="qa_rubric_item_has_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.rubric_id}: {self.code}"


class QAReview(models.Model):
    """One decision sampled for QA: who reviews it, the score, the money error found, and the
    specialist's contest. One review per decision; never reviewed by the decider (a check) nor
    by the payout's approver (the services)."""

    Status = QAStatus
    Reason = SampleReason

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="qa_reviews")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="qa_review")
    # The decider, copied so that the inbox and the figures read one table.
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rubric = models.ForeignKey(QARubric, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(
        _("status"), max_length=12, choices=QAStatus.choices, default=QAStatus.DUE
    )
    reason = models.CharField(_("why sampled"), max_length=16, choices=SampleReason.choices)
    sampled_at = models.DateTimeField(_("sampled at"), default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    failed = models.BooleanField(_("failed a critical item"), default=False)
    # Signed: + the seller was overpaid, − underpaid; in the decision's currency.
    money_error = models.DecimalField(_("money error"), max_digits=14, decimal_places=2, default=0)
    # What the decision granted: the base of the financial accuracy.
    reviewed_amount = models.DecimalField(
        _("reviewed amount"), max_digits=14, decimal_places=2, default=0
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    comment = models.TextField(_("comment"), blank=True)
    contest_reason = models.TextField(_("contest reason"), blank=True)
    contested_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("QA review")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=F("specialist")),
                name="qa_review_never_self",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="qa_review_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_amount__gte=0), name="qa_review_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="due") | Q(submitted_at__isnull=False, score__isnull=False),
                name="qa_review_scored_when_submitted",
            ),
        ]
        indexes = [
            # The inbox: a reviewer's due reviews, oldest first (keyset on sampled_at, id).
            models.Index(
                fields=["reviewer", "sampled_at", "id"],
                condition=Q(status="due"),
                name="qa_review_inbox",
            ),
            models.Index(fields=["specialist", "submitted_at"], name="qa_review_specialist"),
            models.Index(fields=["submitted_at"], name="qa_review_submitted"),
        ]

    def __str__(self) -> str:
        return f"QA {self.decision_id} ({self.status})"

    @property
    def status_enum(self) -> QAStatus:
        return QAStatus(self.status)


class QAReviewItem(models.Model):
    """The reviewer's mark on one rubric item, with a comment."""

    review = models.ForeignKey(QAReview, on_delete=models.CASCADE, related_name="items")
    rubric_item = models.ForeignKey(QARubricItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("passed"), max_length=16, choices=ItemResult.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review", "rubric_item__order", "rubric_item_id"]
        verbose_name = _("QA review item")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "rubric_item"], name="qa_review_item_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.rubric_item_id}: {self.result}"


class QAReviewEvent(models.Model):
    """One step in a review's history: who did what, when, from which status to which."""

    review = models.ForeignKey(QAReview, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=QAEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("QA review event")

    def __str__(self) -> str:
        return f"{self.review_id} {self.kind}"


class QACalibration(models.Model):
    """A team lead's calibration session: one decided case scored blind by the lead and at
    least two other reviewers with one rubric version, to see where their marks part. The lead's
    scorecard is the reference. Never counted in a specialist's QA figures."""

    Status = CalibrationStatus

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="qa_calibrations")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="qa_calibrations")
    rubric = models.ForeignKey(QARubric, on_delete=models.PROTECT, related_name="calibrations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead"),
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CalibrationStatus.choices,
        default=CalibrationStatus.OPEN,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The decision's currency, which every scorecard's money error is in.
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)

    class Meta:
        verbose_name = _("QA calibration")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="qa_calibration_closed_when_closed",
            ),
            # Two open sessions on one decision would split the same reviewers' attention.
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(status="open"),
                name="qa_calibration_one_open_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Calibration {self.pk} of {self.decision_id} ({self.status})"

    @property
    def status_enum(self) -> CalibrationStatus:
        return CalibrationStatus(self.status)


class QACalibrationScore(models.Model):
    """One participant's scorecard in a calibration (the lead's is the reference): made when
    the calibration starts, scored once."""

    calibration = models.ForeignKey(QACalibration, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    failed = models.BooleanField(_("failed a critical item"), default=False)
    # Signed like a review's: + the seller was overpaid, − underpaid; in `currency`.
    money_error = models.DecimalField(_("money error"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["calibration", "id"]
        verbose_name = _("QA calibration scorecard")
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "reviewer"], name="qa_calibration_score_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="qa_calibration_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(score__isnull=False),
                name="qa_calibration_scored_when_submitted",
            ),
        ]
        indexes = [
            # A participant's calibrations: the list, and the inbox's waiting scorecards.
            models.Index(fields=["reviewer", "calibration"], name="qa_calibration_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.calibration_id}/{self.reviewer_id}: {self.score}"


class QACalibrationMark(models.Model):
    """A participant's mark on one rubric item of the calibration's version, with a comment."""

    score = models.ForeignKey(QACalibrationScore, on_delete=models.CASCADE, related_name="marks")
    rubric_item = models.ForeignKey(QARubricItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("mark"), max_length=16, choices=ItemResult.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["score", "rubric_item__order", "rubric_item_id"]
        verbose_name = _("QA calibration mark")
        constraints = [
            models.UniqueConstraint(
                fields=["score", "rubric_item"], name="qa_calibration_mark_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score_id}/{self.rubric_item_id}: {self.result}"
