"""Response templates specialists start their replies from, per language."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from sellers.models import Language

# The placeholders a template may use, as {name}: a plain substitution, never str.format, so a
# body can neither call formatting code nor walk an object's attributes.
PLACEHOLDERS = (
    "reference",
    "seller_name",
    "claim_type",
    "sku",
    "quantity",
    "order_id",
    "shipment_id",
    "tracking_id",
    "response_due",
    "specialist",
)
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholder_errors(text: str) -> list[str]:
    """What is wrong with a template's placeholders: an unknown name, or a brace that is not
    part of one."""
    errors = [
        gettext("Unknown placeholder {%(name)s}.") % {"name": name}
        for name in PLACEHOLDER.findall(text)
        if name not in PLACEHOLDERS
    ]
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        errors.append(
            gettext("Braces are only for placeholders such as {reference}; remove the others.")
        )
    return errors


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

    def clean(self) -> None:
        errors = {
            name: placeholder_errors(getattr(self, name))
            for name in ("subject", "body")
            if placeholder_errors(getattr(self, name))
        }
        if errors:
            raise ValidationError(errors)
