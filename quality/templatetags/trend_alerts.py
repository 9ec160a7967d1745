"""The trend alerts' navigation badge and how a p-value is written."""

from __future__ import annotations

from django import template

from quality.permissions import can_see_alerts
from quality.selectors.alerts import count_open_alerts

register = template.Library()


@register.simple_tag
def open_trend_alerts(user) -> int:
    """Open trend alerts, for team leads and QA reviewers only (one query; none for others)."""
    if not can_see_alerts(user):
        return 0
    return count_open_alerts()


SMALLEST_SHOWN = 1e-12  # below this, nobody needs the exact figure


@register.filter
def p_value(value) -> str:
    """0.012, 3.2e-07, or < 1e-12: a p-value as a table shows it."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value < SMALLEST_SHOWN:
        return f"< {SMALLEST_SHOWN:.0e}"
    if value < 0.001:
        return f"{value:.1e}"
    return f"{value:.3f}"


@register.filter
def p_value_text(value) -> str:
    """p = 3.2e-07, or p < 1e-12: a p-value in a sentence."""
    text = p_value(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
