"""E-mail about a case: a Notification row per message (unique key), sent by a task."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from disputes.background import send_notification_after_commit
from disputes.case import record_event
from disputes.models import CaseEvent, Decision, Dispute, Message, Notification


def _queue(
    dispute: Dispute, *, kind: str, key: str, recipient: str, language: str, **about
) -> None:
    """Create the notification once (per key) and send it after the transaction commits."""
    if not recipient:
        return
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "dispute": dispute,
            "kind": kind,
            "recipient": recipient,
            "language": language,
            **about,
        },
    )
    if created:
        send_notification_after_commit(notification.pk)


def _to_the_seller(dispute: Dispute) -> dict:
    return {
        "recipient": dispute.seller.contact_email,
        "language": dispute.seller.preferred_language,
    }


def queue_notification(
    dispute: Dispute,
    *,
    kind: str,
    key: str | None = None,
    message: Message | None = None,
    decision: Decision | None = None,
) -> None:
    """An e-mail to the seller, in the seller's language; `message` or `decision` is what it
    carries beside the case (the worker reads them when it renders the e-mail)."""
    _queue(
        dispute,
        kind=kind,
        key=key or f"{kind}:{dispute.pk}",
        message=message,
        decision=decision,
        **_to_the_seller(dispute),
    )


def store_receipt(dispute: Dispute) -> Notification | None:
    """The e-mail saying a filing was received, stored but not sent: the intake task sends it,
    so that a filing gives the broker one message. The case is new in this transaction, so
    there is nothing to look up first: one insert."""
    seller = _to_the_seller(dispute)
    if not seller["recipient"]:
        return None
    return Notification.objects.create(
        dispute=dispute, kind="received", key=f"received:{dispute.pk}", **seller
    )


def queue_staff_notification(dispute: Dispute, *, kind: str, key: str, user) -> None:
    """An e-mail to a staff member about a case (SLA warnings and breaches), in English."""
    if user is not None:
        _queue(dispute, kind=kind, key=key, recipient=user.email, language="en")


def portal_case_url(dispute: Dispute) -> str:
    """The case's page in the seller portal, absolute: an e-mail has no request to take the
    host from."""
    return settings.SITE_URL + reverse("portal:dispute", kwargs={"reference": dispute.reference})


def workspace_case_url(dispute: Dispute) -> str:
    """The case's page in the workspace, absolute, for e-mails to staff."""
    return settings.SITE_URL + reverse("workspace:case", kwargs={"reference": dispute.reference})


def _closing_reason(dispute: Dispute) -> str:
    """Why the case was closed, as recorded on its closing event ("" when none was given)."""
    closings = CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.CLOSED)
    event = closings.order_by("-id").first()
    return str(event.data.get("reason") or "") if event else ""


def _context(notification: Notification) -> dict:
    """What the e-mail's templates read: the case, its address, and what the e-mail carries."""
    dispute = notification.dispute
    decision = notification.decision
    return {
        "dispute": dispute,
        "seller": dispute.seller,
        "notification": notification,
        "case_url": portal_case_url(dispute),
        "workspace_url": workspace_case_url(dispute),
        "message": notification.message,
        "decision": decision,
        # What the decision pays (on appeal: what it adds), None when it pays nothing.
        "reimbursement": getattr(decision, "reimbursement", None),
        "closing_reason": _closing_reason(dispute)
        if notification.kind == Notification.Kind.CLOSED
        else "",
    }


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a repeat is recognisably the same e-mail."""
    return f"<notification-{notification.pk}.{notification.kind}@arbiter>"


def _lease() -> timedelta:
    return timedelta(seconds=settings.ARBITER["NOTIFICATION_LEASE_SECONDS"])


@transaction.atomic
def _claim(notification_id: int) -> Notification | None:
    """Record the attempt (committed before the mail leaves), or None when the notification was
    sent, or another attempt holds the lease."""
    notification = (
        Notification.objects.select_for_update()
        .select_related("dispute__seller")
        .filter(pk=notification_id)
        .first()
    )
    now = timezone.now()
    if notification is None or notification.sent_at is not None:
        return None
    if notification.attempted_at and now - notification.attempted_at < _lease():
        return None
    notification.attempted_at = now
    notification.save(update_fields=["attempted_at"])
    return notification


def send_notification(*, notification_id: int) -> bool:
    """Send it unless sent, or unless another attempt began within the lease. The attempt is
    recorded before the mail leaves: a worker killed after sending leaves a recorded attempt,
    and the catch-up sends again only once the lease has run out, with the same Message-ID."""
    notification = _claim(notification_id)
    if notification is None:
        return False
    dispute = notification.dispute
    context = _context(notification)
    with translation.override(notification.language):
        subject = render_to_string(f"disputes/email/{notification.kind}_subject.txt", context)
        body = render_to_string(f"disputes/email/{notification.kind}_body.txt", context)
    email = EmailMessage(
        " ".join(subject.split()),
        body,
        None,
        [notification.recipient],
        headers={"Message-ID": message_id(notification)},
    )
    try:
        email.send()
    except Exception:  # it did not leave: a retry may go at once
        Notification.objects.filter(pk=notification.pk).update(attempted_at=None)
        raise
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        record_event(
            dispute,
            kind=CaseEvent.Kind.NOTIFICATION_SENT,
            actor=None,
            data={"kind": notification.kind, "to": notification.recipient},
        )
    return True
