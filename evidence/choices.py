"""What evidence can be: the kinds of uploaded file and of imported operational record.

The lowest module of the evidence app: the claim type registry and the models both read it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    INVOICE = "invoice", _("Invoice")
    PROOF_OF_DELIVERY = "proof_of_delivery", _("Proof of delivery")
    STATEMENT = "statement", _("Statement")
    TRACKING = "tracking", _("Tracking record")
    DIMENSIONS = "dimensions", _("Dimensions or weight proof")
    OTHER = "other", _("Other")


class RecordKind(models.TextChoices):
    LEDGER = "ledger", _("Inventory ledger")
    SHIPMENTS = "shipments", _("Inbound shipments")
    RETURNS = "returns", _("Customer returns")
    CARRIER_SCANS = "carrier-scans", _("Carrier scans")
    REMOVALS = "removals", _("Removal orders")
