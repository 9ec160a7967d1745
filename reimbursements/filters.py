"""The reimbursement list's FilterSet and the finance export's filters (page and API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCY_CHOICES
from reimbursements.models import Reimbursement
from sellers.models import Marketplace


class ReimbursementFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Reimbursement.Status.choices)
    seller = django_filters.CharFilter(field_name="seller__seller_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Reimbursement
        fields: list[str] = []


class FinanceExportForm(forms.Form):
    date_from = forms.DateField(
        label=_("Paid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Paid before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    marketplace = forms.ChoiceField(
        label=_("Marketplace"), choices=[("", _("All")), *Marketplace.choices], required=False
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("All")), *CURRENCY_CHOICES], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] <= data["date_from"]:
            raise forms.ValidationError(_("The end date must be after the start date."))
        return data
