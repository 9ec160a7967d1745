"""The status machine of a QA review: its statuses, why a decision was sampled, and the one
transition table the QA services check every change against; and a calibration's two states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QAStatus(models.TextChoices):
    DUE = "due", _("Due")
    SUBMITTED = "submitted", _("Submitted")
    CONTESTED = "contested", _("Contested")
    UPHELD = "upheld", _("Upheld")
    AMENDED = "amended", _("Amended")

    @property
    def badge(self) -> str:
        return BADGES[self]


BADGES = {
    QAStatus.DUE: "amber",
    QAStatus.SUBMITTED: "blue",
    QAStatus.CONTESTED: "red",
    QAStatus.UPHELD: "green",
    QAStatus.AMENDED: "slate",
}

Q_ = QAStatus
# A review is contested once: upheld and amended are final.
ALLOWED: dict[QAStatus, frozenset[QAStatus]] = {
    Q_.DUE: frozenset({Q_.SUBMITTED}),
    Q_.SUBMITTED: frozenset({Q_.CONTESTED}),
    Q_.CONTESTED: frozenset({Q_.UPHELD, Q_.AMENDED}),
    Q_.UPHELD: frozenset(),
    Q_.AMENDED: frozenset(),
}
# Reviews with a score: the ones the QA figures count.
SCORED = frozenset({Q_.SUBMITTED, Q_.CONTESTED, Q_.UPHELD, Q_.AMENDED})


class SampleReason(models.TextChoices):
    """Why a decision is in QA; the first reason that applies is kept."""

    OUTCOME_MOVED = "outcome_moved", _("Outcome moved later")
    OVERRIDE = "override", _("Amount differs from the proposal")
    HIGH_AMOUNT = "high_amount", _("High amount")
    NEW_SPECIALIST = "new_specialist", _("New specialist")
    RANDOM = "random", _("Random sample")
    WEEKLY_MINIMUM = "weekly_minimum", _("Weekly minimum")
    BY_HAND = "by_hand", _("Sent by a team lead")


class ItemResult(models.TextChoices):
    PASSED = "passed", _("Yes")
    FAILED = "failed", _("No")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class QAEventKind(models.TextChoices):
    SAMPLED = "sampled", _("Sampled for QA")
    ASSIGNED = "assigned", _("Assigned to a reviewer")
    SUBMITTED = "submitted", _("Scored")
    CONTESTED = "contested", _("Contested by the specialist")
    UPHELD = "upheld", _("Upheld by a team lead")
    AMENDED = "amended", _("Amended by a team lead")


class CalibrationStatus(models.TextChoices):
    """A calibration is open while its participants score it blind, closed once the lead ends it."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")

    @property
    def badge(self) -> str:
        return "amber" if self == CalibrationStatus.OPEN else "slate"
