"""Disputes the reimbursement tests value and pay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from disputes import services as dispute_services
from disputes.status import Status
from evidence.models import CustomerReturn
from evidence.services import import_records
from reimbursements.models import Reimbursement, Reversal
from reimbursements.services import complete_reversal
from tests.factories import SellerFactory, SkuFactory, in_status


def dispute_for(
    *, currency: str, value: str, sku_currency: str | None = None, quantity=3, assignee=None
):
    """A dispute in review of a seller paid in `currency`, on a SKU worth `value`."""
    seller = SellerFactory(default_currency=currency)
    SkuFactory(
        seller=seller,
        sku="ITEM-1",
        reference_value=Decimal(value),
        currency=sku_currency or currency,
    )
    return in_status(
        Status.IN_REVIEW, seller=seller, sku="ITEM-1", quantity=quantity, assignee=assignee
    )


def buyer_damaged_return(dispute, disposition="customer_damaged"):
    """Make `dispute` a damaged-return claim whose return record gives `disposition`."""
    dispute.claim_type, dispute.order_id = "return_damaged", "111-0000001-0000001"
    dispute.save(update_fields=["claim_type", "order_id"])
    CustomerReturn.objects.create(
        record_id=f"R-{dispute.pk}",
        seller_id=dispute.seller_id,
        order_id=dispute.order_id,
        sku=dispute.sku,
        quantity=1,
        refund_date=date(2026, 11, 1),
        received_date=date(2026, 11, 9),
        disposition=disposition,
    )
    return dispute


def decide_paying(*, currency: str, value: str, units: int, by) -> Reimbursement:
    dispute = dispute_for(currency=currency, value=value, quantity=units)
    decision = dispute_services.decide_dispute(
        dispute=dispute,
        by=by,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=units,
    )
    return Reimbursement.objects.get(decision=decision)


def a_unit_turns_up(*, seller, sku: str, record_id: str, by) -> Reversal:
    """A ledger `found` row for a reimbursed SKU, imported, and the reversal it opens completed."""
    import_records(
        kind="ledger",
        rows=[
            {
                "record_id": record_id,
                "seller_id": seller.seller_id,
                "event_date": date.today().isoformat(),
                "sku": sku,
                "fulfillment_center": "PHX7",
                "event_type": "found",
                "quantity": 1,
            }
        ],
    )
    return complete_reversal(reversal=Reversal.objects.get(record_id=record_id), by=by)
