"""The dashboards' filter: a date range and who or what to look at, the same on every page."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.claim_types import ClaimTypeCode
from disputes.models import Queue
from quality.reports import Week
from quality.selectors import DashboardFilters
from sellers.models import Marketplace

DEFAULT_DAYS = 28
MAX_DAYS = 366


def _specialists():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__permissions__codename="work_dispute")
        .distinct()
        .order_by("username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Queue.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("All teams"),
        help_text=_("The work of a queue's members."),
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("All queues"),
    )
    specialist = StaffChoiceField(
        label=_("Specialist"), queryset=_specialists(), required=False, empty_label=_("Everyone")
    )
    marketplace = forms.ChoiceField(
        label=_("Marketplace"),
        choices=[("", _("All marketplaces")), *Marketplace.choices],
        required=False,
    )
    claim_type = forms.ChoiceField(
        label=_("Claim type"),
        choices=[("", _("All claim types")), *ClaimTypeCode.choices],
        required=False,
    )

    def __init__(self, *args, own_only=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = _specialists()
        self.own_only = own_only
        today = timezone.localdate()  # an empty form shows the range it stands for
        self.fields["date_to"].initial = today
        self.fields["date_from"].initial = today - timedelta(days=DEFAULT_DAYS - 1)
        if own_only is not None:  # a specialist's own page: the filter is theirs, fixed
            del self.fields["specialist"], self.fields["team"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        day_to = data.get("date_to") or today
        day_from = data.get("date_from") or day_to - timedelta(days=DEFAULT_DAYS - 1)
        if day_from > day_to:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (day_to - day_from).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["date_from"], data["date_to"] = day_from, day_to
        return data

    def filters(self) -> DashboardFilters:
        """The filters chosen, or the last four weeks of everything when the form is invalid
        (the page shows the form's errors above figures it can still show)."""
        data = self.cleaned_data if self.is_valid() else {}
        day_to = data.get("date_to") or timezone.localdate()
        day_from = data.get("date_from") or day_to - timedelta(days=DEFAULT_DAYS - 1)
        team = data.get("team")
        specialist = self.own_only or data.get("specialist")
        return DashboardFilters(
            day_from=day_from,
            day_to=day_to,
            team=team,
            team_member_pks=frozenset(team.members.values_list("pk", flat=True))
            if team
            else frozenset(),
            queue=data.get("queue"),
            specialist_pk=specialist.pk if specialist else None,
            marketplace=data.get("marketplace", ""),
            claim_type=data.get("claim_type", ""),
        )


class WeeklyReportForm(DashboardFilterForm):
    """The weekly report's filter: an ISO week (Monday to Sunday) instead of a date range; the
    last complete week when none is chosen. The rest is the dashboards' filter."""

    week = forms.CharField(
        label=_("Week"),
        required=False,
        widget=forms.TextInput(attrs={"type": "week", "pattern": r"\d{4}-W\d{2}"}),
    )
    field_order = ["week"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["date_from"], self.fields["date_to"]
        self.fields["week"].initial = Week.last_complete().label

    def clean_week(self) -> Week:
        text = self.cleaned_data.get("week") or ""
        if not text:
            return Week.last_complete()
        try:
            week = Week.parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("Choose a week such as %(example)s."),
                params={"example": Week.last_complete().label},
            ) from None
        if week.monday > timezone.localdate():
            raise forms.ValidationError(_("That week has not begun yet."))
        return week

    def clean(self):
        return super(DashboardFilterForm, self).clean()  # no date range to check

    def scope(self) -> list[tuple[str, str]]:
        """(label, value) of every filter chosen besides the week: printed with the report."""
        if not self.is_valid():
            return []
        chosen = []
        for name in ("team", "queue", "specialist", "marketplace", "claim_type"):
            field, value = self.fields.get(name), self.cleaned_data.get(name)
            if field is None or not value:
                continue
            if isinstance(field, forms.ModelChoiceField):
                text = field.label_from_instance(value)
            else:
                text = dict(field.choices).get(value, value)
            chosen.append((str(field.label), str(text)))
        return chosen

    def chosen_week(self) -> Week:
        """The week asked for, or the last complete week when the form is invalid (the page
        shows the form's errors above the report it can still show)."""
        if self.is_valid():
            return self.cleaned_data["week"]
        return Week.last_complete()
