"""Reimbursement policies (versioned numbers per claim type) and the reimbursements paid."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.money import CURRENCY_CHOICES, quantize
from disputes.claim_types import ClaimTypeCode
from disputes.models import Decision, Dispute
from reimbursements.status import ReimbursementStatus
from sellers.models import Seller


class ReimbursementPolicy(TimeStampedModel):
    """The numbers that decide a claim type's eligibility and value; a new version per change."""

    claim_type = models.CharField(_("claim type"), max_length=32, choices=ClaimTypeCode.choices)
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=True)
    filing_window_days = models.PositiveIntegerField(_("filing window (days)"))
    opens_after_days = models.PositiveIntegerField(_("opens after (days)"), default=0)
    max_unit_value_usd = models.DecimalField(
        _("cap per unit (USD)"), max_digits=14, decimal_places=2, default=Decimal("5000.00")
    )
    # Share of the unit value paid when the buyer damaged a return (0.50 = 50%).
    buyer_damage_rate = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.50"))
    approval_threshold_usd = models.DecimalField(
        _("second approval above (USD)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("1000.00"),
    )
    seller_response_days = models.PositiveIntegerField(default=14)
    appeal_window_days = models.PositiveIntegerField(default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["claim_type", "-version"]
        verbose_name = _("reimbursement policy")
        verbose_name_plural = _("reimbursement policies")
        constraints = [
            models.UniqueConstraint(fields=["claim_type", "version"], name="policy_unique_version"),
            models.UniqueConstraint(
                fields=["claim_type"],
                condition=Q(is_active=True),
                name="policy_one_active_per_type",
            ),
            models.CheckConstraint(
                condition=Q(buyer_damage_rate__gte=0) & Q(buyer_damage_rate__lte=1),
                name="policy_rate_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_claim_type_display()} v{self.version}"


class PayoutBatch(TimeStampedModel):
    """Approved reimbursements of one currency that finance pays together; `paid` once the
    payments system confirms them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        PAID = "paid", _("Paid")

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    marketplace = models.CharField(_("marketplace"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    item_count = models.PositiveIntegerField(_("payouts"))
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A payments system's retries of "create a batch" carry the same key and get the same batch.
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="batch_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(paid_at__isnull=False) & ~Q(payment_reference="")),
                name="batch_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.total} {self.currency}"


class Reimbursement(TimeStampedModel):
    """Money or replacement units owed to a seller for a decided dispute: a payout."""

    Status = ReimbursementStatus

    class ApprovalReason(models.TextChoices):
        NONE = "", _("No approval needed")
        ABOVE_THRESHOLD = "above_threshold", _("Above the approval threshold")
        OVERRIDE = "override", _("Amount differs from the proposal")
        REVISED = "revised", _("Revised after a team lead sent it back")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="reimbursements")
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="reimbursement"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="reimbursements")
    reference = models.CharField(max_length=24, unique=True)
    sku = models.CharField(max_length=64, blank=True)
    # The dispute's claim type, kept here so the reversal watch reads one table.
    claim_type = models.CharField(max_length=32, blank=True)
    # Which units these are (see selectors.source_key_of): the same key is never paid twice.
    source_key = models.CharField(max_length=160, blank=True, db_default="")
    quantity_cash = models.PositiveIntegerField(default=0)
    quantity_replaced = models.PositiveIntegerField(default=0)
    unit_value = models.DecimalField(max_digits=14, decimal_places=2)
    rate = models.DecimalField(max_digits=4, decimal_places=2, default=1, db_default=1)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # What the policy proposed for the same units, beside the amount asked (None: no proposal).
    proposed_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=16, choices=Status.choices)
    approval_reason = models.CharField(
        max_length=16, choices=ApprovalReason.choices, blank=True, db_default=""
    )
    # The maker's words for a different amount or a revision, shown to the approver.
    maker_reason = models.TextField(blank=True, db_default="")
    policy_version = models.PositiveIntegerField()
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, db_default="")  # the lead's reason to reject
    batch = models.ForeignKey(
        PayoutBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reimbursements",
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reimbursement")
        permissions = [
            ("approve_reimbursement", "Can approve reimbursements above the threshold"),
            ("export_reimbursement", "Can export reimbursements for finance"),
            ("pay_reimbursement", "Can batch approved reimbursements and mark them paid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(unit_value__gte=0),
                name="reimbursement_amount_not_negative",
            ),
            # Maker-checker: the person who proposed it never approves it.
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("maker")),
                name="reimbursement_approver_not_maker",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False, batch__isnull=False),
                name="reimbursement_paid_in_a_batch",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at"], name="reimb_seller_created"),
            models.Index(fields=["status", "created_at"], name="reimb_status_created"),
            models.Index(fields=["seller", "source_key"], name="reimb_seller_source"),
            models.Index(fields=["seller", "sku", "claim_type"], name="reimb_seller_sku_type"),
            models.Index(fields=["paid_at"], name="reimb_paid_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency}"

    @property
    def quantity(self) -> int:
        return self.quantity_cash + self.quantity_replaced

    @property
    def adds_up(self) -> bool:
        """Whether "units × unit value × rate" is the amount (an override is not)."""
        if not self.quantity_cash:
            return False
        return quantize(self.unit_value * self.quantity_cash * self.rate, self.currency) == (
            self.amount
        )


class PayoutSource(models.Model):
    """The units of one source (a shipment's SKU, an order's SKU, a tracking id, …) paid for,
    on every case: a payout takes this row's lock, and never pays beyond its cap."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=160)
    # The most units any record or decision said this source lost.
    units_cap = models.PositiveIntegerField(default=0)
    units_paid = models.IntegerField(default=0)  # payouts minus completed reversals

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "key"], name="payout_source_unique"),
            models.CheckConstraint(
                condition=Q(units_paid__gte=0) & Q(units_paid__lte=F("units_cap")),
                name="payout_source_never_twice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.units_paid}/{self.units_cap}"


class Reversal(TimeStampedModel):
    """Units reimbursed and later found or returned: money to take back from the seller.

    Opened by the reversal watch; a specialist completes it (it then counts against what the
    case paid) or cancels it with a reason. Its amount is negative, as on a statement."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(max_length=24, unique=True)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="reversals")
    reimbursement = models.ForeignKey(
        Reimbursement, on_delete=models.PROTECT, related_name="reversals"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="reversals")
    status = models.CharField(max_length=12, choices=Status.choices)
    quantity = models.PositiveIntegerField()
    unit_value = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The record that revealed it: a ledger `found` event or a received return.
    record_kind = models.CharField(max_length=24)
    record_id = models.CharField(max_length=64)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reversal")
        constraints = [
            models.CheckConstraint(condition=Q(amount__lte=0), name="reversal_amount_negative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reversal_has_units"),
            # Importing the same record again never opens a second reversal.
            models.UniqueConstraint(
                fields=["reimbursement", "record_id"], name="reversal_once_per_record"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="reversal_pending_oldest",
            ),
            models.Index(fields=["seller", "-created_at"], name="reversal_seller_created"),
            models.Index(fields=["resolved_at"], name="reversal_resolved_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency}"


class FeeTable(TimeStampedModel):
    """The fulfilment fee per unit by size tier, in one currency; a new version per change."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["currency", "-version"]
        verbose_name = _("fee table")
        constraints = [
            models.UniqueConstraint(fields=["currency", "version"], name="fee_table_version"),
            models.UniqueConstraint(
                fields=["currency"], condition=Q(is_active=True), name="fee_table_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} v{self.version}"


class FeeTier(models.Model):
    """A size tier: the largest item it takes, and the fee per unit charged for it."""

    table = models.ForeignKey(FeeTable, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("tier"), max_length=60)
    max_longest_cm = models.DecimalField(
        _("longest side up to (cm)"), max_digits=7, decimal_places=1
    )
    max_weight_g = models.PositiveIntegerField(_("weight up to (g)"))
    fee = models.DecimalField(_("fee per unit"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["table", "max_weight_g", "max_longest_cm"]
        verbose_name = _("fee tier")
        constraints = [models.CheckConstraint(condition=Q(fee__gte=0), name="fee_not_negative")]

    def __str__(self) -> str:
        return f"{self.name}: {self.fee}"
