"""Administration of reimbursement policies (editable) and reimbursements (approve or reject)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import ConfigurationAdmin
from core.errors import DomainError
from reimbursements.models import FeeTable, FeeTier, Reimbursement, ReimbursementPolicy
from reimbursements.services import approve_reimbursement, reject_reimbursement


@admin.register(ReimbursementPolicy)
class ReimbursementPolicyAdmin(ConfigurationAdmin):
    list_display = [
        "claim_type",
        "version",
        "is_active",
        "filing_window_days",
        "opens_after_days",
        "max_unit_value_usd",
        "approval_threshold_usd",
        "appeal_window_days",
    ]
    list_filter = ["is_active", "claim_type"]
    search_fields = ["claim_type"]
    list_select_related = ["created_by"]
    raw_id_fields = ["created_by"]


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    extra = 0


@admin.register(FeeTable)
class FeeTableAdmin(ConfigurationAdmin):
    list_display = ["currency", "version", "is_active", "updated_at"]
    list_filter = ["currency", "is_active"]
    inlines = [FeeTierInline]


@admin.register(Reimbursement)
class ReimbursementAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "seller",
        "dispute",
        "amount",
        "currency",
        "status",
        "maker",
        "approver",
        "created_at",
    ]
    list_filter = ["status", "currency", "policy_version"]
    search_fields = ["reference", "dispute__reference", "seller__name", "seller__seller_id", "sku"]
    list_select_related = ["seller", "dispute", "maker", "approver"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # proposed by decide_dispute, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # status changes are the actions below, through the services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("reimbursements.approve_reimbursement")

    def _apply(self, request, queryset, service, done_message, **kwargs) -> None:
        done = 0
        for reimbursement in queryset.select_related("dispute"):
            try:
                service(reimbursement=reimbursement, by=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(
                    request, f"{reimbursement.reference}: {exc.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Approve selected reimbursements"), permissions=["approve"])
    def approve(self, request, queryset) -> None:
        self._apply(
            request,
            queryset,
            approve_reimbursement,
            lambda n: (
                ngettext("%(n)s reimbursement approved.", "%(n)s reimbursements approved.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Reject selected reimbursements"), permissions=["approve"])
    def reject(self, request, queryset) -> None:
        reason = gettext("Rejected in the administration site by %(name)s.") % {
            "name": request.user.get_username()
        }
        self._apply(
            request,
            queryset,
            reject_reimbursement,
            lambda n: (
                ngettext("%(n)s reimbursement rejected.", "%(n)s reimbursements rejected.", n)
                % {"n": n}
            ),
            reason=reason,
        )
