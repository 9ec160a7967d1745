"""The plan: each seller's disputes, the path each one takes, and the records behind them."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from disputes.claim_types import CLAIM_TYPES
from disputes.demo.data import SELLERS, SellerSpec, SkuSpec, fnsku_for
from disputes.demo.texts import DEFECT_LABELS, DESCRIPTIONS
from disputes.models import Dispute
from disputes.status import EscalationTeam, ReasonCode
from evidence.choices import EvidenceKind

# --- the plan: which path each seller's disputes take ---------------------------------------------

# Steps of each path, in order; `decide_first` is the decision the seller later appeals.
PATHS: dict[str, tuple[str, ...]] = {
    "submitted": (),
    "open": ("intake",),
    "open_priority": ("intake", "prioritize"),
    "in_review": ("intake", "assign", "note", "reply"),
    "answered": ("intake", "assign", "request", "answer"),
    "awaiting_seller": ("intake", "assign", "request"),
    "escalated": ("intake", "assign", "note", "escalate"),
    "escalation_answered": ("intake", "assign", "escalate", "resolve"),
    "decided": ("intake", "assign", "decide"),
    "decided_after_info": ("intake", "assign", "request", "answer", "decide"),
    "decided_after_escalation": ("intake", "assign", "escalate", "resolve", "decide"),
    "appealed": ("intake", "assign", "decide_first", "appeal"),
    "appeal_in_review": ("intake", "assign", "decide_first", "appeal", "assign_other"),
    "decided_on_appeal": ("intake", "assign", "decide_first", "appeal", "assign_other", "decide"),
    "closed": ("intake", "assign", "reply", "decide", "close"),
    "closed_after_appeal": (
        "intake",
        "assign",
        "decide_first",
        "appeal",
        "assign_other",
        "decide",
        "close",
    ),
    "closed_silent": ("intake", "assign", "request", "close_silent"),
    "withdrawn_early": ("withdraw",),
    "withdrawn": ("intake", "assign", "withdraw"),
    "merged": ("intake", "merge"),
    "big_claim": ("intake", "assign", "decide", "second_approval"),
}
# (path, final decision) per position; the claim type rotates with the seller's offset.
PLAN: tuple[tuple[str, str | None], ...] = (
    ("submitted", None),
    ("open", None),  # filed by a specialist on the seller's behalf, from an e-mail
    ("open_priority", None),
    ("in_review", None),
    ("answered", None),
    ("awaiting_seller", None),
    ("escalated", None),
    ("escalation_answered", None),
    ("decided", "approve"),
    ("decided", "partial"),
    ("decided_after_info", "approve"),
    ("decided_after_escalation", "deny"),
    ("appealed", None),
    ("appeal_in_review", None),
    ("decided_on_appeal", "partial"),
    ("closed", "approve"),
    ("closed_after_appeal", "approve"),
    ("closed_silent", None),
    ("withdrawn_early", None),
    ("withdrawn", None),
    ("merged", None),
    ("decided", "deny"),
    ("big_claim", "approve"),
)
# Steps some cases take after their path: the at-risk seller's case raises a restriction.
EXTRA_STEPS: dict[tuple[str, int], tuple[str, ...]] = {("JP", 3): ("recommend_restriction",)}
MERGED_INTO = 3  # the duplicate repeats the claim of the case at this position
EMAIL_FILED = 1
CLAIM_ORDER = tuple(CLAIM_TYPES)

ESCALATION_TEAM = {
    "warehouse_lost": EscalationTeam.WAREHOUSE,
    "warehouse_damaged": EscalationTeam.WAREHOUSE,
    "inbound_shortage": EscalationTeam.WAREHOUSE,
    "return_not_received": EscalationTeam.WAREHOUSE,
    "return_damaged": EscalationTeam.WAREHOUSE,
    "return_wrong_item": EscalationTeam.FRAUD,
    "carrier_damaged": EscalationTeam.LOGISTICS,
    "removal_lost": EscalationTeam.LOGISTICS,
    "fee_overcharge": EscalationTeam.FINANCE,
    "reimbursement_amount": EscalationTeam.FINANCE,
    "payment_issue": EscalationTeam.FINANCE,
    "order_defect_appeal": EscalationTeam.TEAM_LEAD,
    "buyer_claim": EscalationTeam.FRAUD,
}
R = ReasonCode
APPROVE_REASON = {
    "carrier_damaged": R.CARRIER_CONFIRMED,
    "fee_overcharge": R.FEE_CORRECTED,
    "reimbursement_amount": R.OTHER,
    "payment_issue": R.OTHER,
    "order_defect_appeal": R.DEFECT_REMOVED,
    "buyer_claim": R.DELIVERY_CONFIRMED,
}
DENY_REASON = {
    "warehouse_lost": R.UNITS_FOUND,
    "warehouse_damaged": R.SELLER_RESPONSIBLE,
    "return_not_received": R.UNITS_FOUND,
    "carrier_damaged": R.SELLER_RESPONSIBLE,
    "removal_lost": R.ALREADY_REIMBURSED,
    "fee_overcharge": R.FEE_CORRECT,
    "order_defect_appeal": R.SELLER_RESPONSIBLE,
}
REJECT_REASON = "The reference value of this SKU is above the invoice we were sent; re-check."


@dataclass
class Claim:
    """One planned dispute: its fields, the records behind it and how it is driven."""

    key: str
    seller: SellerSpec
    position: int
    claim_type: str
    path: str
    final: str | None
    fields: dict
    records: dict[str, list[dict]]


# --- building the claims and their records --------------------------------------------------------


def _order_id(s: SellerSpec, n: int) -> str:
    return (
        f"{s.order_prefix}-{(n * 7919 + 1234567) % 10**7:07d}-{(n * 104729 + 7654321) % 10**7:07d}"
    )


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=UTC)


def build_claim(s: SellerSpec, position: int, claim_type: str, today: date) -> dict:
    """The claim's fields and the operational records that back (or refute) it."""
    path, final = PLAN[position]
    skus = s.skus[:-1]  # the most valuable SKU is kept for the large claim
    day = today - timedelta(days=4 + (position * 3) % 45)
    if claim_type == "return_not_received":
        day = today - timedelta(days=50 + position % 40)  # the refund, past the return wait
    return claim_of(
        s,
        claim_type,
        ref=f"{s.seller_id}-{position:03d}",
        n=position + 100 * SELLERS.index(s),
        variant=position,
        sku=s.skus[-1] if path == "big_claim" else skus[position % len(skus)],
        quantity={"US": 3, "CN": 1, "JP": 1}[s.code] if path == "big_claim" else 2 + position % 4,
        day=day,
        fc=s.fcs[position % len(s.fcs)],
        carrier=s.carriers[position % len(s.carriers)],
        final=final,
        today=today,
    )


