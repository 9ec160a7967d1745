"""Every write to a dispute, one module per sub-domain; import them from here.

Each service checks who may act and from which status, writes the rows, changes the case through
disputes.case (status, version, timeline) and enqueues follow-up work on commit. Portal,
workspace, API, tasks and commands all call these.
"""

from disputes.services.assignment import assign_dispute, change_priority, take_next_case
from disputes.services.checks import recheck_dispute
from disputes.services.closing import close_dispute, merge_dispute, withdraw_dispute
from disputes.services.decision import appeal_dispute, decide_dispute
from disputes.services.escalation import escalate_dispute, resolve_escalation
from disputes.services.filing import correct_claim, file_dispute, precheck_filing, submit_dispute
from disputes.services.intake import complete_intake
from disputes.services.messaging import (
    add_internal_note,
    post_seller_message,
    reply_to_seller,
    reply_with_evidence,
    request_information,
)
from disputes.services.periodic import catch_up, close_lapsed_disputes
from disputes.services.restriction import recommend_restriction
from disputes.services.saved_views import delete_saved_view, save_view

__all__ = [
    "add_internal_note",
    "appeal_dispute",
    "assign_dispute",
    "catch_up",
    "change_priority",
    "close_dispute",
    "close_lapsed_disputes",
    "complete_intake",
    "correct_claim",
    "decide_dispute",
    "delete_saved_view",
    "escalate_dispute",
    "file_dispute",
    "merge_dispute",
    "post_seller_message",
    "precheck_filing",
    "recheck_dispute",
    "recommend_restriction",
    "reply_to_seller",
    "reply_with_evidence",
    "request_information",
    "resolve_escalation",
    "save_view",
    "submit_dispute",
    "take_next_case",
    "withdraw_dispute",
]
