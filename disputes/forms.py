"""Forms of the workspace's actions: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.check_codes import RootCause
from disputes.status import EscalationTeam, Outcome, Priority, ReasonCode


def staff_who_work_queues():
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return (
        users.filter(Q(groups__permissions__codename="work_dispute") | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


class VersionedForm(forms.Form):
    """Carries the version the user saw, so a stale form is refused instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MessageForm(VersionedForm):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class EscalateForm(VersionedForm):
    team = forms.ChoiceField(label=_("Team"), choices=EscalationTeam.choices)
    reason = forms.CharField(
        label=_("What do you need from them?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )


class ResolveEscalationForm(forms.Form):
    answer = forms.CharField(
        label=_("The team's answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class DecideForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    reason_code = forms.ChoiceField(label=_("Reason"), choices=ReasonCode.choices)
    approved_quantity = forms.IntegerField(
        label=_("Approved quantity"), min_value=0, required=False
    )
    replaced_quantity = forms.IntegerField(
        label=_("Of which replaced"),
        min_value=0,
        required=False,
        help_text=_("Units sent back to the seller instead of paid in money."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to pay the policy's proposal."),
    )
    amount_change_reason = forms.CharField(
        label=_("Why a different amount?"), required=False, max_length=500
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"),
        choices=RootCause.choices,
        required=False,
        help_text=_("The checks' suggestion; correct it if the case showed otherwise."),
    )
    explanation = forms.CharField(
        label=_("Explanation for the seller"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )


class RecheckForm(forms.Form):
    """Run the checks again: nothing to fill in."""


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into (reference)"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "DSP-2026-000123"}),
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, to_field_name="username")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_work_queues()


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign to…")),
        ("priority", _("Set priority…")),
        ("merge", _("Close as duplicates of…")),
    ]
    action = forms.ChoiceField(label=_("Bulk action"), choices=ACTIONS)
    references = forms.MultipleChoiceField(required=True, choices=())
    assignee = forms.ModelChoiceField(queryset=None, required=False, to_field_name="username")
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False)
    into = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_work_queues()
        refs = self.data.getlist("references") if hasattr(self.data, "getlist") else []
        self.fields["references"].choices = [(r, r) for r in refs[:200]]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the cases."))
        if action == "priority" and not data.get("priority"):
            self.add_error("priority", _("Choose a priority."))
        if action == "merge" and not data.get("into"):
            self.add_error("into", _("Enter the reference of the case to keep."))
        return data


# --- money: approvals, reversals, payouts -------------------------------------------------------


class ReviewPayoutsForm(forms.Form):
    """Approve or reject one payout or several (the approvals queue's checkboxes)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    verdict = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the service decides which exist and may be reviewed.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()
        self.fields["ids"].error_messages["required"] = _("Choose at least one reimbursement.")


class CancelReversalForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), max_length=2000)


class PayoutBatchForm(forms.Form):
    currency = forms.CharField(max_length=3)
    marketplace = forms.CharField(max_length=8, required=False)


class MarkPaidForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=80)