def claim_of(
    s: SellerSpec,
    claim_type: str,
    *,
    ref: str,
    n: int,
    variant: int,
    sku: SkuSpec,
    quantity: int,
    day: date,
    fc: str,
    carrier: str,
    final: str | None,
    today: date,
) -> dict:
    """The fields of one claim and its records, from everything that varies between claims:
    `ref` prefixes the record ids, `n` makes the claim's own ids, `variant` picks among the
    kinds of defect and scan, `day` is the event (the refund, for a return never received)
    and `final` the decision the records should bear out. The demo's plan and its 90 days of
    history (history.py) both file claims made here."""
    order_id = _order_id(s, n)
    tracking_id = f"{s.tracking_prefix}{(n * 7331 + 104729) % 10**10:010d}"
    fields: dict = {"event_date": day}
    records: dict[str, list[dict]] = {}
    base = {"seller_id": s.seller_id}

    def add(kind: str, suffix: str, **row) -> None:
        records.setdefault(kind, []).append({**base, "record_id": f"{ref}-{suffix}", **row})

    if claim_type in ("warehouse_lost", "warehouse_damaged"):
        fields |= {
            "sku": sku.sku,
            "fnsku": fnsku_for(s, sku),
            "quantity": quantity,
            "fulfillment_center": fc,
        }
        event = "lost" if claim_type == "warehouse_lost" else "damaged_warehouse"
        common = {"sku": sku.sku, "fnsku": fnsku_for(s, sku), "fulfillment_center": fc}
        add(
            "ledger",
            "LOSS",
            event_date=day,
            event_type=event,
            quantity=-quantity,
            reference_id=f"ADJ-{n:06d}",
            **common,
        )
        if final == "deny" and claim_type == "warehouse_lost":
            add(
                "ledger",
                "FOUND",
                event_date=day + timedelta(days=2),
                event_type="found",
                quantity=quantity,
                reference_id=f"ADJ-{n:06d}F",
                **common,
            )
    elif claim_type == "inbound_shortage":
        shipment_id = f"FBA{s.code}{(n * 48271) % 10**6:06d}"
        fields |= {"shipment_id": shipment_id, "sku": sku.sku, "quantity": quantity}
        add(
            "shipments",
            "SHP",
            shipment_id=shipment_id,
            sku=sku.sku,
            quantity_shipped=120,
            quantity_received=120 - quantity,
            closed_date=day,
        )
    elif claim_type.startswith("return_"):
        fields |= {"order_id": order_id, "sku": sku.sku, "quantity": 1}
        if claim_type == "return_not_received":
            refunded = day
            # A denial rests on the return that did arrive, after the claim was filed.
            arrived = refunded + timedelta(days=48) if final == "deny" else ""
            if arrived and arrived > today:
                arrived = ""  # not yet: records are never dated in the future
            fields["event_date"] = refunded
            add(
                "returns",
                "RET",
                order_id=order_id,
                sku=sku.sku,
                quantity=1,
                refund_date=refunded,
                received_date=arrived,
                disposition="sellable" if arrived else "",
            )
        else:
            disposition = {
                "return_wrong_item": "wrong_item",
                "return_damaged": "customer_damaged" if final == "partial" else "warehouse_damaged",
            }[claim_type]
            add(
                "returns",
                "RET",
                order_id=order_id,
                sku=sku.sku,
                quantity=1,
                refund_date=day - timedelta(days=12),
                received_date=day,
                disposition=disposition,
            )
    elif claim_type in ("carrier_damaged", "buyer_claim"):
        fields |= {"tracking_id": tracking_id, "carrier": carrier}
        scans = [("picked_up", -3, ""), ("in_transit", -2, "")]
        if claim_type == "carrier_damaged":
            fields |= {"sku": sku.sku, "quantity": quantity}
            scans.append(("exception", 0, "DAMAGED") if variant % 2 else ("lost", 0, "MISSING"))
        else:
            fields |= {"claim_id": f"AZ-{s.code}-{(n * 3571) % 10**6:06d}", "order_id": order_id}
            scans.append(("delivered", 0, ""))
        for index, (event, offset, code) in enumerate(scans):
            add(
                "carrier-scans",
                f"SCN{index}",
                tracking_id=tracking_id,
                carrier=carrier,
                event=event,
                event_time=_at(day + timedelta(days=offset), 9 + index * 3),
                exception_code=code,
            )
    elif claim_type == "removal_lost":
        removal_id = f"RMV-{s.code}-{(n * 9001) % 10**5:05d}"
        fields |= {"removal_order_id": removal_id, "sku": sku.sku, "quantity": quantity}
        add(
            "removals",
            "RMV",
            removal_order_id=removal_id,
            sku=sku.sku,
            quantity_shipped=20,
            quantity_delivered=20 - quantity,
            shipped_date=day,
        )
    elif claim_type == "fee_overcharge":
        fields |= {"sku": sku.sku, "amount": Decimal(s.fee)}
    elif claim_type == "reimbursement_amount":
        year = today.year - 1
        fields |= {
            "reimbursement_id": f"RMB-{year}-{4000 + n:06d}-1",
            "sku": sku.sku,
            "amount": Decimal(s.top_up),
        }
    elif claim_type == "payment_issue":
        fields |= {
            "transaction_id": f"PAY-{s.code}-{(n * 7907) % 10**8:08d}",
            "amount": Decimal(s.payment),
        }
    elif claim_type == "order_defect_appeal":
        kinds = ("a_to_z", "negative_feedback", "late_shipment")
        fields |= {"order_id": order_id, "defect_kind": kinds[variant % 3]}
    context = {
        "title": sku.title,
        "currency": s.currency,
        "fc": fc,
        "defect": DEFECT_LABELS[s.language].get(fields.get("defect_kind", ""), ""),
        **{k: v for k, v in fields.items() if k != "sku"},
        "sku": fields.get("sku", sku.sku),
    }
    fields["description"] = DESCRIPTIONS[s.language][claim_type].format(**context)
    return {"fields": fields, "records": records}


