"""One table of case actions: it drives the workspace's action views and the API's endpoints.

A new action on a case is one service plus one row here: the row names the form the case page
shows, the input serializer the API validates, and how cleaned input calls the service. Both
form and serializer use the service's argument names, so one `run` serves both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as drf_serializers

from disputes import forms, selectors, services
from disputes import permissions as perms
from disputes.api import serializers as s
from disputes.models import CheckRun, Dispute
from disputes.status import IN_PLACE, QUEUED, Status, can_move

User = AbstractBaseUser
Data = Mapping[str, Any]


def _with_version(dispute: Dispute) -> dict:
    return {"version": dispute.version}


def _always(user: User, dispute: Dispute) -> bool:
    return True


@dataclass(frozen=True)
class CaseAction:
    """One thing staff or a seller can do to a case, on the case page and/or in the API."""

    name: str  # the URL name (workspace:<name>) and the API action's name
    path: str  # the URL segment under the case, in the workspace and the API
    run: Callable[[Dispute, User, Data], object]  # calls the one service with cleaned input
    success: str | Promise = ""  # the workspace's message when it worked
    form: type[django_forms.Form] | None = None  # None: not on the case page
    prefix: str | None = None
    initial: Callable[[Dispute], dict] = field(default=_with_version)
    api_input: type[drf_serializers.Serializer] | None = None  # None: not in the API
    staff_only: bool = True  # in the API: a staff token only
    # Whether the case page offers it to this viewer now: the status and the permission its
    # service requires, so nobody is shown a form that can only answer 403 or "not possible".
    offered: Callable[[User, Dispute], bool] = _always
    title: str | Promise = ""  # the case page panel's heading
    shortcut: str = ""  # the key that opens the panel (static/js/workspace.js)
    context: Callable[[Dispute], dict] = lambda dispute: {}  # what else the panel shows

    @property
    def template(self) -> str:
        """The case page panel's form (templates/workspace/panels/)."""
        return f"workspace/panels/{self.name}.html"


def _pick(data: Data, *names: str) -> dict:
    """The named inputs that were given (an API body may leave optional ones out)."""
    return {name: data[name] for name in names if name in data}


def _decision_start(dispute: Dispute) -> dict:
    """The decide form starts from the checks' proposal: the units the records support."""
    eligible = dispute.eligible_quantity
    run = dispute.latest_check_run
    return {
        "version": dispute.version,
        "approved_quantity": dispute.quantity if eligible is None else eligible,
        "root_cause": run.root_cause if run else "",
    }


def _merge(dispute: Dispute, by: User, data: Data):
    into = selectors.get_dispute_for(user=by, reference=data["into"].strip())
    return services.merge_dispute(dispute=dispute, into=into, by=by)


