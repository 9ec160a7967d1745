"""Work Celery beat starts: closing lapsed cases and re-sending work whose message was lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict, TransitionNotAllowed
from disputes.background import resend
from disputes.models import Dispute, Notification
from disputes.services.closing import close_dispute
from disputes.status import Status
from reimbursements.selectors import money_pending_q

FINAL_DECISION_CLOSES_AFTER = timedelta(days=1)
BATCH = 200


def close_lapsed_disputes(*, now: datetime | None = None, batch_size: int = BATCH) -> int:
    """Close cases whose seller stayed silent past the deadline, whose appeal window ended, or
    whose decision on appeal is a day old.

    Reads only due rows through the partial indexes; each case closes in its own transaction so
    one failure does not hold back the rest, and running twice closes nothing twice.
    """
    now = now or timezone.now()
    rules = (  # (reason, which cases, oldest first by)
        (
            "seller_silent",
            Q(status=Status.AWAITING_SELLER, seller_response_due_at__lte=now),
            "seller_response_due_at",
        ),
        (
            "appeal_window_ended",
            Q(status=Status.DECIDED, appeal_deadline_at__lte=now),
            "appeal_deadline_at",
        ),
        (
            # A decision on appeal is final: nothing is left to wait for but a day's grace.
            "decision_final",
            Q(
                status=Status.DECIDED,
                appeal_count__gt=0,
                decided_at__lte=now - FINAL_DECISION_CLOSES_AFTER,
            ),
            "decided_at",
        ),
    )
    due = [
        (pk, reason)
        for reason, condition, oldest_first in rules
        for pk in Dispute.objects.filter(condition)
        .exclude(money_pending_q())  # closing waits for the money
        .order_by(oldest_first)
        .values_list("pk", flat=True)[:batch_size]
    ]
    closed = 0
    for pk, reason in due:
        dispute = Dispute.objects.filter(pk=pk).first()
        if dispute is None:
            continue
        try:
            close_dispute(dispute=dispute, by=None, reason=reason, now=now)
        except (TransitionNotAllowed, Conflict):
            continue  # someone acted on it meanwhile (the seller answered, or it was appealed)
        closed += 1
    return closed


def catch_up(*, now: datetime | None = None, grace: timedelta = timedelta(minutes=2)) -> dict:
    """Re-enqueue work whose message was lost: intake not done, e-mails not sent. Everything
    due is drained in one round, a batch at a time by id, so a large loss heals at once; a
    notification still within its sending lease is skipped by the task itself."""
    now = now or timezone.now()
    counts = {"intake": 0, "notifications": 0}
    due = {
        "intake": Dispute.objects.filter(status=Status.SUBMITTED, created_at__lte=now - grace),
        "notifications": Notification.objects.filter(
            sent_at__isnull=True, created_at__lte=now - grace
        ),
    }
    for name, rows in due.items():
        after = 0
        while True:
            ids = list(
                rows.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            resend(**{"intake": [], "notifications": [], name: ids})
            counts[name] += len(ids)
            after = ids[-1]
    return counts
