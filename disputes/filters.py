"""The one FilterSet of the case list, shared by the workspace page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from disputes.claim_types import ClaimTypeCode
from disputes.models import Dispute, Message, Queue
from disputes.permissions import seller_ids_for
from disputes.sla import SLA_STATES, sla_state_q
from disputes.status import Priority, Status
from sellers.models import Language, Marketplace, Seller

ORDERINGS = {
    "sla": ("sla_due", "-priority", "created_at", "id"),
    "priority": ("-priority", "sla_due", "created_at", "id"),
    "age": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "amount": ("-amount_sort", "-id"),
}
ORDERING_CHOICES = [
    ("sla", _("SLA due time")),
    ("priority", _("Priority")),
    ("age", _("Oldest first")),
    ("newest", _("Newest first")),
    ("amount", _("Claimed amount")),
]
# What a seller may filter and sort by: what the portal shows them. The team's own fields
# (queue, assignee, priority, SLA, checks) are not offered, so that no answer depends on them:
# a seller's `?priority=4` or `?ordering=priority` is ignored like any unknown parameter.
STAFF_ONLY_FILTERS = ("queue", "assignee", "priority", "sla", "checks", "language")
SELLER_ORDERINGS = ("newest", "age", "amount")


IDENTIFIERS = (
    "order_id",
    "shipment_id",
    "sku",
    "fnsku",
    "tracking_id",
    "removal_order_id",
    "claim_id",
    "transaction_id",
)


def search_q(text: str, *, include_internal: bool = True) -> Q:
    """A case matches by any identifier, its seller (ID or name), or words of its description
    or messages. Sellers search only public messages: an internal note must not be findable.

    On PostgreSQL each source is read through its own index and the matches are combined by id
    (a UNION), so a search costs the same among a thousand cases or a million; one OR across
    the columns would read every case.
    """
    text = text.strip()
    if not text:
        return Q()
    identifiers = Q(reference=text.upper())
    for name in IDENTIFIERS:
        identifiers |= Q(**{name: text})
    sellers = Seller.objects.filter(Q(seller_id=text) | Q(name__icontains=text)).values("pk")
    messages = Message.objects.all()
    if not include_internal:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC)
    if connection.vendor != "postgresql":
        words = Q(description__icontains=text) | Q(
            pk__in=messages.filter(body__icontains=text).values("dispute_id")
        )
        return identifiers | Q(seller__in=sellers) | words
    query = SearchQuery(text, config="simple")
    matches = (
        Dispute.objects.filter(identifiers)
        .values("pk")
        .union(
            Dispute.objects.filter(seller__in=sellers).values("pk"),
            Dispute.objects.annotate(document=SearchVector("description", config="simple"))
            .filter(document=query)
            .values("pk"),
            messages.annotate(document=SearchVector("body", config="simple"))
            .filter(document=query)
            .values("dispute_id"),
        )
    )
    return Q(pk__in=matches)


class DisputeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    # distinct=False: these are columns of the dispute itself, so no row can repeat, and a
    # DISTINCT would make PostgreSQL sort every matching case instead of reading the index.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), distinct=False
    )
    claim_type = django_filters.MultipleChoiceFilter(
        choices=ClaimTypeCode.choices, label=_("Claim type"), distinct=False
    )
    queue = django_filters.ModelChoiceFilter(
        queryset=Queue.objects.all(), to_field_name="slug", label=_("Queue"), empty_label=_("All")
    )
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"))
    # Typed, not picked: a marketplace has thousands of sellers, too many for a drop-down.
    seller = django_filters.ModelChoiceFilter(
        queryset=Seller.objects.all(),
        to_field_name="seller_id",
        label=_("Seller ID"),
        widget=forms.TextInput(attrs={"placeholder": "S0000123", "size": 12}),
        error_messages={"invalid_choice": _("No seller has this ID.")},
    )
    marketplace = django_filters.ChoiceFilter(
        field_name="seller__marketplace",
        choices=Marketplace.choices,
        label=_("Marketplace"),
        empty_label=_("All"),
    )
    language = django_filters.ChoiceFilter(
        choices=Language.choices, label=_("Language"), empty_label=_("All")
    )
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices, label=_("Priority"), empty_label=_("All")
    )
    sla = django_filters.ChoiceFilter(
        choices=SLA_STATES, method="filter_sla", label=_("SLA state"), empty_label=_("All")
    )
    checks = django_filters.ChoiceFilter(
        choices=[("failed", _("Any check failed")), ("clean", _("No check failed"))],
        method="filter_checks",
        label=_("Checks"),
        empty_label=_("All"),
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label=_("Amount from")
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label=_("Amount up to")
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="filter_noop", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Dispute
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, lenient_ordering=False, **kwargs):
        # A page ignores a sort it does not offer (an old bookmark, a hand-edited address) and
        # says so (`ignored_ordering`); the API refuses it as a bad parameter.
        self.ignored_ordering = ""
        if lenient_ordering and data is not None:
            allowed = SELLER_ORDERINGS if user is not None and not user.is_staff else ORDERINGS
            value = data.get("ordering")
            if value and value not in allowed:
                data = data.copy()
                del data["ordering"]
                self.ignored_ordering = value
        super().__init__(data, *args, **kwargs)
        # Pages pass the user; the API's filter backend passes the request instead.
        self.user = user or getattr(self.request, "user", None)
        if self.for_seller:
            for name in STAFF_ONLY_FILTERS:
                del self.filters[name]
        self.form.label_suffix = ""
        if self.for_seller:
            self.form.fields["ordering"].choices = [
                choice for choice in ORDERING_CHOICES if choice[0] in SELLER_ORDERINGS
            ]
            # A seller may name only its own sellers: another seller's real id is refused in
            # the same words as an id that does not exist, so neither tells them apart.
            self.filters["seller"].queryset = Seller.objects.filter(
                pk__in=seller_ids_for(self.user)
            )
            self.form.fields["seller"].queryset = self.filters["seller"].queryset

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        staff = bool(self.user is not None and self.user.is_staff)
        return queryset.filter(search_q(value, include_internal=staff))

    def filter_sla(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(sla_state_q(value))

    def filter_checks(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "failed":
            return queryset.filter(failed_checks__gt=0)
        return queryset.filter(failed_checks=0, latest_check_run__isnull=False)

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "me" and self.user is not None:
            return queryset.filter(assignee=self.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        user = get_user_model().objects.filter(username=value).first()
        return queryset.filter(assignee=user) if user else queryset.none()

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied by the paginator, which needs to know the order

    @property
    def for_seller(self) -> bool:
        return self.user is not None and not self.user.is_staff

    @property
    def ordering_key(self) -> str:
        value = self.form.cleaned_data.get("ordering") if self.form.is_valid() else None
        if value in ORDERINGS:
            return value
        return "newest" if self.for_seller else "sla"
