"""The team's clocks on a case, in business time of the policy's calendar.

Each deadline is an SlaTimer row (first response, next response, resolution). These functions
start, meet, pause, resume and stop them, and return the Dispute fields that mirror them for
lists and sorting (`sla_next_deadline_at` is the earliest running deadline).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from core.business_time import add_business_time, business_seconds_between
from disputes.models import SlaPolicy, SlaTimer

Kind = SlaTimer.Kind


def policy_for(dispute) -> SlaPolicy:
    """The most specific policy: queue and priority, then queue, then priority, then default."""
    candidates = (
        SlaPolicy.objects.filter(Q(queue=dispute.queue_id) | Q(queue__isnull=True))
        .filter(Q(priority=dispute.priority) | Q(priority__isnull=True))
        .annotate(
            specificity=Case(
                When(queue__isnull=False, priority__isnull=False, then=Value(3)),
                When(queue__isnull=False, then=Value(2)),
                When(priority__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
        .order_by("-specificity")
    )
    policy = candidates.first()
    if policy is None:
        raise SlaPolicy.DoesNotExist("No SLA policy applies; add a default one in the admin.")
    return policy


def _start(dispute, kind: str, *, policy: SlaPolicy, now: datetime) -> SlaTimer:
    calendar = policy.calendar.as_calendar()
    target = policy.target_minutes(kind) * 60
    timer, _created = SlaTimer.objects.get_or_create(
        dispute=dispute,
        kind=kind,
        defaults={"policy": policy, "started_at": now},
    )
    timer.policy = policy
    timer.started_at = now
    timer.due_at = add_business_time(calendar, now, target)
    timer.warn_at = add_business_time(calendar, now, target * float(policy.warning_ratio))
    timer.warned_at = timer.breached_at = timer.met_at = timer.stopped_at = None
    timer.paused_remaining_seconds = None
    timer.schedule_next_check()
    timer.save()
    return timer


def _mirror(dispute) -> dict:
    """Copy the running timers' deadlines onto the dispute (one query)."""
    timers = {t.kind: t for t in SlaTimer.objects.filter(dispute=dispute)}

    def due(kind):
        timer = timers.get(kind)
        return timer.due_at if timer and timer.running else None

    fields = {
        "first_response_due_at": due(Kind.FIRST_RESPONSE),
        "next_response_due_at": due(Kind.NEXT_RESPONSE),
        "resolution_due_at": due(Kind.RESOLUTION),
    }
    running = [d for d in fields.values() if d is not None]
    fields["sla_next_deadline_at"] = min(running) if running else None
    for name, value in fields.items():
        setattr(dispute, name, value)
    return fields


def start_clocks(dispute, *, now: datetime) -> dict:
    policy = policy_for(dispute)
    _start(dispute, Kind.FIRST_RESPONSE, policy=policy, now=now)
    _start(dispute, Kind.RESOLUTION, policy=policy, now=now)
    dispute.sla_paused_at = None
    return {**_mirror(dispute), "sla_paused_at": None}


def _meet(dispute, kinds: list[str], *, now: datetime) -> None:
    for timer in SlaTimer.objects.filter(
        dispute=dispute, kind__in=kinds, met_at__isnull=True, stopped_at__isnull=True
    ):
        timer.met_at = now
        timer.schedule_next_check()
        timer.save(update_fields=["met_at", "next_check_at"])


def record_first_response(dispute, *, now: datetime) -> dict:
    """A reply from the team meets the first-response and any next-response deadline."""
    if dispute.first_responded_at is None:
        dispute.first_responded_at = now
    _meet(dispute, [Kind.FIRST_RESPONSE, Kind.NEXT_RESPONSE], now=now)
    return {**_mirror(dispute), "first_responded_at": dispute.first_responded_at}


def seller_wrote(dispute, *, now: datetime) -> dict:
    """A seller's message starts the next-response clock (after the first response)."""
    if dispute.first_responded_at is None:
        return {}
    _start(dispute, Kind.NEXT_RESPONSE, policy=policy_for(dispute), now=now)
    return _mirror(dispute)


def pause(dispute, *, now: datetime) -> dict:
    """Awaiting the seller: keep what was left of each running deadline, stop checking."""
    for timer in SlaTimer.objects.filter(
        dispute=dispute, met_at__isnull=True, stopped_at__isnull=True, due_at__isnull=False
    ):
        calendar = timer.policy.calendar.as_calendar()
        timer.paused_remaining_seconds = max(
            0.0, business_seconds_between(calendar, now, timer.due_at)
        )
        timer.next_check_at = None
        timer.save(update_fields=["paused_remaining_seconds", "next_check_at"])
    dispute.sla_paused_at = now
    dispute.sla_next_deadline_at = None
    return {"sla_paused_at": now, "sla_next_deadline_at": None}


def resume(dispute, *, now: datetime) -> dict:
    """The seller answered: each deadline gets back exactly the business time it had left."""
    if dispute.sla_paused_at is None:
        return {}
    timers = SlaTimer.objects.filter(
        dispute=dispute,
        paused_remaining_seconds__isnull=False,
        met_at__isnull=True,
        stopped_at__isnull=True,
    )
    for timer in timers.select_related("policy__calendar"):
        calendar = timer.policy.calendar.as_calendar()
        remaining = timer.paused_remaining_seconds
        target = timer.policy.target_minutes(timer.kind) * 60
        warn_left = remaining - target * (1 - float(timer.policy.warning_ratio))
        timer.due_at = add_business_time(calendar, now, remaining)
        timer.warn_at = add_business_time(calendar, now, max(0.0, warn_left))
        timer.paused_remaining_seconds = None
        timer.schedule_next_check()
        timer.save()
    dispute.sla_paused_at = None
    return {**_mirror(dispute), "sla_paused_at": None}


def restart_resolution(dispute, *, now: datetime) -> dict:
    """An appeal is new work: a fresh resolution deadline."""
    _start(dispute, Kind.RESOLUTION, policy=policy_for(dispute), now=now)
    dispute.sla_paused_at = None
    return {**_mirror(dispute), "sla_paused_at": None}


def resolve(dispute, *, now: datetime) -> dict:
    """Decided: the decision answers the seller and resolves the case, so it meets every
    deadline still running (the first response too, when the decision is the first answer);
    then no clock runs any more. A deadline already breached stays breached."""
    if dispute.first_responded_at is None:
        dispute.first_responded_at = now
    _meet(dispute, [Kind.FIRST_RESPONSE, Kind.NEXT_RESPONSE, Kind.RESOLUTION], now=now)
    return {**stop(dispute, now=now), "first_responded_at": dispute.first_responded_at}


def stop(dispute, *, now: datetime | None = None) -> dict:
    """Decided or finished: no clock runs any more."""
    SlaTimer.objects.filter(dispute=dispute, stopped_at__isnull=True, met_at__isnull=True).update(
        stopped_at=now or timezone.now(), next_check_at=None
    )
    dispute.sla_next_deadline_at = None
    dispute.sla_paused_at = None
    return {"sla_next_deadline_at": None, "sla_paused_at": None}
