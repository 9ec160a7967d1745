"""Response templates for a case: which fit it, and one filled with the case's details."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import NotFound
from disputes.models import Dispute, ResponseTemplate
from disputes.models.templates import PLACEHOLDER


@dataclass
class TemplateChoice:
    template: ResponseTemplate
    fell_back: bool  # no translation in the seller's language: English shown instead


def list_templates_for(*, dispute: Dispute) -> list[TemplateChoice]:
    """Templates that fit the claim type, in the dispute's language or else in English."""
    rows = ResponseTemplate.objects.filter(is_active=True, language__in={dispute.language, "en"})
    by_code: dict[str, dict[str, ResponseTemplate]] = {}
    for row in rows:
        if row.claim_types and dispute.claim_type not in row.claim_types:
            continue
        by_code.setdefault(row.code, {})[row.language] = row
    choices = []
    for translations in by_code.values():
        if dispute.language in translations:
            choices.append(TemplateChoice(translations[dispute.language], fell_back=False))
        else:
            choices.append(TemplateChoice(translations["en"], fell_back=dispute.language != "en"))
    return sorted(choices, key=lambda c: c.template.name)


def signature_of(user) -> str:
    """How a staff member signs what they send: {specialist} in a template."""
    return user.get_full_name() or user.get_username()


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
        "specialist": signature_of(specialist) if specialist else "",
    }


def render_template(template: ResponseTemplate, *, dispute: Dispute, specialist) -> str:
    """Each {name} replaced by the case's value; anything else (an unknown name, a stray brace
    in a template saved before the check) stays as written for the specialist to see."""
    values = placeholders_for(dispute, specialist=specialist)
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


def get_filled_template(*, template_id: int, dispute: Dispute, specialist) -> str:
    """An active template's body with the case's placeholders filled."""
    template = ResponseTemplate.objects.filter(pk=template_id, is_active=True).first()
    if template is None:
        raise NotFound("No such template.", code="template_not_found")
    return render_template(template, dispute=dispute, specialist=specialist)
