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
from disputes.api import serializers as s
from disputes.models import CheckRun, Dispute

User = AbstractBaseUser
Data = Mapping[str, Any]


def _with_version(dispute: Dispute) -> dict:
    return {"version": dispute.version}


@dataclass(frozen=True)
class CaseAction:
    """One thing staff or a seller can do to a case, on the case page and/or in the API."""

    name: str  # the URL name (workspace:<name>) and the API action's name
    path: str  # the URL segment under the case, in the workspace and the API
    run: Callable[[Dispute, User, Data], object]  # calls the one service with cleaned input
    success: str | Promise = ""  # the workspace's message when it worked
    form: type[django_forms.Form] | None = None  # None: not on the case page
    prefix: str | None = None
    form_key: str = ""  # the form's name in the case page's context
    initial: Callable[[Dispute], dict] = field(default=_with_version)
    api_input: type[drf_serializers.Serializer] | None = None  # None: not in the API
    staff_only: bool = True  # in the API: a staff token only


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
        path="reply",
        form=forms.MessageForm,
        prefix="reply",
        form_key="reply_form",
        success=_("Reply sent to the seller."),
        run=lambda d, by, c: services.reply_to_seller(
            dispute=d, by=by, body=c["body"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="request_info",
        path="request-info",
        form=forms.MessageForm,
        prefix="info",
        form_key="info_form",
        success=_("Information requested; the SLA clock is paused."),
        api_input=s.RequestInfoInputSerializer,
        run=lambda d, by, c: services.request_information(
            dispute=d, by=by, body=c["body"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="note",
        path="note",
        form=forms.NoteForm,
        prefix="note",
        form_key="note_form",
        initial=lambda d: {},
        success=_("Internal note added."),
        run=lambda d, by, c: services.add_internal_note(dispute=d, by=by, body=c["body"]),
    ),
    CaseAction(
        name="escalate",
        path="escalate",
        form=forms.EscalateForm,
        form_key="escalate_form",
        success=_("Escalated."),
        api_input=s.EscalateInputSerializer,
        run=lambda d, by, c: services.escalate_dispute(
            dispute=d, by=by, team=c["team"], reason=c["reason"], expected_version=c.get("version")
        ),
    ),
    CaseAction(
        name="resolve_escalation",
        path="resolve-escalation",
        form=forms.ResolveEscalationForm,
        form_key="resolve_form",
        initial=lambda d: {},
        success=_("Answer recorded; the case is back in review."),
        api_input=s.ResolveEscalationInputSerializer,
        run=lambda d, by, c: services.resolve_escalation(dispute=d, by=by, answer=c["answer"]),
    ),
    CaseAction(
        name="decide",
        path="decide",
        form=forms.DecideForm,
        form_key="decide_form",
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
        path="merge",
        form=forms.MergeForm,
        form_key="merge_form",
        initial=lambda d: {},
        success=_("Merged."),
        run=_merge,
    ),
    CaseAction(
        name="assign",
        path="assign",
        form=forms.AssignForm,
        form_key="assign_form",
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
        path="priority",
        form=forms.PriorityForm,
        form_key="priority_form",
        initial=lambda d: {"priority": d.priority},
        success=_("Priority changed."),
        run=lambda d, by, c: services.change_priority(dispute=d, by=by, priority=c["priority"]),
    ),
    CaseAction(
        name="restrict",
        path="restrict",
        form=forms.ReasonForm,
        prefix="restrict",
        form_key="restrict_form",
        initial=lambda d: {},
        success=_("Restriction recommended; a team lead will review it."),
        run=lambda d, by, c: services.recommend_restriction(dispute=d, by=by, reason=c["reason"]),
    ),
    CaseAction(
        name="close",
        path="close",
        form=forms.ReasonForm,
        prefix="close",
        form_key="close_form",
        initial=lambda d: {},
        success=_("Closed."),
        api_input=s.OptionalReasonInputSerializer,
        run=lambda d, by, c: services.close_dispute(dispute=d, by=by, reason=c["reason"]),
    ),
    CaseAction(
        name="recheck",
        path="recheck",
        form=forms.RecheckForm,
        form_key="recheck_form",
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
API_ACTIONS = tuple(action for action in ACTIONS if action.api_input is not None)
