"""The models of the case app, one module per part; import them from here.

case: Dispute, ReferenceSequence, Escalation, Decision · timeline: Message, CaseEvent,
Notification · queue: Queue, StaffProfile, SavedView · templates: ResponseTemplate ·
sla: BusinessCalendar, WorkingHours, Holiday, SlaPolicy, SlaTimer.
"""

from disputes.models.case import (
    CLAIM_TYPE_LABELS,
    NO_DEADLINE,
    Decision,
    Dispute,
    Escalation,
    ReferenceSequence,
    amount_sort,
    sla_due,
)
from disputes.models.checks import CheckResult, CheckRun
from disputes.models.queue import Queue, SavedView, StaffProfile
from disputes.models.sla import BusinessCalendar, Holiday, SlaPolicy, SlaTimer, WorkingHours
from disputes.models.templates import ResponseTemplate
from disputes.models.timeline import CaseEvent, Message, Notification

__all__ = [
    "CLAIM_TYPE_LABELS",
    "NO_DEADLINE",
    "BusinessCalendar",
    "CaseEvent",
    "CheckResult",
    "CheckRun",
    "Decision",
    "Dispute",
    "Escalation",
    "Holiday",
    "Message",
    "Notification",
    "Queue",
    "ReferenceSequence",
    "ResponseTemplate",
    "SavedView",
    "SlaPolicy",
    "SlaTimer",
    "StaffProfile",
    "WorkingHours",
    "amount_sort",
    "sla_due",
]
