"""What supports or refutes a claim: uploaded files and the marketplace's operational records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute
from evidence.choices import EvidenceKind
from sellers.models import Seller

# The extension of each accepted type, which is all a stored name keeps of what was sent.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/csv": ".csv",
}


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    # Never the user's file name: a random name under the dispute's folder, with the extension
    # of the type its content was found to be.
    return f"evidence/{instance.dispute_id}/{uuid.uuid4().hex}{EXTENSIONS[instance.content_type]}"


class EvidenceFile(models.Model):
    """A file attached to a dispute: validated, hashed and never changed afterwards."""

    class ContentType(models.TextChoices):
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        WEBP = "image/webp", "WebP"
        PDF = "application/pdf", "PDF"
        CSV = "text/csv", "CSV"

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=32, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # Photos: a perceptual hash (the same picture resized or re-saved hashes alike) and when
    # the camera says it was taken (EXIF), for the reuse and photo-date checks.
    perceptual_hash = models.CharField(max_length=16, blank=True, db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "sha256"], name="evidence_unique_file_per_dispute"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def download_name(self) -> str:
        """The uploader's name with the extension of what the file is (`shell.php` that is a
        PNG downloads as `shell.png`)."""
        extension = EXTENSIONS[self.content_type]
        stem = PurePath(self.original_name).stem or "evidence"
        return stem + extension


def _refuse_future(errors: dict, **dates) -> None:
    """A record of something that has not happened yet is a mistake in the source system."""
    # Today in the current time zone costs more than the rest of an imported row's checks; every
    # zone's today is within a day of UTC's (offsets run from -12 to +14 hours), so an older day
    # is past anywhere without asking.
    surely_past = datetime.now(UTC).date() - timedelta(days=1)
    for name, value in dates.items():
        day = value.date() if isinstance(value, datetime) else value
        if isinstance(day, date) and day > surely_past and day > timezone.localdate():
            errors[name] = _("The date is in the future.")


def _refuse_more_than_shipped(errors: dict, *, shipped, name: str, value) -> None:
    if isinstance(shipped, int) and isinstance(value, int) and value > shipped:
        errors[name] = _("More units than were shipped.")


class OperationalRecord(models.Model):
    """Fields every imported record has: the source system's id and the seller it concerns."""

    record_id = models.CharField(max_length=64, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class LedgerEvent(OperationalRecord):
    """A movement in the inventory ledger of a fulfilment centre."""

    class EventType(models.TextChoices):
        RECEIVED = "received", _("Received")
        SHIPPED = "shipped", _("Shipped")
        LOST = "lost", _("Lost")
        FOUND = "found", _("Found")
        DAMAGED_WAREHOUSE = "damaged_warehouse", _("Damaged in warehouse")
        DISPOSED = "disposed", _("Disposed")
        CUSTOMER_RETURN = "customer_return", _("Customer return")

    event_date = models.DateField()
    sku = models.CharField(max_length=64)
    fnsku = models.CharField(max_length=32, blank=True)
    fulfillment_center = models.CharField(max_length=16)
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    quantity = models.IntegerField()
    reference_id = models.CharField(max_length=64, blank=True)

    class Meta:
        permissions = [("import_records", "Can import operational records")]
        indexes = [
            # A case page lists a SKU's latest movements first: read them in index order.
            models.Index(fields=["seller", "sku", "-event_date", "-id"], name="ledger_sku_latest"),
            models.Index(
                fields=["seller", "fnsku", "-event_date", "-id"], name="ledger_fnsku_latest"
            ),
            models.Index(fields=["event_date"], name="ledger_event_date"),
            # The quantity check sums a SKU's lost, found and damaged units from the index alone.
            models.Index(
                fields=["seller", "sku", "event_type"],
                include=["quantity", "fulfillment_center", "event_date", "record_id"],
                name="ledger_sku_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.event_type} {self.quantity} × {self.sku}"

    def clean(self) -> None:
        errors: dict = {}
        _refuse_future(errors, event_date=self.event_date)
        if errors:
            raise ValidationError(errors)


class ShipmentLine(OperationalRecord):
    """One SKU line of an inbound shipment: shipped versus received."""

    shipment_id = models.CharField(max_length=40)
    sku = models.CharField(max_length=64)
    quantity_shipped = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField()
    closed_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "shipment_id"], name="shipment_seller_id")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.sku}"

    def clean(self) -> None:
        errors: dict = {}
        _refuse_future(errors, closed_date=self.closed_date)
        _refuse_more_than_shipped(
            errors,
            shipped=self.quantity_shipped,
            name="quantity_received",
            value=self.quantity_received,
        )
        if errors:
            raise ValidationError(errors)


class CustomerReturn(OperationalRecord):
    """A customer return: when the buyer was refunded and whether the item came back."""

    class Disposition(models.TextChoices):
        SELLABLE = "sellable", _("Sellable")
        CUSTOMER_DAMAGED = "customer_damaged", _("Damaged by the customer")
        WAREHOUSE_DAMAGED = "warehouse_damaged", _("Damaged in the warehouse")
        CARRIER_DAMAGED = "carrier_damaged", _("Damaged by the carrier")
        DEFECTIVE = "defective", _("Defective")
        WRONG_ITEM = "wrong_item", _("Wrong item")

    order_id = models.CharField(max_length=40)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    refund_date = models.DateField()
    received_date = models.DateField(null=True, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "order_id"], name="return_seller_order")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.sku}"

    def clean(self) -> None:
        errors: dict = {}
        _refuse_future(errors, refund_date=self.refund_date, received_date=self.received_date)
        if errors:
            raise ValidationError(errors)


class CarrierScan(OperationalRecord):
    """A scan event of a parcel by a logistics partner."""

    class Event(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        EXCEPTION = "exception", _("Exception")
        DELIVERED = "delivered", _("Delivered")
        LOST = "lost", _("Lost")

    tracking_id = models.CharField(max_length=64)
    carrier = models.CharField(max_length=40)
    event = models.CharField(max_length=12, choices=Event.choices)
    event_time = models.DateTimeField()
    exception_code = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tracking_id", "event_time"], name="scan_tracking")]

    def __str__(self) -> str:
        return f"{self.tracking_id} {self.event}"

    def clean(self) -> None:
        errors: dict = {}
        _refuse_future(errors, event_time=self.event_time)
        if errors:
            raise ValidationError(errors)


class RemovalOrderLine(OperationalRecord):
    """One SKU line of a removal order: shipped back to the seller versus delivered."""

    removal_order_id = models.CharField(max_length=40)
    sku = models.CharField(max_length=64)
    quantity_shipped = models.PositiveIntegerField()
    quantity_delivered = models.PositiveIntegerField()
    shipped_date = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["seller", "removal_order_id"], name="removal_seller_id")]

    def __str__(self) -> str:
        return f"{self.removal_order_id} {self.sku}"

    def clean(self) -> None:
        errors: dict = {}
        _refuse_future(errors, shipped_date=self.shipped_date)
        _refuse_more_than_shipped(
            errors,
            shipped=self.quantity_shipped,
            name="quantity_delivered",
            value=self.quantity_delivered,
        )
        if errors:
            raise ValidationError(errors)
