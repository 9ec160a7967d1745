"""E-mail about a case: a Notification row per message (unique key), sent by a task."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from disputes.background import send_notification_after_commit
from disputes.case import record_event
from disputes.models import CaseEvent, Dispute, Notification


def _queue(dispute: Dispute, *, kind: str, key: str, recipient: str, language: str) -> None:
    """Create the notification once (per key) and send it after the transaction commits."""
    if not recipient:
        return
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={"dispute": dispute, "kind": kind, "recipient": recipient, "language": language},
    )
    if created:
        send_notification_after_commit(notification.pk)


def queue_notification(dispute: Dispute, *, kind: str, key: str | None = None) -> None:
    """An e-mail to the seller, in the seller's language."""
    _queue(
        dispute,
        kind=kind,
        key=key or f"{kind}:{dispute.pk}",
        recipient=dispute.seller.contact_email,
        language=dispute.seller.preferred_language,
    )


def queue_staff_notification(dispute: Dispute, *, kind: str, key: str, user) -> None:
    """An e-mail to a staff member about a case (SLA warnings and breaches), in English."""
    if user is not None:
        _queue(dispute, kind=kind, key=key, recipient=user.email, language="en")


@transaction.atomic
def send_notification(*, notification_id: int) -> bool:
    """Send it unless already sent; the row lock makes a duplicate task wait, then skip."""
    notification = (
        Notification.objects.select_for_update()
        .select_related("dispute__seller")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.sent_at is not None:
        return False
    dispute = notification.dispute
    context = {"dispute": dispute, "seller": dispute.seller, "notification": notification}
    with translation.override(notification.language):
        subject = render_to_string(f"disputes/email/{notification.kind}_subject.txt", context)
        body = render_to_string(f"disputes/email/{notification.kind}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [notification.recipient])
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    record_event(
        dispute,
        kind=CaseEvent.Kind.NOTIFICATION_SENT,
        actor=None,
        data={"kind": notification.kind, "to": notification.recipient},
    )
    return True
