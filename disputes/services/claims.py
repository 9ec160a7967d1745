"""Validation of a claim's fields against its type and the seller's own catalog."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from disputes.claim_types import CLAIM_FIELDS, CLAIM_TYPES
from disputes.models import Dispute
from evidence.models import CustomerReturn, ShipmentLine
from reimbursements.selectors import get_active_policy
from sellers.models import Seller
from sellers.selectors import in_catalog_or_none_kept

MAX_QUANTITY = 100_000


def validate_claim(*, seller: Seller, claim_type: str, fields: Mapping[str, Any]) -> dict:
    """Return the cleaned claim fields, or raise InvalidInput naming every bad field."""
    if claim_type not in CLAIM_TYPES:
        raise InvalidInput(
            _("Choose the kind of problem you are reporting."),
            fields={"claim_type": [_("Not a claim type Arbiter knows.")]},
        )
    spec = CLAIM_TYPES[claim_type]
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(fields) - set(CLAIM_FIELDS))
    for name in unknown:
        errors[name] = [_("This field is not part of a dispute.")]

    cleaned: dict[str, Any] = {}
    for name in CLAIM_FIELDS:
        raw = fields.get(name)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, ""):
            if name in spec.required_fields:
                errors[name] = [_("This field is required for this kind of claim.")]
            continue
        model_field = Dispute._meta.get_field(name)
        try:
            value = model_field.clean(raw, None)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
            continue
        cleaned[name] = value

    quantity = cleaned.get("quantity")
    if quantity is not None and not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = [_("Enter a quantity between 1 and %(max)s.") % {"max": MAX_QUANTITY}]
    if "quantity" in fields and fields.get("quantity") not in (None, "") and quantity == 0:
        errors["quantity"] = [_("Enter a quantity of at least 1.")]
    event_date = cleaned.get("event_date")
    if isinstance(event_date, date) and event_date > timezone.localdate():
        errors["event_date"] = [_("The date cannot be in the future.")]
    currency = cleaned.get("currency")
    # Amounts and reimbursements are in the account's currency; any other is a mistake.
    if currency and currency != seller.default_currency:
        errors["currency"] = [
            _("Your account is paid in %(currency)s; enter the amount in %(currency)s.")
            % {"currency": seller.default_currency}
        ]
    sku = cleaned.get("sku")
    if sku and "sku" not in errors and not in_catalog_or_none_kept(seller=seller, sku=sku):
        errors["sku"] = [_("This SKU is not in your catalog.")]

    if errors:
        raise InvalidInput(_("Some details of the claim need your attention."), fields=errors)
    if "amount" in cleaned:
        cleaned.setdefault("currency", seller.default_currency)
    return cleaned


def filing_window_errors(*, seller: Seller, claim_type: str, cleaned: dict) -> dict:
    """Say before submitting when a claim is too late, or (returns) not yet eligible: a warning
    the filer may pass over (the filing_window check then fails the case for the specialist)."""
    policy = get_active_policy(claim_type=claim_type)
    today = timezone.localdate()
    window = policy.filing_window_days
    errors: dict[str, list[str]] = {}
    event_date = cleaned.get("event_date")
    if claim_type == "inbound_shortage" and cleaned.get("shipment_id"):
        closed = (
            ShipmentLine.objects.filter(seller=seller, shipment_id=cleaned["shipment_id"])
            .exclude(closed_date=None)
            .values_list("closed_date", flat=True)
            .first()
        )
        if closed and today > closed + timedelta(days=window):
            errors["shipment_id"] = [
                _(
                    "This shipment closed on %(date)s; shortages must be claimed within %(days)s "
                    "days of closing."
                )
                % {"date": closed.isoformat(), "days": window}
            ]
    elif claim_type == "return_not_received" and cleaned.get("order_id"):
        refund = (
            CustomerReturn.objects.filter(seller=seller, order_id=cleaned["order_id"])
            .values_list("refund_date", flat=True)
            .first()
        )
        if refund and today < refund + timedelta(days=policy.opens_after_days):
            errors["order_id"] = [
                _(
                    "Not yet eligible: the buyer has %(wait)s days to return the item. You can "
                    "file this claim from %(date)s."
                )
                % {
                    "wait": policy.opens_after_days,
                    "date": (refund + timedelta(days=policy.opens_after_days)).isoformat(),
                }
            ]
        elif refund and today > refund + timedelta(days=window):
            errors["order_id"] = [
                _("The refund was on %(date)s; this claim had to be filed within %(days)s days.")
                % {"date": refund.isoformat(), "days": window}
            ]
    elif isinstance(event_date, date) and today > event_date + timedelta(days=window):
        errors["event_date"] = [
            _(
                "Claims of this kind must be filed within %(days)s days of the event; this one "
                "happened on %(date)s."
            )
            % {"days": window, "date": event_date.isoformat()}
        ]
    return errors
