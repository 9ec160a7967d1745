"""Where a case's team clock stands: one definition for the list filter, the badge, the API and
the queue counts (in Python for one case, as a Q for a query)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.status import ACTIVE, Status

DUE_SOON = timedelta(hours=4)

# The states a list can filter by ("stopped" is only ever shown).
SLA_STATES = [
    ("breached", gettext_lazy("Breached")),
    ("due_soon", gettext_lazy("Due within 4 hours")),
    ("on_track", gettext_lazy("On track")),
    ("paused", gettext_lazy("Paused (awaiting seller)")),
]


def duration_text(delta: timedelta) -> str:
    """A duration as people read it on a clock: 2d 3h, 4h 10m, 12m."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}


def sla_state(dispute, now: datetime | None = None) -> tuple[str, str]:
    """(state, text) of the team's clock: paused, breached, due soon, on track or stopped."""
    now = now or timezone.now()
    if dispute.status == Status.AWAITING_SELLER:
        return "paused", _("Paused — waiting for the seller")
    if dispute.status not in ACTIVE or dispute.sla_next_deadline_at is None:
        return "stopped", _("Stopped")
    left = dispute.sla_next_deadline_at - now
    if left.total_seconds() < 0:
        return "breached", _("Breached %(t)s ago") % {"t": duration_text(left)}
    if left < DUE_SOON:
        return "due_soon", _("%(t)s left") % {"t": duration_text(left)}
    return "on_track", _("%(t)s left") % {"t": duration_text(left)}


def sla_state_q(state: str, *, now: datetime | None = None, prefix: str = "") -> Q:
    """The cases in one state; `prefix` reaches them through a relation (e.g. "disputes__")."""
    now = now or timezone.now()

    def q(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    active = q(status__in=ACTIVE, sla_paused_at__isnull=True)
    if state == "breached":
        return active & q(sla_next_deadline_at__lt=now)
    if state == "due_soon":
        return active & q(sla_next_deadline_at__gte=now, sla_next_deadline_at__lt=now + DUE_SOON)
    if state == "on_track":
        return active & (
            q(sla_next_deadline_at__gte=now + DUE_SOON) | q(sla_next_deadline_at__isnull=True)
        )
    if state == "paused":
        return q(status=Status.AWAITING_SELLER)
    return Q()
