"""Filling a response template's placeholders from the case."""

from __future__ import annotations

import string

from disputes.models import Dispute, ResponseTemplate


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown placeholder stays visible for the specialist


def placeholders_for(dispute: Dispute, *, specialist) -> dict[str, str]:
    due = dispute.seller_response_due_at
    return {
        "reference": dispute.reference,
        "seller_name": dispute.seller.name,
        "claim_type": str(dispute.get_claim_type_display()),
        "sku": dispute.sku,
        "quantity": "" if dispute.quantity is None else str(dispute.quantity),
        "order_id": dispute.order_id,
        "shipment_id": dispute.shipment_id,
        "tracking_id": dispute.tracking_id,
        "response_due": due.date().isoformat() if due else "",
        "specialist": (specialist.get_full_name() or specialist.get_username())
        if specialist
        else "",
    }


def render_template(template: ResponseTemplate, *, dispute: Dispute, specialist) -> str:
    values = _Blank(placeholders_for(dispute, specialist=specialist))
    return string.Formatter().vformat(template.body, (), values)
