"""Admin base classes every app's admin shares: configuration, view-only rows, inlines."""

from __future__ import annotations

from django.contrib import admin


class ConfigurationAdmin(admin.ModelAdmin):
    """Editable settings; only people who may change them see them here (others: the workspace)."""

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows only services write (timeline, decisions, e-mails): never added, changed or deleted."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SuperuserDeletableAdmin(ViewOnlyAdmin):
    """View-only rows a superuser may still delete (a bad import, a stale bookmark)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


class ReadOnlyInline(admin.TabularInline):
    """A dispute's related rows, shown on its page and never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False
    select_related: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset
