"""The status machine of a dispute: statuses, outcomes, priorities and the one transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_SELLER = "awaiting_seller", _("Awaiting seller")
    ESCALATED = "escalated", _("Escalated")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")

    @property
    def badge(self) -> str:
        return BADGES[self]


BADGES = {
    Status.SUBMITTED: "grey",
    Status.OPEN: "blue",
    Status.IN_REVIEW: "indigo",
    Status.AWAITING_SELLER: "amber",
    Status.ESCALATED: "purple",
    Status.DECIDED: "green",
    Status.APPEALED: "orange",
    Status.CLOSED: "slate",
    Status.WITHDRAWN: "slate",
    Status.MERGED: "slate",
}

S = Status
ALLOWED: dict[Status, frozenset[Status]] = {
    S.SUBMITTED: frozenset({S.OPEN, S.WITHDRAWN, S.MERGED}),
    S.OPEN: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.MERGED}),
    S.IN_REVIEW: frozenset({S.AWAITING_SELLER, S.ESCALATED, S.DECIDED, S.WITHDRAWN, S.MERGED}),
    # Silence past the seller's deadline closes the case.
    S.AWAITING_SELLER: frozenset({S.IN_REVIEW, S.CLOSED, S.WITHDRAWN}),
    S.ESCALATED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.CLOSED, S.APPEALED}),
    # An appeal goes back to a queue and is taken by another specialist.
    S.APPEALED: frozenset({S.IN_REVIEW}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}

TERMINAL = frozenset(s for s, targets in ALLOWED.items() if not targets)
# Not terminal: the case can still change.
WORKING = frozenset(S) - TERMINAL
# Done with, for counts of a seller's "open" cases: terminal, or decided and waiting on nothing.
FINISHED = TERMINAL | {S.DECIDED}
# Statuses in which the team owes the seller work (the SLA clock can run).
ACTIVE = frozenset({S.SUBMITTED, S.OPEN, S.IN_REVIEW, S.ESCALATED, S.APPEALED})
# Statuses a specialist can pick up from a queue.
QUEUED = frozenset({S.OPEN, S.APPEALED})
# Statuses before a decision: the seller may still withdraw.
UNDECIDED = frozenset({S.SUBMITTED, S.OPEN, S.IN_REVIEW, S.AWAITING_SELLER, S.ESCALATED})


# Changes that keep the status, and the statuses each is possible in. The moves between statuses
# are ALLOWED above; disputes.case.require_status checks against this table.
IN_PLACE: dict[str, frozenset[Status]] = {
    "reply": WORKING - {S.SUBMITTED},
    "seller_message": WORKING,
    "add_evidence": WORKING,
    "change_priority": WORKING,
    "reassign": frozenset({S.IN_REVIEW, S.AWAITING_SELLER, S.ESCALATED}),
}


def can_move(current: str, target: str) -> bool:
    return Status(target) in ALLOWED[Status(current)]


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    PARTIALLY_APPROVED = "partially_approved", _("Partially approved")
    DENIED = "denied", _("Denied")

    @property
    def badge(self) -> str:
        return {"approved": "green", "partially_approved": "teal", "denied": "red"}[self.value]


class ReasonCode(models.TextChoices):
    RECORDS_CONFIRM_LOSS = "records_confirm_loss", _("Our records confirm the loss or damage")
    RECORDS_CONFIRM_PART = "records_confirm_part", _("Our records confirm part of the claim")
    ALREADY_REIMBURSED = "already_reimbursed", _("These units were already reimbursed")
    UNITS_FOUND = "units_found", _("The units were found and returned to your inventory")
    OUTSIDE_WINDOW = "outside_window", _("The claim was filed outside the filing window")
    NOT_YET_ELIGIBLE = "not_yet_eligible", _("The claim is not yet eligible")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("The evidence does not support the claim")
    SELLER_RESPONSIBLE = "seller_responsible", _("The damage was caused by prep or packaging")
    CARRIER_CONFIRMED = "carrier_confirmed", _("The carrier confirmed the loss or damage")
    DELIVERY_CONFIRMED = "delivery_confirmed", _("The carrier confirmed delivery")
    DEFECT_REMOVED = "defect_removed", _("The defect was removed from your account")
    FEE_CORRECT = "fee_correct", _("The fee matches the item's measured size and weight")
    FEE_CORRECTED = "fee_corrected", _("The fee was corrected and the difference refunded")
    OTHER = "other", _("Other (explained in the message)")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")

    @property
    def badge(self) -> str:
        return {1: "slate", 2: "blue", 3: "amber", 4: "red"}[self.value]


class EscalationTeam(models.TextChoices):
    FRAUD = "fraud_investigation", _("Fraud investigation")
    LOGISTICS = "logistics_partner", _("Logistics partner")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")
    TEAM_LEAD = "team_lead", _("Team lead")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    INTERNAL = "internal", _("Internal")
