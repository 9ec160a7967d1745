"""The weekly report's figures and changes, written the same way on the page and in the e-mail."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from disputes.templatetags.arbiter import money
from quality.reports import Change

register = template.Library()


def _number(value, unit: str, *, signed: bool = False) -> str:
    """A count, a rate (%), hours (h) or an amount (unit: its currency code)."""
    sign = "+" if signed and value > 0 else ""
    if unit not in ("", "%", "h"):
        return sign + money(value, unit)
    if unit == "":
        return sign + number_format(value, use_l10n=True, force_grouping=True)
    text = sign + number_format(round(value, 1), 1, use_l10n=True)
    return f"{text}%" if unit == "%" else _("%(hours)s h") % {"hours": text}


@register.filter
def report_value(value, unit: str = "") -> str:
    """12 · 45.5% · 3.2 h · 1,234.50 USD; "—" for a rate of nothing."""
    return "—" if value is None else _number(value, unit)


@register.filter
def change_text(change: Change, unit: str = "") -> str:
    """▲ +2 (+20.0%) for a count or an amount, ▼ -1.5 pts for a rate; "—" when either week has
    no such figure."""
    if change.delta is None:
        return "—"
    if change.rate:
        points = number_format(change.delta, 1, use_l10n=True)
        delta = _("%(points)s pts") % {"points": ("+" if change.delta > 0 else "") + points}
    else:
        delta = _number(change.delta, unit, signed=True)
    text = f"{change.arrow} {delta}"
    if change.percent is not None:
        percent = number_format(change.percent, 1, use_l10n=True)
        text += f" ({'+' if change.percent > 0 else ''}{percent}%)"
    return text
