"""Reads of evidence and of the operational records that bear on a case."""

from __future__ import annotations

from disputes.models import Dispute
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    LedgerEvent,
    RemovalOrderLine,
    ShipmentLine,
)

RECORDS_PER_KIND = 50


def list_matching_records(*, dispute: Dispute) -> dict[str, list]:
    """The records that match the claim's identifiers: at most one query per kind."""
    seller = dispute.seller_id
    records: dict[str, list] = {}
    if dispute.sku or dispute.fnsku:
        ledger = LedgerEvent.objects.filter(seller_id=seller)
        ledger = (
            ledger.filter(sku=dispute.sku) if dispute.sku else ledger.filter(fnsku=dispute.fnsku)
        )
        records["ledger"] = list(ledger.order_by("-event_date", "-id")[:RECORDS_PER_KIND])
    if dispute.shipment_id:
        records["shipments"] = list(
            ShipmentLine.objects.filter(seller_id=seller, shipment_id=dispute.shipment_id).order_by(
                "sku"
            )[:RECORDS_PER_KIND]
        )
    if dispute.order_id:
        records["returns"] = list(
            CustomerReturn.objects.filter(seller_id=seller, order_id=dispute.order_id).order_by(
                "-refund_date"
            )[:RECORDS_PER_KIND]
        )
    if dispute.tracking_id:
        records["carrier_scans"] = list(
            CarrierScan.objects.filter(seller_id=seller, tracking_id=dispute.tracking_id).order_by(
                "event_time"
            )[:RECORDS_PER_KIND]
        )
    if dispute.removal_order_id:
        records["removals"] = list(
            RemovalOrderLine.objects.filter(
                seller_id=seller, removal_order_id=dispute.removal_order_id
            )[:RECORDS_PER_KIND]
        )
    return records


def returned_damaged_by_buyer(*, dispute: Dispute) -> bool:
    """Whether the return records of the claim's order say the buyer damaged the units."""
    if not dispute.order_id:
        return False
    returns = CustomerReturn.objects.filter(seller_id=dispute.seller_id, order_id=dispute.order_id)
    if dispute.sku:
        returns = returns.filter(sku=dispute.sku)
    return returns.filter(disposition=CustomerReturn.Disposition.CUSTOMER_DAMAGED).exists()
