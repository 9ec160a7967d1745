"""Seller accounts, who may act for them, and their SKU catalog."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.money import CURRENCY_CHOICES


class Language(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"
    JA = "ja", "日本語"


class Marketplace(models.TextChoices):
    US = "US", _("United States")
    UK = "UK", _("United Kingdom")
    DE = "DE", _("Germany")
    JP = "JP", _("Japan")
    CN = "CN", _("China")
    IN = "IN", _("India")


class HealthState(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    AT_RISK = "at_risk", _("At risk")
    RESTRICTED = "restricted", _("Restricted")
    SUSPENDED = "suspended", _("Suspended")

    @property
    def badge(self) -> str:
        return {"healthy": "green", "at_risk": "amber", "restricted": "orange", "suspended": "red"}[
            self.value
        ]


class Seller(TimeStampedModel):
    """A seller account on the marketplace."""

    seller_id = models.CharField(_("seller id"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    marketplace = models.CharField(_("marketplace"), max_length=2, choices=Marketplace.choices)
    default_currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    preferred_language = models.CharField(
        _("preferred language"), max_length=7, choices=Language.choices, default=Language.EN
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    health_state = models.CharField(
        _("account health"),
        max_length=12,
        choices=HealthState.choices,
        default=HealthState.HEALTHY,
    )
    # The claim-quality score: first decisions counted as they are made (appeals do not count
    # twice), so the checks read a seller's record without counting their disputes.
    claims_decided = models.PositiveIntegerField(_("claims decided"), default=0)
    claims_denied = models.PositiveIntegerField(_("claims denied"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self) -> str:
        return f"{self.name} ({self.seller_id})"

    @property
    def denied_share(self) -> float:
        """The share of the seller's decided claims found invalid (0 before any decision)."""
        return self.claims_denied / self.claims_decided if self.claims_decided else 0.0


class SellerMembership(TimeStampedModel):
    """A portal user's right to act for a seller account."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_memberships"
    )
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "seller"], name="membership_unique_user_seller")
        ]
        verbose_name = _("seller membership")

    def __str__(self) -> str:
        return f"{self.user} → {self.seller}"


class Sku(TimeStampedModel):
    """One SKU of a seller's catalog, with the reference value claims are paid at."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="skus")
    sku = models.CharField(_("SKU"), max_length=64)
    fnsku = models.CharField(_("FNSKU"), max_length=32, blank=True)
    asin = models.CharField(_("ASIN"), max_length=16, blank=True)
    title = models.CharField(_("title"), max_length=300)
    reference_value = models.DecimalField(
        _("reference unit value"), max_digits=14, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    length_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    weight_g = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["seller", "sku"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [
            models.UniqueConstraint(fields=["seller", "sku"], name="sku_unique_per_seller"),
            models.CheckConstraint(
                condition=Q(reference_value__gte=0), name="sku_reference_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["seller", "fnsku"], name="sku_seller_fnsku")]

    def __str__(self) -> str:
        return f"{self.sku} — {self.title}"


class RestrictionRecommendation(TimeStampedModel):
    """A specialist's recommendation to restrict a seller account, raised from a case."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    seller = models.ForeignKey(
        Seller, on_delete=models.CASCADE, related_name="restriction_recommendations"
    )
    dispute = models.ForeignKey(
        "disputes.Dispute", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("restriction recommendation")

    def __str__(self) -> str:
        return f"{self.seller} ({self.get_status_display()})"
