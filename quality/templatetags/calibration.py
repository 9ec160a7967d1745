"""How the calibration results write a deviation from the lead: with its sign, so that "+5.00"
(above the lead) and "-5.00" (below) read apart at a glance."""

from __future__ import annotations

from decimal import Decimal

from django import template

from disputes.templatetags.arbiter import money

register = template.Library()


def _sign(value: Decimal) -> str:
    return "+" if value > 0 else ""


@register.filter
def signed(value: Decimal | None) -> str:
    """Points with their sign: +5.00, -5.00, 0.00."""
    if value is None:
        return "—"
    return f"{_sign(value)}{value}"


@register.filter
def signed_money(value: Decimal | None, currency: str) -> str:
    """An amount with its sign and currency: +12.50 USD, -12.50 USD, 0.00 USD."""
    if value is None:
        return "—"
    return f"{_sign(value)}{money(value, currency)}"
