"""QA reviews of decided cases: the versioned rubric, the reviews scored with it, their marks
per item and their history. Re-exported from quality.models (a module of its own so that the
rollups' models module stays small)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCY_CHOICES
from disputes.models import Decision, Dispute
from quality.qa_status import ItemResult, QAEventKind, QAStatus, SampleReason


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
