"""Intake: a filed dispute is routed to its queue, its clocks start and it opens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import sla
from disputes.case import lock_dispute, move_status
from disputes.claim_types import get_claim_type
from disputes.models import CaseEvent, Dispute, Queue
from disputes.status import Status


@transaction.atomic
def complete_intake(*, dispute: Dispute) -> Dispute:
    """Route a submitted dispute to its queue, start the team's clock and open it. Idempotent."""
    lock_dispute(dispute)
    if dispute.status != Status.SUBMITTED:
        return dispute
    queue = Queue.objects.get(slug=get_claim_type(dispute.claim_type).default_queue)
    dispute.queue = queue
    clocks = sla.start_clocks(dispute, now=timezone.now())
    move_status(
        dispute,
        to=Status.OPEN,
        by=None,
        action=_("Opening"),
        kind=CaseEvent.Kind.CHECKS_COMPLETED,
        data={"queue": queue.slug},
        queue=queue,
        **clocks,
    )
    return dispute
