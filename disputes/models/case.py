"""The case itself: the dispute, its reference numbers, escalations and decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import DateTimeField, DecimalField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.money import CURRENCY_CHOICES
from disputes.check_codes import RootCause
from disputes.claim_types import ClaimTypeCode, DefectKind
from disputes.models.queue import Queue
from disputes.status import (
    ACTIVE,
    TERMINAL,
    Channel,
    EscalationTeam,
    Outcome,
    Priority,
    ReasonCode,
    Status,
)
from sellers.models import Language, Seller


class ReferenceSequence(models.Model):
    """The last number handed out for each year's human references (DSP-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


CLAIM_TYPE_LABELS = dict(ClaimTypeCode.choices)

# Cases without a running clock sort after every dated one.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def sla_due() -> Coalesce:
    """The case list's default sort key; the same expression is indexed (dispute_list_sla)."""
    return Coalesce("sla_next_deadline_at", Value(NO_DEADLINE), output_field=DateTimeField())


def amount_sort() -> Coalesce:
    """The "claimed amount" sort key: cases without an amount count as zero (indexed too)."""
    return Coalesce(
        "amount", Value(Decimal("0")), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


class Dispute(TimeStampedModel):
    """A seller's dispute: the case a specialist works from filing to closing."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="disputes")
    claim_type = models.CharField(_("claim type"), max_length=32, choices=ClaimTypeCode.choices)
    # The claim's fields: the same names in the registry, forms, API and CSV.
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    fnsku = models.CharField(_("FNSKU"), max_length=32, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    fulfillment_center = models.CharField(_("fulfilment centre"), max_length=16, blank=True)
    shipment_id = models.CharField(_("shipment id"), max_length=40, blank=True)
    order_id = models.CharField(_("order id"), max_length=40, blank=True)
    tracking_id = models.CharField(_("tracking id"), max_length=64, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    removal_order_id = models.CharField(_("removal order id"), max_length=40, blank=True)
    reimbursement_id = models.CharField(_("reimbursement id"), max_length=40, blank=True)
    transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)
    defect_kind = models.CharField(
        _("defect kind"), max_length=24, blank=True, choices=DefectKind.choices
    )
    claim_id = models.CharField(_("claim id"), max_length=40, blank=True)
    event_date = models.DateField(_("event date"), null=True, blank=True)
    amount = models.DecimalField(
        _("claimed amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    description = models.TextField(_("description"), blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_disputes",
    )
    language = models.CharField(
        _("language"), max_length=7, choices=Language.choices, default=Language.EN
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filed_disputes"
    )
    # Makes a retried submission (double click, refresh, API retry) return the first dispute.
    # The SHA-256 of the filer's idempotency key (any length), and of what was filed with it: a
    # retry with the same key and body gets this dispute, another body under the key a 422.
    submission_key = models.CharField(max_length=80, blank=True)
    submission_fingerprint = models.CharField(max_length=64, blank=True, db_default="")

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reason_code = models.CharField(
        _("reason code"), max_length=32, choices=ReasonCode.choices, blank=True
    )
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_disputes",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal_deadline_at = models.DateTimeField(null=True, blank=True)
    appeal_count = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_disputes"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # Clocks. The team's: first response and resolution; paused while awaiting the seller.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    # The earliest deadline still ahead; the SLA sweep reads only rows where it is due.
    sla_next_deadline_at = models.DateTimeField(null=True, blank=True)
    # The seller's: set by a request for information.
    seller_response_due_at = models.DateTimeField(null=True, blank=True)
    seller_reminder_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    # The latest check report, copied here for the case list's column and filter.
    latest_check_run = models.ForeignKey(
        "disputes.CheckRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    eligible_quantity = models.PositiveIntegerField(_("eligible quantity"), null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    # Bumped by every status change: a stale form or a concurrent change is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispute")
        permissions = [
            ("work_dispute", "Can work disputes (reply, request information, decide)"),
            ("assign_dispute_to_others", "Can assign and reassign disputes to anyone"),
            ("supervise_dispute", "Can act on any dispute, close and bulk-change"),
            ("review_quality", "Can review decided disputes for quality"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="dispute_amount_not_negative",
            ),
            models.UniqueConstraint(
                fields=["seller", "submission_key"],
                condition=~Q(submission_key=""),
                name="dispute_unique_submission_key",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "queue", "priority"], name="dispute_status_queue"),
            models.Index(fields=["seller", "-created_at", "-id"], name="dispute_seller_newest"),
            # Covers the seller-history counts on the case page (an index-only scan).
            models.Index(fields=["seller", "status", "outcome"], name="dispute_seller_history"),
            # The case lists' orders, so a first page reads 21 index entries, not every case.
            models.Index(
                sla_due(), F("priority").desc(), "created_at", "id", name="dispute_list_sla"
            ),
            models.Index(
                F("priority").desc(), sla_due(), "created_at", "id", name="dispute_list_priority"
            ),
            models.Index(fields=["created_at", "id"], name="dispute_list_age"),
            # The service dashboard's backlog (open cases by status and age): an index-only scan.
            models.Index(fields=["status", "created_at"], name="dispute_status_age"),
            models.Index(amount_sort().desc(), F("id").desc(), name="dispute_list_amount"),
            models.Index(fields=["assignee", "status"], name="dispute_assignee_status"),
            models.Index(fields=["claim_type", "status"], name="dispute_type_status"),
            # A seller's claims on a SKU, by type: the duplicate check reads only these.
            models.Index(fields=["seller", "sku", "claim_type"], name="dispute_seller_sku_type"),
            models.Index(fields=["order_id"], name="dispute_order"),
            models.Index(fields=["shipment_id"], name="dispute_shipment"),
            models.Index(fields=["tracking_id"], name="dispute_tracking"),
            # Search reads each identifier through its own index (see filters.search_q).
            models.Index(fields=["sku"], name="dispute_sku"),
            models.Index(fields=["fnsku"], name="dispute_fnsku"),
            models.Index(fields=["removal_order_id"], name="dispute_removal_order"),
            models.Index(fields=["claim_id"], name="dispute_claim"),
            models.Index(fields=["transaction_id"], name="dispute_transaction"),
            # Partial indexes keep the sweeps' reads proportional to what is due.
            models.Index(
                fields=["sla_next_deadline_at"],
                name="dispute_sla_due",
                condition=Q(status__in=sorted(ACTIVE)),
            ),
            models.Index(
                fields=["seller_response_due_at"],
                name="dispute_seller_due",
                condition=Q(status=Status.AWAITING_SELLER),
            ),
            models.Index(
                fields=["seller_reminder_at"],
                name="dispute_seller_reminder",
                condition=Q(status=Status.AWAITING_SELLER),
            ),
            models.Index(
                fields=["appeal_deadline_at"],
                name="dispute_appeal_due",
                condition=Q(status=Status.DECIDED),
            ),
            # Get-next: the most urgent queued case first.
            models.Index(
                fields=["sla_next_deadline_at", "-priority", "created_at"],
                name="dispute_next_case",
                condition=Q(status__in=[Status.APPEALED, Status.OPEN]),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_claim_type_display(self) -> str:
        # Django's generic version rebuilds a dict of every choice on each call; lists call it
        # once per row.
        return CLAIM_TYPE_LABELS.get(self.claim_type, self.claim_type)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


class Escalation(models.Model):
    """A question to a peer team and, once it comes, their answer."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="escalations")
    team = models.CharField(_("team"), max_length=24, choices=EscalationTeam.choices)
    reason = models.TextField(_("reason"))
    # Empty when Arbiter escalated by itself (an SLA breach policy).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(resolved_at__isnull=True),
                name="escalation_one_open_per_dispute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} → {self.team}"


class Decision(models.Model):
    """A decision on a dispute; an appeal adds a second one."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason_code = models.CharField(max_length=32, choices=ReasonCode.choices)
    approved_quantity = models.PositiveIntegerField(null=True, blank=True)
    # Of the approved units, how many are replaced by units instead of paid in money.
    replaced_quantity = models.PositiveIntegerField(default=0, db_default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    explanation = models.TextField(blank=True)
    # The root cause the specialist confirmed (or corrected) from the checks' suggestion.
    root_cause = models.CharField(max_length=24, choices=RootCause.choices, blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    on_appeal = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="decision_amount_not_negative",
            ),
            models.UniqueConstraint(fields=["dispute", "on_appeal"], name="decision_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.outcome}"
