"""Intake: a filed dispute is checked, routed by its checks, its clocks start and it opens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import sla
from disputes.case import lock_dispute, move_status
from disputes.models import CaseEvent, CheckRun, Dispute, Queue
from disputes.services.checks import build_report, store_report, summary
from disputes.status import Status


@transaction.atomic
def complete_intake(*, dispute: Dispute) -> Dispute:
    """Run the first check report, route the case by it, start the team's clock and open it.

    Idempotent: a case past intake is left as it is.
    """
    lock_dispute(dispute)
    if dispute.status != Status.SUBMITTED:
        return dispute
    report = build_report(dispute, trigger=CheckRun.Trigger.SUBMITTED)
    copied = store_report(report)
    queue = Queue.objects.get(slug=report.queue)
    dispute.queue, dispute.priority = queue, report.priority
    clocks = sla.start_clocks(dispute, now=timezone.now())
    move_status(
        dispute,
        to=Status.OPEN,
        by=None,
        action=_("Opening"),
        kind=CaseEvent.Kind.CHECKS_COMPLETED,
        data={"queue": queue.slug, **summary(report)},
        queue=queue,
        priority=report.priority,
        **copied,
        **clocks,
    )
    return dispute
