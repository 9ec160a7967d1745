"""Badges and clocks, drawn the same way on every page."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.filters import DUE_SOON
from disputes.status import ACTIVE, Outcome, Priority, Status

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    value = Status(status)
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>',
        value.badge,
        value.value,
        value.label,
    )


@register.simple_tag
def outcome_badge(outcome: str) -> str:
    if not outcome:
        return ""
    value = Outcome(outcome)
    return format_html('<span class="badge badge-{}">{}</span>', value.badge, value.label)


@register.simple_tag
def priority_badge(priority: int) -> str:
    value = Priority(priority)
    return format_html('<span class="badge badge-{}">{}</span>', value.badge, value.label)


def _duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}


def sla_state(dispute, now=None) -> tuple[str, str]:
    """(state, text) of the team's clock: paused, breached, due soon, on track or stopped."""
    now = now or timezone.now()
    if dispute.status == Status.AWAITING_SELLER:
        return "paused", _("Paused — waiting for the seller")
    if dispute.status not in ACTIVE or dispute.sla_next_deadline_at is None:
        return "stopped", _("Stopped")
    left = dispute.sla_next_deadline_at - now
    if left.total_seconds() < 0:
        return "breached", _("Breached %(t)s ago") % {"t": _duration(left)}
    if left < DUE_SOON:
        return "due_soon", _("%(t)s left") % {"t": _duration(left)}
    return "on_track", _("%(t)s left") % {"t": _duration(left)}


SLA_BADGES = {
    "paused": "amber",
    "stopped": "slate",
    "breached": "red",
    "due_soon": "orange",
    "on_track": "green",
}


@register.simple_tag
def sla_clock(dispute) -> str:
    state, text = sla_state(dispute)
    return format_html(
        '<span class="badge badge-{}" data-sla="{}" title="{}">{}</span>',
        SLA_BADGES[state],
        state,
        dispute.sla_next_deadline_at.isoformat() if dispute.sla_next_deadline_at else "",
        text,
    )


@register.simple_tag
def seller_clock(dispute) -> str:
    due = dispute.seller_response_due_at
    if not due or dispute.status != Status.AWAITING_SELLER:
        return ""
    left = due - timezone.now()
    if left.total_seconds() < 0:
        return format_html('<span class="badge badge-red">{}</span>', _("Seller deadline passed"))
    return format_html(
        '<span class="badge badge-amber" data-seller-clock>{}</span>',
        _("Seller has %(t)s to answer") % {"t": _duration(left)},
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def reimbursement_badge(status: str) -> str:
    from reimbursements.models import Reimbursement

    value = Reimbursement.Status(status)
    return format_html('<span class="badge badge-{}">{}</span>', value.badge, value.label)


SELLER_PAYOUT_STATES = {
    # What the seller sees of a reimbursement: the maker-checker step is internal, so a payout a
    # team lead sent back reads as on hold, not as a refusal the decision never made.
    "pending_approval": ("amber", gettext_lazy("Being approved")),
    "approved": ("blue", gettext_lazy("Approved, to be paid")),
    "rejected": ("amber", gettext_lazy("On hold: we are checking the amount")),
    "paid": ("green", gettext_lazy("Paid")),
    "reversed": ("slate", gettext_lazy("Reversed")),
}


@register.simple_tag
def seller_payout_badge(status: str) -> str:
    badge, label = SELLER_PAYOUT_STATES[status]
    return format_html('<span class="badge badge-{}">{}</span>', badge, label)


@register.filter
def money(amount, currency: str) -> str:
    """An amount formatted for the active locale with its currency's minor units (JPY none)."""
    from django.utils.formats import number_format

    from core.money import MINOR_UNITS, quantize

    if amount is None or amount == "":
        return "—"
    value = quantize(amount, currency)
    return (
        f"{number_format(value, MINOR_UNITS[currency], use_l10n=True, force_grouping=True)}"
        f" {currency}"
    )


@register.simple_tag
def seller_next_step(dispute) -> str:
    """What the seller is expected to do now, in one sentence."""
    from django.utils.formats import date_format

    status = dispute.status
    if status == Status.AWAITING_SELLER and dispute.seller_response_due_at:
        return _("We need information from you: answer below by %(date)s.") % {
            "date": date_format(dispute.seller_response_due_at, "DATE_FORMAT")
        }
    if status == Status.DECIDED and dispute.appeal_count == 0 and dispute.appeal_deadline_at:
        return _("Read the decision. If you disagree, you can appeal once until %(date)s.") % {
            "date": date_format(dispute.appeal_deadline_at, "DATE_FORMAT")
        }
    if status in (
        Status.SUBMITTED,
        Status.OPEN,
        Status.IN_REVIEW,
        Status.ESCALATED,
        Status.APPEALED,
    ):
        return _("Nothing for now: we are working on it and will e-mail you.")
    return _("Nothing: this dispute is finished.")
