"""E-mail to the seller: a Notification row per message (unique key), sent by a task."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from disputes.models import CaseEvent, Dispute, Notification


def queue_notification(dispute: Dispute, *, kind: str, key: str | None = None) -> None:
    """Create the notification once (per key) and send it after the transaction commits."""
    recipient = dispute.seller.contact_email
    if not recipient:
        return
    notification, created = Notification.objects.get_or_create(
        key=key or f"{kind}:{dispute.pk}",
        defaults={
            "dispute": dispute,
            "kind": kind,
            "recipient": recipient,
            "language": dispute.seller.preferred_language,
        },
    )
    if created:
        from disputes.tasks import send_notification_task

        transaction.on_commit(lambda: send_notification_task.delay(notification.pk), robust=True)


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
    CaseEvent.objects.create(
        dispute=dispute,
        kind=CaseEvent.Kind.NOTIFICATION_SENT,
        data={"kind": notification.kind, "to": notification.recipient},
    )
    return True
