"""Reads of evidence and of the operational records that bear on a case."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.db.models.functions import Abs

from disputes.models import Dispute
from disputes.status import TERMINAL, Status
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    EvidenceFile,
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


def _sku_events(seller_id: int, sku: str, event_types: tuple[str, ...], fulfillment_center: str):
    """A SKU's ledger events of these types, at one centre when the claim names one."""
    rows = LedgerEvent.objects.filter(seller_id=seller_id, sku=sku, event_type__in=event_types)
    return rows.filter(fulfillment_center=fulfillment_center) if fulfillment_center else rows


def sum_ledger_units(
    *, seller_id: int, sku: str, event_types: tuple[str, ...], fulfillment_center: str = ""
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Units per event type of a SKU's ledger (one index-only aggregate), the units per
    fulfilment centre, and the ids of the latest rows counted (at most RECORDS_PER_KIND)."""
    rows = _sku_events(seller_id, sku, event_types, fulfillment_center)
    totals: dict[str, int] = dict.fromkeys(event_types, 0)
    by_centre: dict[str, int] = {}
    # Ledgers differ in sign (a loss may be booked as -2 or as 2): the event type says which way.
    units_by_type = rows.values_list("event_type", "fulfillment_center").annotate(
        units=Sum(Abs("quantity"))
    )
    for event_type, centre, units in units_by_type:
        totals[event_type] += units
        by_centre[centre] = by_centre.get(centre, 0) + units
    record_ids = list(
        rows.order_by("-event_date", "-record_id").values_list("record_id", flat=True)[
            :RECORDS_PER_KIND
        ]
    )
    return totals, by_centre, record_ids


def list_shipment_lines(*, seller_id: int, shipment_id: str, sku: str = "") -> list[ShipmentLine]:
    lines = ShipmentLine.objects.filter(seller_id=seller_id, shipment_id=shipment_id)
    return list((lines.filter(sku=sku) if sku else lines)[:RECORDS_PER_KIND])


def list_returns(*, seller_id: int, order_id: str, sku: str = "") -> list[CustomerReturn]:
    returns = CustomerReturn.objects.filter(seller_id=seller_id, order_id=order_id)
    return list((returns.filter(sku=sku) if sku else returns)[:RECORDS_PER_KIND])


def list_carrier_scans(*, seller_id: int, tracking_id: str) -> list[CarrierScan]:
    scans = CarrierScan.objects.filter(seller_id=seller_id, tracking_id=tracking_id)
    return list(scans.order_by("event_time")[:RECORDS_PER_KIND])


def list_removal_lines(*, seller_id: int, removal_order_id: str, sku: str = "") -> list:
    lines = RemovalOrderLine.objects.filter(seller_id=seller_id, removal_order_id=removal_order_id)
    return list((lines.filter(sku=sku) if sku else lines)[:RECORDS_PER_KIND])


def find_reused_files(
    *, dispute: Dispute, sha256s: list[str], perceptual_hashes: list[str] = ()
) -> tuple[list[str], list[str]]:
    """Disputes of other sellers, and other disputes of this seller, holding the same files or
    the same pictures re-saved or resized (references, at most RECORDS_PER_KIND each)."""
    alike = Q(sha256__in=sha256s)
    if perceptual_hashes:
        alike |= Q(perceptual_hash__in=[h for h in perceptual_hashes if h])
    same = EvidenceFile.objects.filter(alike).exclude(dispute=dispute)
    others = same.exclude(dispute__seller_id=dispute.seller_id)
    own = same.filter(dispute__seller_id=dispute.seller_id)
    return (
        sorted(set(others.values_list("dispute__reference", flat=True)[:RECORDS_PER_KIND])),
        sorted(set(own.values_list("dispute__reference", flat=True)[:RECORDS_PER_KIND])),
    )


# For each record kind: the claim field a record is matched on, besides the seller.
TOUCHING_FIELDS = {
    "ledger": "sku",
    "shipments": "shipment_id",
    "returns": "order_id",
    "carrier-scans": "tracking_id",
    "removals": "removal_order_id",
}


def touching_keys(*, kind: str, records: list) -> list[tuple[int, str]]:
    """What new records bear on: (seller, SKU / shipment / order / tracking / removal id)."""
    name = TOUCHING_FIELDS[kind]
    return sorted({(r.seller_id, getattr(r, name)) for r in records})


def list_open_disputes_touching(*, kind: str, keys) -> list[int]:
    """Ids of the cases being worked (opened, not finished) of these (seller, identifier)
    pairs of a record kind. One query."""
    name = TOUCHING_FIELDS[kind]
    pairs = {(seller, value) for seller, value in keys}
    if not pairs:
        return []
    sellers = {seller for seller, _value in pairs}
    values = {value for _seller, value in pairs}
    candidates = (
        Dispute.objects.filter(seller_id__in=sellers, **{f"{name}__in": values})
        .exclude(status__in=[*TERMINAL, Status.SUBMITTED])
        .values_list("pk", "seller_id", name)
    )
    return [pk for pk, seller, value in candidates if (seller, value) in pairs]


def list_open_disputes_touched_by(*, kind: str, records: list) -> list[int]:
    """Ids of the cases being worked that new records bear on: the same seller and SKU,
    shipment, order, tracking or removal id."""
    return list_open_disputes_touching(kind=kind, keys=touching_keys(kind=kind, records=records))


def latest_ledger_event(
    *, seller_id: int, sku: str, event_types: tuple[str, ...], fulfillment_center: str = ""
):
    """(date, [record id]) of the SKU's latest event of these types, or (None, [])."""
    rows = _sku_events(seller_id, sku, event_types, fulfillment_center)
    latest = (
        rows.order_by("-event_date", "-record_id").values_list("event_date", "record_id").first()
    )
    return (latest[0], [latest[1]]) if latest else (None, [])
