"""The claim type registry: the one place that says what each kind of dispute needs.

The portal form, the workspace, the API serializers and the checks all read this table.
Policy numbers that change (windows, rates, caps) live in ReimbursementPolicy rows, versioned;
this table holds only the shape of a claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.choices import EvidenceKind, RecordKind

# Every claim field, in the order forms show them. Names are the same in models, forms, API, CSV.
CLAIM_FIELDS = (
    "sku",
    "fnsku",
    "quantity",
    "fulfillment_center",
    "shipment_id",
    "order_id",
    "tracking_id",
    "carrier",
    "removal_order_id",
    "reimbursement_id",
    "transaction_id",
    "defect_kind",
    "claim_id",
    "event_date",
    "amount",
    "currency",
    "description",
)


@dataclass(frozen=True)
class ClaimType:
    """The shape of one kind of claim."""

    code: str
    label: str
    explanation: str
    required_fields: tuple[str, ...]
    # Any one of these kinds satisfies the evidence requirement (empty: none needed).
    evidence_kinds: tuple[str, ...]
    default_queue: str
    records: tuple[str, ...]
    filing_window_days: int
    # Return-not-received opens only after the return wait; earlier claims are "not yet eligible".
    opens_after_days: int = 0
    window_starts_at: str = "event_date"

    @property
    def optional_fields(self) -> tuple[str, ...]:
        return tuple(f for f in CLAIM_FIELDS if f not in self.required_fields)


E = EvidenceKind
R = RecordKind

CLAIM_TYPES: dict[str, ClaimType] = {
    ct.code: ct
    for ct in (
        ClaimType(
            "warehouse_lost",
            _("Lost in a fulfilment centre"),
            _("Units were lost while stored in one of our fulfilment centres."),
            ("sku", "quantity", "fulfillment_center"),
            (),
            "inventory",
            (R.LEDGER,),
            60,
        ),
        ClaimType(
            "warehouse_damaged",
            _("Damaged in a fulfilment centre"),
            _("Units were damaged while stored or handled in a fulfilment centre."),
            ("sku", "quantity"),
            (),
            "inventory",
            (R.LEDGER,),
            60,
        ),
        ClaimType(
            "inbound_shortage",
            _("Inbound shipment received short"),
            _("We received fewer units than you sent in an inbound shipment."),
            ("shipment_id", "sku", "quantity"),
            (E.PROOF_OF_DELIVERY, E.INVOICE),
            "inbound",
            (R.SHIPMENTS,),
            270,
            window_starts_at="closed_date",
        ),
        ClaimType(
            "return_not_received",
            _("Refunded return never received"),
            _("The buyer was refunded but the item never came back to us."),
            ("order_id", "sku"),
            (),
            "returns",
            (R.RETURNS,),
            105,
            opens_after_days=45,
            window_starts_at="refund_date",
        ),
        ClaimType(
            "return_damaged",
            _("Return came back damaged"),
            _("A customer return reached us damaged."),
            ("order_id", "sku"),
            (E.PHOTO,),
            "returns",
            (R.RETURNS,),
            60,
        ),
        ClaimType(
            "return_wrong_item",
            _("Return was a different item"),
            _("The item returned by the buyer is not the item that was sold."),
            ("order_id", "sku"),
            (E.PHOTO,),
            "returns",
            (R.RETURNS,),
            60,
        ),
        ClaimType(
            "carrier_damaged",
            _("Damaged or lost by the carrier"),
            _("Our logistics partner damaged or lost a parcel."),
            ("tracking_id", "quantity"),
            (E.PHOTO,),
            "carrier",
            (R.CARRIER_SCANS,),
            60,
        ),
        ClaimType(
            "removal_lost",
            _("Removal order came back short"),
            _("Fewer units were delivered than shipped on a removal order."),
            ("removal_order_id", "sku", "quantity"),
            (),
            "inventory",
            (R.REMOVALS,),
            60,
        ),
        ClaimType(
            "fee_overcharge",
            _("Fulfilment fee overcharged"),
            _("A fulfilment fee was charged on the wrong size or weight."),
            ("sku", "amount"),
            (E.DIMENSIONS,),
            "fees",
            (),
            90,
        ),
        ClaimType(
            "reimbursement_amount",
            _("Reimbursement too low"),
            _("An earlier reimbursement paid less than the item's value."),
            ("reimbursement_id",),
            (E.INVOICE,),
            "fees",
            (),
            60,
        ),
        ClaimType(
            "payment_issue",
            _("Payout or refund problem"),
            _("A payout, withdrawal or refund did not go through."),
            ("transaction_id", "amount"),
            (E.STATEMENT,),
            "payments",
            (),
            60,
        ),
        ClaimType(
            "order_defect_appeal",
            _("Order defect was our fault"),
            _("A defect counted against your account was caused by our fulfilment."),
            ("order_id", "defect_kind"),
            (),
            "account-health",
            (),
            60,
        ),
        ClaimType(
            "buyer_claim",
            _("Reverse a buyer protection claim"),
            _("A buyer claim against you should be reversed (item was delivered or as described)."),
            ("claim_id", "order_id"),
            (E.TRACKING, E.PHOTO),
            "carrier",
            (R.CARRIER_SCANS,),
            60,
        ),
    )
}


ClaimTypeCode = models.TextChoices(
    "ClaimTypeCode", [(code.upper(), (code, ct.label)) for code, ct in CLAIM_TYPES.items()]
)


class DefectKind(models.TextChoices):
    A_TO_Z = "a_to_z", _("A-to-z guarantee claim")
    NEGATIVE_FEEDBACK = "negative_feedback", _("Negative feedback")
    LATE_SHIPMENT = "late_shipment", _("Late shipment")


QUEUES = {
    # slug: (name, description) — the default queues every claim type routes to.
    "inventory": (_("Inventory"), _("Lost and damaged units in fulfilment centres, removals")),
    "inbound": (_("Inbound"), _("Inbound shipment shortages")),
    "returns": (_("Returns"), _("Customer returns not received, damaged or wrong")),
    "carrier": (_("Carrier"), _("Carrier damage and loss, buyer protection claims")),
    "fees": (_("Fees"), _("Fee overcharges and reimbursement amounts")),
    "payments": (_("Payments"), _("Payouts, withdrawals and refunds")),
    "account-health": (_("Account health"), _("Order defect appeals")),
    # Where the checks send a case whose evidence was reused or whose seller files in bursts.
    "fraud-review": (_("Fraud review"), _("Reused evidence and bursts of claims")),
    # Sellers whose claims are mostly found invalid: worked by senior specialists.
    "senior-review": (_("Senior review"), _("Sellers with many invalid claims")),
}


def get_claim_type(code: str) -> ClaimType:
    return CLAIM_TYPES[code]
