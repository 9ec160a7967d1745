"""Administration of evidence: files and imported records are looked at, never edited here."""

from __future__ import annotations

from django.contrib import admin

from core.admin import SuperuserDeletableAdmin, ViewOnlyAdmin
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    EvidenceFile,
    LedgerEvent,
    RemovalOrderLine,
    ShipmentLine,
)


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ViewOnlyAdmin):
    list_display = [
        "original_name",
        "dispute",
        "kind",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "sha256", "dispute__reference"]
    list_select_related = ["dispute", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    raw_id_fields = ["dispute", "uploaded_by"]


class RecordAdmin(SuperuserDeletableAdmin):
    """Imported operational records: the source system's word, corrected only by a new import."""

    list_select_related = ["seller"]
    raw_id_fields = ["seller"]
    show_full_result_count = False  # record tables grow large; one COUNT is enough
    date_hierarchy = "imported_at"


@admin.register(LedgerEvent)
class LedgerEventAdmin(RecordAdmin):
    list_display = [
        "record_id",
        "seller",
        "event_date",
        "event_type",
        "sku",
        "fulfillment_center",
        "quantity",
    ]
    list_filter = ["event_type", "fulfillment_center"]
    search_fields = ["record_id", "sku", "fnsku", "reference_id", "seller__seller_id"]
    date_hierarchy = "event_date"


@admin.register(ShipmentLine)
class ShipmentLineAdmin(RecordAdmin):
    list_display = [
        "record_id",
        "seller",
        "shipment_id",
        "sku",
        "quantity_shipped",
        "quantity_received",
        "closed_date",
    ]
    search_fields = ["record_id", "shipment_id", "sku", "seller__seller_id"]


@admin.register(CustomerReturn)
class CustomerReturnAdmin(RecordAdmin):
    list_display = [
        "record_id",
        "seller",
        "order_id",
        "sku",
        "quantity",
        "refund_date",
        "received_date",
        "disposition",
    ]
    list_filter = ["disposition"]
    search_fields = ["record_id", "order_id", "sku", "seller__seller_id"]
    date_hierarchy = "refund_date"


@admin.register(CarrierScan)
class CarrierScanAdmin(RecordAdmin):
    list_display = [
        "record_id",
        "seller",
        "tracking_id",
        "carrier",
        "event",
        "event_time",
        "exception_code",
    ]
    list_filter = ["event", "carrier"]
    search_fields = ["record_id", "tracking_id", "seller__seller_id"]
    date_hierarchy = "event_time"


@admin.register(RemovalOrderLine)
class RemovalOrderLineAdmin(RecordAdmin):
    list_display = [
        "record_id",
        "seller",
        "removal_order_id",
        "sku",
        "quantity_shipped",
        "quantity_delivered",
        "shipped_date",
    ]
    search_fields = ["record_id", "removal_order_id", "sku", "seller__seller_id"]
    date_hierarchy = "shipped_date"
