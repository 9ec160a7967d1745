"""Administration of the QA rubric: versions with their items. A version some review was
sampled with is read-only; "publish a new version" copies it into the next version to edit."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ConfigurationAdmin
from core.errors import DomainError
from quality.models import QARubric, QARubricItem
from quality.qa import activate_rubric, publish_rubric_version, rubric_is_used


class QARubricItemInline(admin.TabularInline):
    model = QARubricItem
    extra = 0
    fields = ["order", "code", "label", "weight", "critical"]

    def _locked(self, obj) -> bool:
        return obj is not None and rubric_is_used(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(QARubric)
class QARubricAdmin(ConfigurationAdmin):
    list_display = ["name", "version", "active", "created_at", "created_by"]
    list_filter = ["active", "name"]
    list_select_related = ["created_by"]
    inlines = [QARubricItemInline]
    actions = ["publish_new_version", "activate"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and rubric_is_used(obj):
            return ["name", "version", "active", "created_at", "created_by"]
        # Versions are numbered and activated by the services, never typed in.
        return ["version", "active", "created_at", "created_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and rubric_is_used(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # A new name starts at version 1 and waits for "activate".
            latest = QARubric.objects.filter(name=obj.name).order_by("-version").first()
            obj.version = latest.version + 1 if latest else 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish a new version to edit (copies the items)"))
    def publish_new_version(self, request, queryset) -> None:
        for rubric in queryset:
            new = publish_rubric_version(rubric=rubric, by=request.user, activate=False)
            self.message_user(
                request,
                gettext("%(rubric)s created: edit it, then activate it.") % {"rubric": new},
                messages.SUCCESS,
            )

    @admin.action(description=_("Activate: score new reviews with this version"))
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, gettext("Select one version to activate."), messages.ERROR)
            return
        rubric = queryset.get()
        try:
            activate_rubric(rubric=rubric)
        except DomainError as exc:
            self.message_user(request, f"{rubric}: {exc.message}", messages.ERROR)
        else:
            self.message_user(
                request, gettext("%(rubric)s is active.") % {"rubric": rubric}, messages.SUCCESS
            )
