"""The status machine of a reimbursement: its statuses and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReimbursementStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")

    @property
    def badge(self) -> str:
        return BADGES[self]


BADGES = {
    ReimbursementStatus.PENDING_APPROVAL: "amber",
    ReimbursementStatus.APPROVED: "blue",
    ReimbursementStatus.REJECTED: "red",
    ReimbursementStatus.PAID: "green",
}

R = ReimbursementStatus
ALLOWED: dict[ReimbursementStatus, frozenset[ReimbursementStatus]] = {
    R.PENDING_APPROVAL: frozenset({R.APPROVED, R.REJECTED}),
    # A revision after a team lead sent it back always goes back to a team lead.
    R.REJECTED: frozenset({R.PENDING_APPROVAL}),
    R.APPROVED: frozenset({R.PAID}),
    # Paid is final: goods found later are taken back by a Reversal, not by changing this row.
    R.PAID: frozenset(),
}


class SellerPayoutState(models.TextChoices):
    """What a seller sees of a payout: the maker-checker steps are internal, so a payout a team
    lead sent back reads as on hold, not as a refusal the decision never made."""

    BEING_APPROVED = "being_approved", _("Being approved")
    ON_HOLD = "on_hold", _("On hold: we are checking the amount")
    APPROVED = "approved", _("Approved, to be paid")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Taken back: the units turned up")

    @property
    def badge(self) -> str:
        return SELLER_BADGES[self]

    @classmethod
    def of(cls, status: str) -> SellerPayoutState:
        """The seller's word for a payout status (or "reversed" for a completed reversal)."""
        return SELLER_STATE_OF[status]

    @property
    def shows_amount(self) -> bool:
        """An amount is shown once a team lead stands by it."""
        return self in (self.APPROVED, self.PAID, self.REVERSED)


S = SellerPayoutState
SELLER_BADGES = {
    S.BEING_APPROVED: "amber",
    S.ON_HOLD: "amber",
    S.APPROVED: "blue",
    S.PAID: "green",
    S.REVERSED: "slate",
}
SELLER_STATE_OF = {
    R.PENDING_APPROVAL: S.BEING_APPROVED,
    R.REJECTED: S.ON_HOLD,
    R.APPROVED: S.APPROVED,
    R.PAID: S.PAID,
    "reversed": S.REVERSED,
}
