"""What happened on a case: messages, the timeline (CaseEvent) and e-mails sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.case import Decision, Dispute
from disputes.status import Status
from sellers.models import Language


class Message(models.Model):
    """A message on a case: a public reply either side sees, or a staff-only internal note."""

    class Side(models.TextChoices):
        SELLER = "seller", _("Seller")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("Arbiter")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Reply")
        INTERNAL = "internal", _("Internal note")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    side = models.CharField(max_length=8, choices=Side.choices)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispute", "created_at"], name="message_dispute_created")]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(side="seller") & Q(visibility="internal")),
                name="message_seller_never_internal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.body[:40]}"


class CaseEvent(models.Model):
    """One line of a case's timeline and audit trail: who did what, when, before and after.

    Append-only: rows are never updated or deleted through the ORM.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Dispute submitted")
        CHECKS_COMPLETED = "checks_completed", _("Intake checks completed")
        CHECKS_RUN = "checks_run", _("Checks run again")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        REASSIGNED = "reassigned", _("Reassigned")
        REPLIED = "replied", _("Reply sent to the seller")
        NOTE_ADDED = "note_added", _("Internal note added")
        INFO_REQUESTED = "info_requested", _("Information requested from the seller")
        SELLER_RESPONDED = "seller_responded", _("Seller responded")
        SELLER_MESSAGE = "seller_message", _("Seller wrote a message")
        ESCALATED = "escalated", _("Escalated to a peer team")
        ESCALATION_RESOLVED = "escalation_resolved", _("Peer team answered")
        DECIDED = "decided", _("Decided")
        APPEALED = "appealed", _("Appealed")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn by the seller")
        MERGED = "merged", _("Merged into another dispute")
        MERGE_RECEIVED = "merge_received", _("Another dispute was merged into this one")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        REIMBURSEMENT_PROPOSED = "reimbursement_proposed", _("Reimbursement proposed")
        REIMBURSEMENT_APPROVED = "reimbursement_approved", _("Reimbursement approved")
        REIMBURSEMENT_REJECTED = "reimbursement_rejected", _("Reimbursement rejected")
        REIMBURSEMENT_REVISED = "reimbursement_revised", _("Reimbursement revised")
        REIMBURSEMENT_PAID = "reimbursement_paid", _("Reimbursement paid")
        NOTHING_MORE_OWED = "nothing_more_owed", _("Nothing more to pay: already reimbursed")
        REVERSAL_OPENED = "reversal_opened", _("Reversal opened: reimbursed units turned up")
        REVERSAL_COMPLETED = "reversal_completed", _("Reversal completed")
        REVERSAL_CANCELLED = "reversal_cancelled", _("Reversal cancelled")
        NOTIFICATION_SENT = "notification_sent", _("E-mail sent to the seller")
        SLA_WARNING = "sla_warning", _("SLA deadline approaching")
        SLA_BREACHED = "sla_breached", _("SLA deadline breached")
        SELLER_REMINDED = "seller_reminded", _("Seller reminded of the deadline")
        RESTRICTION_RECOMMENDED = "restriction_recommended", _("Account restriction recommended")
        CLAIM_CORRECTED = "claim_corrected", _("Claim details corrected by an administrator")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    # What changed: {"before": {...}, "after": {...}} and any details worth keeping.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="event_dispute_created"),
            # The service dashboard's breaches today: a few rows of a very large table.
            models.Index(
                fields=["created_at"], name="event_sla_breached", condition=Q(kind="sla_breached")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case events are append-only")


class Notification(models.Model):
    """An e-mail to the seller; the unique key makes "sent" happen once whatever retries."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Dispute received")
        INFO_NEEDED = "info_needed", _("Information needed")
        REPLY = "reply", _("Reply")
        DECIDED = "decided", _("Decision")
        REIMBURSED = "reimbursed", _("Reimbursement")
        REVERSED = "reversed", _("Reimbursement taken back")
        REMINDER = "reminder", _("Reminder")
        CLOSED = "closed", _("Closed")
        SLA_WARNING = "sla_warning", _("SLA warning (staff)")
        SLA_BREACHED = "sla_breached", _("SLA breach (staff)")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    recipient = models.EmailField()
    language = models.CharField(max_length=7, choices=Language.choices)
    # What the e-mail carries beside the case, read when it is rendered (by the worker): the
    # specialist's message (a reply, a request for information) or the decision it announces.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker last began sending it: another worker (or the catch-up) waits until the
    # lease has run out, so a worker killed between sending and recording does not mean a copy.
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"], name="notification_unsent", condition=Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return self.key
