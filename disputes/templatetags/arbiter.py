"""Badges and clocks, drawn the same way on every page."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.money import MINOR_UNITS, quantize
from disputes.check_codes import CheckOutcome
from disputes.sla.state import duration_text, sla_state
from disputes.status import ACTIVE, Outcome, Priority, Status
from reimbursements.selectors import count_money_waiting
from reimbursements.status import ReimbursementStatus, SellerPayoutState

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
def check_badge(result: str) -> str:
    value = CheckOutcome(result)
    return format_html(
        '<span class="badge badge-{}" data-check-result="{}">{}</span>',
        value.badge,
        value.value,
        value.label,
    )


@register.simple_tag
def priority_badge(priority: int) -> str:
    value = Priority(priority)
    return format_html('<span class="badge badge-{}">{}</span>', value.badge, value.label)


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
        _("Seller has %(t)s to answer") % {"t": duration_text(left)},
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def reimbursement_badge(status: str) -> str:
    value = ReimbursementStatus(status)
    return format_html('<span class="badge badge-{}">{}</span>', value.badge, value.label)


@register.simple_tag
def seller_payout_badge(status: str) -> str:
    """A payout status (or a seller state) in the seller's words."""
    state = SellerPayoutState(status) if status in SellerPayoutState.values else None
    state = state or SellerPayoutState.of(status)
    return format_html('<span class="badge badge-{}">{}</span>', state.badge, state.label)


@register.filter
def money(amount, currency: str) -> str:
    """An amount formatted for the active locale with its currency's minor units (JPY none)."""
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
    status = dispute.status
    if status == Status.AWAITING_SELLER and dispute.seller_response_due_at:
        return _("We need information from you: answer below by %(date)s.") % {
            "date": date_format(dispute.seller_response_due_at, "DATE_FORMAT")
        }
    if status == Status.DECIDED and dispute.appeal_count == 0 and dispute.appeal_deadline_at:
        return _("Read the decision. If you disagree, you can appeal once until %(date)s.") % {
            "date": date_format(dispute.appeal_deadline_at, "DATE_FORMAT")
        }
    if status in ACTIVE:
        return _("Nothing for now: we are working on it and will e-mail you.")
    return _("Nothing: this dispute is finished.")


@register.simple_tag
def money_waiting(user) -> dict[str, int]:
    """The navigation's counts of approvals and reversals waiting, for those who act on them."""
    if not getattr(user, "is_staff", False):
        return {}
    return count_money_waiting(user=user)


@register.filter
def seller_state(status: str) -> SellerPayoutState:
    """A payout status in the seller's terms (`shows_amount` says whether to show its amount)."""
    return SellerPayoutState.of(status)
