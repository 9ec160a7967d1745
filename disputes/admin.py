"""The administration site for cases: configuration is editable, the workflow is not.

Status changes go through the services (workspace, portal, API); here a dispute's workflow fields,
its timeline and its decisions are read-only. The shared admin bases live in core/admin.py.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.admin import ConfigurationAdmin, ReadOnlyInline, SuperuserDeletableAdmin, ViewOnlyAdmin
from core.public_holidays import public_days_between, supported_countries
from disputes.claim_types import CLAIM_FIELDS
from disputes.models import (
    BusinessCalendar,
    CaseEvent,
    Decision,
    Dispute,
    Escalation,
    Holiday,
    Message,
    Notification,
    Queue,
    ReferenceSequence,
    ResponseTemplate,
    SavedView,
    SlaPolicy,
    SlaTimer,
    StaffProfile,
    WorkingHours,
)
from disputes.services import correct_claim
from evidence.models import EvidenceFile

admin.site.site_header = _("Arbiter administration")
admin.site.site_title = _("Arbiter administration")
admin.site.index_title = _("Configuration and records")


# --- configuration -------------------------------------------------------------------------------


@admin.register(Queue)
class QueueAdmin(ConfigurationAdmin):
    list_display = ["name", "slug", "is_active", "description"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["members"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(ConfigurationAdmin):
    list_display = ["name", "code", "language", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["name", "code", "subject", "body"]


@admin.register(StaffProfile)
class StaffProfileAdmin(ConfigurationAdmin):
    list_display = ["user", "languages"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    fields = ["date", "name", "is_working_day"]
    verbose_name = _("hand-added day")
    verbose_name_plural = _("hand-added days (on top of the country's public holidays)")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ConfigurationAdmin):
    list_display = ["name", "time_zone", "country", "subdivision"]
    list_filter = ["country"]
    search_fields = ["name", "time_zone", "country"]
    fields = ["name", "time_zone", "country", "subdivision", "coming_public_holidays"]
    readonly_fields = ["coming_public_holidays"]
    inlines = [WorkingHoursInline, HolidayInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "country":
            # A list of what the holidays package knows, so that no code has to be guessed.
            choices = [("", _("— none: no public holidays —"))]
            choices += [(code, f"{code} — {name}") for code, name in supported_countries().items()]
            return forms.ChoiceField(
                choices=choices,
                required=False,
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("public holidays in the next 12 months"))
    def coming_public_holidays(self, obj):
        if obj is None or obj.pk is None or not obj.country:
            return _("None: the calendar names no country.")
        today = timezone.now().astimezone(ZoneInfo(obj.time_zone)).date()
        days = public_days_between(
            obj.country,
            obj.subdivision,
            today,
            today + timedelta(days=365),
            language=get_language() or "",
        )
        if not days:
            return _("None in the next 12 months.")
        return format_html_join(
            mark_safe("<br>"),
            "{} {} — {}",
            (
                (
                    day.isoformat(),
                    date_format(day, "D"),
                    _("official working day (make-up day)") if working else name,
                )
                for day, name, working in days
            ),
        )


@admin.register(WorkingHours)
class WorkingHoursAdmin(ConfigurationAdmin):
    list_display = ["calendar", "weekday", "start", "end"]
    list_filter = ["calendar", "weekday"]
    list_select_related = ["calendar"]


@admin.register(Holiday)
class HolidayAdmin(ConfigurationAdmin):
    list_display = ["date", "name", "is_working_day", "calendar"]
    list_filter = ["calendar", "is_working_day"]
    search_fields = ["name"]
    list_select_related = ["calendar"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ConfigurationAdmin):
    list_display = [
        "name",
        "queue",
        "priority",
        "calendar",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "breach_action",
    ]
    list_filter = ["queue", "priority", "calendar", "breach_action"]
    search_fields = ["name"]
    list_select_related = ["queue", "calendar"]


# --- the case ------------------------------------------------------------------------------------


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "side", "visibility", "author", "body"]
    select_related = ("author",)


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "data"]
    select_related = ("actor",)


class EvidenceFileInline(ReadOnlyInline):
    model = EvidenceFile
    fields = ["uploaded_at", "original_name", "kind", "content_type", "size", "uploaded_by"]
    select_related = ("uploaded_by",)


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fields = ["requested_at", "team", "reason", "requested_by", "answer", "resolved_by"]
    select_related = ("requested_by", "resolved_by")


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = [
        "decided_at",
        "on_appeal",
        "outcome",
        "reason_code",
        "approved_quantity",
        "amount",
        "currency",
        "decided_by",
        "policy_version",
    ]
    select_related = ("decided_by",)


# Only the claim's own details may be corrected here; everything the workflow sets is read-only.
DISPUTE_EDITABLE_FIELDS = (*CLAIM_FIELDS, "language")
DISPUTE_SUMMARY_FIELDS = ("reference", "seller", "claim_type", "status", "priority", "queue")
DISPUTE_CLOCK_FIELDS = (
    "first_response_due_at",
    "first_responded_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "sla_next_deadline_at",
    "seller_response_due_at",
    "seller_reminder_at",
    "last_activity_at",
)


def _dispute_field_names() -> list[str]:
    return [f.name for f in Dispute._meta.concrete_fields if f.name != "id"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    show_full_result_count = False  # one COUNT over a large table is enough
    list_display = [
        "reference",
        "seller",
        "claim_type",
        "status",
        "priority",
        "queue",
        "assignee",
        "outcome",
        "created_at",
    ]
    list_filter = [
        "status",
        "claim_type",
        "priority",
        "outcome",
        "queue",
        "language",
        "channel",
        ("assignee", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "reference",
        "seller__name",
        "seller__seller_id",
        "sku",
        "fnsku",
        "order_id",
        "shipment_id",
        "tracking_id",
        "removal_order_id",
        "claim_id",
        "transaction_id",
    ]
    list_select_related = ["seller", "queue", "assignee"]
    date_hierarchy = "created_at"
    inlines = [MessageInline, CaseEventInline, EvidenceFileInline, EscalationInline, DecisionInline]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in _dispute_field_names() if name not in DISPUTE_EDITABLE_FIELDS]

    def get_fieldsets(self, request, obj=None):
        names = _dispute_field_names()
        grouped = {*DISPUTE_SUMMARY_FIELDS, *DISPUTE_EDITABLE_FIELDS, *DISPUTE_CLOCK_FIELDS}
        return [
            (None, {"fields": [n for n in DISPUTE_SUMMARY_FIELDS if n in names]}),
            (_("Claim"), {"fields": [n for n in DISPUTE_EDITABLE_FIELDS if n in names]}),
            (_("Workflow"), {"fields": [n for n in names if n not in grouped]}),
            (
                _("Clocks"),
                {
                    "classes": ["collapse"],
                    "fields": [n for n in DISPUTE_CLOCK_FIELDS if n in names],
                },
            ),
        ]

    def has_add_permission(self, request) -> bool:
        return False  # disputes are filed through submit_dispute (portal, workspace, API)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Write only the corrected claim fields: a full save would put back the status this page
        # loaded, undoing whatever a service changed meanwhile.
        changes = {
            name: getattr(obj, name)
            for name in form.changed_data
            if name in DISPUTE_EDITABLE_FIELDS
        }
        correct_claim(dispute=obj, by=request.user, changes=changes)


@admin.register(Message)
class MessageAdmin(ViewOnlyAdmin):
    show_full_result_count = False
    list_display = ["dispute", "side", "visibility", "author", "created_at"]
    list_filter = ["side", "visibility"]
    search_fields = ["dispute__reference", "body"]
    list_select_related = ["dispute", "author"]
    date_hierarchy = "created_at"
    raw_id_fields = ["dispute", "author"]


@admin.register(CaseEvent)
class CaseEventAdmin(ViewOnlyAdmin):
    show_full_result_count = False
    list_display = ["dispute", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["dispute__reference", "actor__username"]
    list_select_related = ["dispute", "actor"]
    date_hierarchy = "created_at"
    raw_id_fields = ["dispute", "actor"]


@admin.register(Escalation)
class EscalationAdmin(ViewOnlyAdmin):
    list_display = ["dispute", "team", "requested_by", "requested_at", "resolved_at"]
    list_filter = ["team", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["dispute__reference", "reason", "answer"]
    list_select_related = ["dispute", "requested_by"]
    date_hierarchy = "requested_at"
    raw_id_fields = ["dispute", "requested_by", "resolved_by"]


@admin.register(Decision)
class DecisionAdmin(ViewOnlyAdmin):
    list_display = [
        "dispute",
        "outcome",
        "reason_code",
        "on_appeal",
        "amount",
        "currency",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["outcome", "reason_code", "on_appeal", "currency"]
    search_fields = ["dispute__reference", "explanation"]
    list_select_related = ["dispute", "decided_by"]
    date_hierarchy = "decided_at"
    raw_id_fields = ["dispute", "decided_by"]


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    show_full_result_count = False
    list_display = ["key", "dispute", "kind", "recipient", "language", "created_at", "sent_at"]
    list_filter = ["kind", "language", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "recipient", "dispute__reference"]
    list_select_related = ["dispute"]
    date_hierarchy = "created_at"
    raw_id_fields = ["dispute", "message", "decision"]


@admin.register(SlaTimer)
class SlaTimerAdmin(ViewOnlyAdmin):
    list_display = [
        "dispute",
        "kind",
        "policy",
        "started_at",
        "due_at",
        "warned_at",
        "breached_at",
        "met_at",
        "stopped_at",
    ]
    list_filter = ["kind", ("breached_at", admin.EmptyFieldListFilter)]
    search_fields = ["dispute__reference"]
    list_select_related = ["dispute", "policy"]
    date_hierarchy = "due_at"
    raw_id_fields = ["dispute", "policy"]


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(ViewOnlyAdmin):
    list_display = ["year", "last_value"]


@admin.register(SavedView)
class SavedViewAdmin(SuperuserDeletableAdmin):
    list_display = ["name", "owner", "query", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
