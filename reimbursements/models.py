"""Reimbursement policies (versioned numbers per claim type) and the reimbursements paid."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.money import CURRENCY_CHOICES
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


class Reimbursement(TimeStampedModel):
    """Money or replacement units owed to a seller for a decided dispute."""

    Status = ReimbursementStatus

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="reimbursements")
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="reimbursement"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="reimbursements")
    reference = models.CharField(max_length=24, unique=True)
    sku = models.CharField(max_length=64, blank=True)
    # The dispute's claim type, kept here so "already paid for these units" reads one table.
    claim_type = models.CharField(max_length=32, blank=True)
    quantity_cash = models.PositiveIntegerField(default=0)
    quantity_replaced = models.PositiveIntegerField(default=0)
    unit_value = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=16, choices=Status.choices)
    policy_version = models.PositiveIntegerField()
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reimbursement")
        permissions = [
            ("approve_reimbursement", "Can approve reimbursements above the threshold"),
            ("export_reimbursement", "Can export reimbursements for finance"),
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
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at"], name="reimb_seller_created"),
            models.Index(fields=["status", "-created_at"], name="reimb_status_created"),
            models.Index(fields=["seller", "sku", "claim_type"], name="reimb_seller_sku_type"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency}"

    @property
    def quantity(self) -> int:
        return self.quantity_cash + self.quantity_replaced


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
