"""DRF permission classes: login and role only; what a user may do to an object is the
services' business (STYLE.md)."""

from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    message = "This endpoint is for marketplace staff."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class CanImportRecords(BasePermission):
    message = "This token may not import operational records."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("evidence.import_records"))
