"""Forms of the seller portal; the claim form is built from the claim type registry."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from disputes.claim_types import CLAIM_TYPES, DefectKind
from disputes.models import Dispute
from disputes.services.filing import evidence_missing
from evidence.choices import EvidenceKind

HELP = {
    "sku": _("Your SKU, as in your catalog."),
    "fnsku": _("The fulfilment network SKU on the label, if you know it."),
    "quantity": _("How many units are affected."),
    "fulfillment_center": _("The fulfilment centre code, e.g. PHX7."),
    "shipment_id": _("The inbound shipment id, e.g. FBA15XYZ."),
    "order_id": _("The customer order id."),
    "tracking_id": _("The carrier's tracking number."),
    "removal_order_id": _("The removal order id."),
    "reimbursement_id": _("The reference of the earlier reimbursement."),
    "transaction_id": _("The payout, withdrawal or refund transaction id."),
    "claim_id": _("The buyer protection claim id."),
    "event_date": _("When it happened (the date on the record)."),
    "amount": _("The amount in your account currency."),
    "description": _("Anything that helps us understand what happened."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf,text/csv,.csv"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def fields_asked(claim_type: str) -> list[str]:
    """The required fields of the type, the event date when its window runs from it, and a note."""
    spec = CLAIM_TYPES[claim_type]
    asked = list(spec.required_fields)
    if spec.window_starts_at == "event_date" and "event_date" not in asked:
        asked.append("event_date")
    asked.append("description")
    return asked


class ClaimForm(forms.Form):
    """The fields one claim type asks for, labelled and explained for a seller."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    # Set once the seller saw that they filed the same thing before and still files.
    file_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, claim_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim_type = CLAIM_TYPES[claim_type]
        for name in fields_asked(claim_type):
            model_field = Dispute._meta.get_field(name)
            required = name in self.claim_type.required_fields
            if name == "defect_kind":
                field = forms.ChoiceField(choices=DefectKind.choices)
            elif name == "event_date":
                field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
            elif name == "description":
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
            elif name == "quantity":
                field = forms.IntegerField(min_value=1, max_value=100_000)
            elif name == "amount":
                field = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
            else:
                field = forms.CharField(max_length=model_field.max_length)
            field.required = required
            field.label = capfirst(model_field.verbose_name)
            field.help_text = HELP.get(name, "")
            self.fields[name] = field
        kinds = self.claim_type.evidence_kinds
        self.fields["evidence"] = MultipleFileField(
            label=_("Evidence files"),
            required=False,
            help_text=_("JPEG, PNG, WebP, PDF or CSV; up to 10 MB each."),
        )
        self.fields["evidence_kind"] = forms.ChoiceField(
            label=_("The files show"),
            required=False,
            choices=[(k, EvidenceKind(k).label) for k in (kinds or EvidenceKind.values)],
        )
        self.evidence_required = bool(kinds)

    def clean(self):
        data = super().clean()
        # Said with the other missing fields, not only once they are filled in.
        missing = evidence_missing(self.claim_type.code, data.get("evidence") or [])
        if missing and "evidence" not in self.errors:
            self.add_error("evidence", missing)
        return data

    def claim_fields(self) -> dict:
        names = fields_asked(self.claim_type.code)
        return {
            n: self.cleaned_data.get(n) for n in names if self.cleaned_data.get(n) not in (None, "")
        }


class SellerMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    evidence = MultipleFileField(label=_("Attach files"), required=False)
    evidence_kind = forms.ChoiceField(
        label=_("The files show"),
        choices=EvidenceKind.choices,
        required=False,
        initial=EvidenceKind.PHOTO,
    )


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("Files"), required=True)
    evidence_kind = forms.ChoiceField(label=_("The files show"), choices=EvidenceKind.choices)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should we look again?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=1000)