ACTIONS: tuple[CaseAction, ...] = (
    CaseAction(
        name="reply",
        title=_("Reply to the seller"),
        shortcut="r",
        context=lambda d: {"templates": selectors.list_templates_for(dispute=d)},
        offered=lambda u, d: d.status in IN_PLACE["reply"] and perms.can_work(u, d),
        path="reply",
        form=forms.MessageForm,
        prefix="reply",
        success=_("Reply sent to the seller."),
        run=lambda d, by, c: services.reply_to_seller(
            dispute=d, by=by, body=c["body"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="request_info",
        title=_("Request information"),
        offered=lambda u, d: can_move(d.status, Status.AWAITING_SELLER) and perms.can_work(u, d),
        path="request-info",
        form=forms.MessageForm,
        prefix="info",
        success=_("Information requested; the SLA clock is paused."),
        api_input=s.RequestInfoInputSerializer,
        run=lambda d, by, c: services.request_information(
            dispute=d, by=by, body=c["body"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="note",
        title=_("Internal note"),
        offered=lambda u, d: perms.can_write_notes(u),
        path="note",
        form=forms.NoteForm,
        prefix="note",
        initial=lambda d: {},
        success=_("Internal note added."),
        run=lambda d, by, c: services.add_internal_note(dispute=d, by=by, body=c["body"]),
    ),
    CaseAction(
        name="escalate",
        title=_("Escalate to a peer team"),
        offered=lambda u, d: can_move(d.status, Status.ESCALATED) and perms.can_work(u, d),
        path="escalate",
        form=forms.EscalateForm,
        success=_("Escalated."),
        api_input=s.EscalateInputSerializer,
        run=lambda d, by, c: services.escalate_dispute(
            dispute=d, by=by, team=c["team"], reason=c["reason"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="resolve_escalation",
        title=_("Record the peer team's answer"),
        offered=lambda u, d: d.status == Status.ESCALATED and perms.can_work(u, d),
        path="resolve-escalation",
        form=forms.ResolveEscalationForm,
        initial=lambda d: {},
        success=_("Answer recorded; the case is back in review."),
        api_input=s.ResolveEscalationInputSerializer,
        run=lambda d, by, c: services.resolve_escalation(dispute=d, by=by, answer=c["answer"]),
    ),
    CaseAction(
        name="decide",
        title=_("Decide"),
        shortcut="d",
        offered=lambda u, d: can_move(d.status, Status.DECIDED) and perms.can_decide(u, d),
        path="decide",
        form=forms.DecideForm,
        initial=_decision_start,
        success=_("Decision recorded and sent to the seller."),
        api_input=s.DecideInputSerializer,
        run=lambda d, by, c: services.decide_dispute(
            dispute=d,
            by=by,
            outcome=c["outcome"],
            reason_code=c["reason_code"],
            expected_version=c.get("version"),
            **_pick(
                c,
                "approved_quantity",
                "replaced_quantity",
                "amount",
                "amount_change_reason",
                "explanation",
                "root_cause",
            ),
        ),
    ),
    CaseAction(
        name="merge",
        title=_("Merge into another case"),
        offered=lambda u, d: can_move(d.status, Status.MERGED) and perms.can_merge(u, d),
        path="merge",
        form=forms.MergeForm,
        initial=lambda d: {},
        success=_("Merged."),
        run=_merge,
    ),
    CaseAction(
        name="assign",
        title=_("Assign or reassign"),
        offered=lambda u, d: (
            (d.status in QUEUED or d.status in IN_PLACE["reassign"])
            and perms.can_assign_to_others(u)
        ),
        path="assign",
        form=forms.AssignForm,
        success=_("Assigned."),
        api_input=s.AssignInputSerializer,
        run=lambda d, by, c: services.assign_dispute(
            dispute=d,
            assignee=c.get("assignee") or by,  # the API's default: the caller takes it
            by=by,
            expected_version=c.get("version"),
        ),
    ),
    CaseAction(
        name="priority",
        title=_("Change priority"),
        offered=lambda u, d: (
            d.status in IN_PLACE["change_priority"]
            and (perms.can_work(u, d) or perms.can_supervise(u))
        ),
        path="priority",
        form=forms.PriorityForm,
        initial=lambda d: {"priority": d.priority},
        success=_("Priority changed."),
        run=lambda d, by, c: services.change_priority(dispute=d, by=by, priority=c["priority"]),
    ),
    CaseAction(
        name="restrict",
        title=_("Recommend an account restriction"),
        offered=lambda u, d: d.status == Status.IN_REVIEW and perms.can_work(u, d),
        path="restrict",
        form=forms.ReasonForm,
        prefix="restrict",
        initial=lambda d: {},
        success=_("Restriction recommended; a team lead will review it."),
        run=lambda d, by, c: services.recommend_restriction(dispute=d, by=by, reason=c["reason"]),
    ),
    CaseAction(
        name="close",
        title=_("Close"),
        offered=lambda u, d: can_move(d.status, Status.CLOSED) and perms.can_supervise(u),
        path="close",
        form=forms.ReasonForm,
        prefix="close",
        initial=lambda d: {},
        success=_("Closed."),
        api_input=s.OptionalReasonInputSerializer,
        run=lambda d, by, c: services.close_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
    CaseAction(
        name="recheck",
        path="recheck",
        form=forms.RecheckForm,
        initial=lambda d: {},
        success=_("The checks ran again."),
        api_input=s.RecheckInputSerializer,
        run=lambda d, by, c: services.recheck_dispute(
            dispute=d, trigger=CheckRun.Trigger.MANUAL, by=by
        ),
    ),
    # The seller's own actions: in the API here, on the portal with its own forms.
    CaseAction(
        name="appeal",
        path="appeal",
        api_input=s.ReasonInputSerializer,
        staff_only=False,
        run=lambda d, by, c: services.appeal_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
    CaseAction(
        name="withdraw",
        path="withdraw",
        api_input=s.OptionalReasonInputSerializer,
        staff_only=False,
        run=lambda d, by, c: services.withdraw_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
)

WORKSPACE_ACTIONS = {action.name: action for action in ACTIONS if action.form is not None}
# The case page's action panels, in the order it lists them (recheck is a button on the checks).
PANELS = tuple(
    WORKSPACE_ACTIONS[name]
    for name in (
        "reply",
        "request_info",
        "decide",
        "escalate",
        "resolve_escalation",
        "restrict",
        "merge",
        "assign",
        "priority",
        "close",
        "note",
    )
)


PANELS_BY_NAME = {panel.name: panel for panel in PANELS}


def panels_offered(user: User, dispute: Dispute) -> list[CaseAction]:
    return [panel for panel in PANELS if panel.offered(user, dispute)]


def panel_open_first(panels: list[CaseAction], dispute: Dispute) -> str:
    """The panel the page opens by itself: the answer to a peer team, else the reply."""
    names = {panel.name for panel in panels}
    if dispute.status == Status.ESCALATED and "resolve_escalation" in names:
        return "resolve_escalation"
    if dispute.status == Status.IN_REVIEW and "reply" in names:
        return "reply"
    return ""


API_ACTIONS = tuple(action for action in ACTIONS if action.api_input is not None)
