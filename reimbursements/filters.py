"""The one FilterSet of the reimbursement list (API list and finance export)."""

from __future__ import annotations

import django_filters

from reimbursements.models import Reimbursement


class ReimbursementFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Reimbursement.Status.choices)
    seller = django_filters.CharFilter(field_name="seller__seller_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Reimbursement
        fields: list[str] = []
