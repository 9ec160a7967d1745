"""The status machine of a reimbursement: its statuses and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReimbursementStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed")

    @property
    def badge(self) -> str:
        return BADGES[self]


BADGES = {
    ReimbursementStatus.PENDING_APPROVAL: "amber",
    ReimbursementStatus.APPROVED: "blue",
    ReimbursementStatus.REJECTED: "red",
    ReimbursementStatus.PAID: "green",
    ReimbursementStatus.REVERSED: "slate",
}

R = ReimbursementStatus
ALLOWED: dict[ReimbursementStatus, frozenset[ReimbursementStatus]] = {
    R.PENDING_APPROVAL: frozenset({R.APPROVED, R.REJECTED}),
    # A revision after a team lead sent it back: approval again, or approved below the threshold.
    R.REJECTED: frozenset({R.PENDING_APPROVAL, R.APPROVED}),
    R.APPROVED: frozenset({R.PAID, R.REVERSED}),
    R.PAID: frozenset({R.REVERSED}),
    R.REVERSED: frozenset(),
}