def plan_claims(today: date) -> list[Claim]:
    claims: list[Claim] = []
    number = 0
    for s in SELLERS:
        built: dict[int, tuple[str, dict]] = {}
        for position, (path, final) in enumerate(PLAN):
            if path == "merged":
                # The seller filed the same claim twice; the copy is folded into the first.
                claim_type, original = built[MERGED_INTO]
                data = {"fields": dict(original["fields"]), "records": {}}
            else:
                claim_type = (
                    "warehouse_lost"
                    if path == "big_claim"
                    else CLAIM_ORDER[(position + s.offset) % len(CLAIM_ORDER)]
                )
                data = build_claim(s, position, claim_type, today)
            built[position] = (claim_type, data)
            number += 1
            claims.append(Claim(f"demo-{number:03d}", s, position, claim_type, path, final, **data))
    return claims


# --- evidence files ------------------------------------------------------------------------------


def _png(label: str, colour: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG carrying `label` in a text chunk (so each file hashes apart)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    width, height = 64, 48
    rows = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"tEXt", b"Comment\x00" + label.encode("ascii", "replace"))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pdf(label: str) -> bytes:
    """A one-page PDF with one line of text."""
    text = label.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def evidence_upload(dispute: Dispute, kind: str) -> SimpleUploadedFile:
    label = f"{dispute.reference} {dispute.claim_type} {kind}"
    if kind == EvidenceKind.PHOTO:
        colour = (180 + dispute.pk % 60, 120, 90 + dispute.pk % 100)
        return SimpleUploadedFile(f"photo-{dispute.reference}.png", _png(label, colour))
    return SimpleUploadedFile(f"{kind}-{dispute.reference}.pdf", _pdf(label))
