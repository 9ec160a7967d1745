"""Response templates specialists start their replies from, per language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from sellers.models import Language


class ResponseTemplate(TimeStampedModel):
    """A reply a specialist starts from; one row per template code and language."""

    code = models.SlugField(
        _("code"), max_length=60, help_text=_("The same code groups one template's translations.")
    )
    language = models.CharField(
        _("language"), max_length=7, choices=Language.choices, default=Language.EN
    )
    name = models.CharField(_("name"), max_length=120)
    claim_types = models.JSONField(
        _("claim types"),
        default=list,
        blank=True,
        help_text=_("Claim type codes it fits; empty: every type."),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Placeholders: {reference} {seller_name} {claim_type} {sku} {quantity} "
            "{order_id} {shipment_id} {tracking_id} {response_due} {specialist}"
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("response template")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language"], name="template_unique_code_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"
