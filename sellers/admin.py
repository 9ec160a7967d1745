"""Administration of seller accounts, portal memberships and the SKU catalog."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ConfigurationAdmin, ViewOnlyAdmin
from sellers.models import RestrictionRecommendation, Seller, SellerMembership, Sku


class SellerMembershipInline(admin.TabularInline):
    model = SellerMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Seller)
class SellerAdmin(ConfigurationAdmin):
    list_display = [
        "name",
        "seller_id",
        "marketplace",
        "default_currency",
        "preferred_language",
        "health_state",
        "contact_email",
    ]
    list_filter = ["marketplace", "default_currency", "preferred_language", "health_state"]
    search_fields = ["name", "seller_id", "contact_email"]
    date_hierarchy = "created_at"
    inlines = [SellerMembershipInline]


@admin.register(SellerMembership)
class SellerMembershipAdmin(ConfigurationAdmin):
    list_display = ["user", "seller", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "seller__name", "seller__seller_id"]
    list_select_related = ["user", "seller"]
    autocomplete_fields = ["user", "seller"]


@admin.register(Sku)
class SkuAdmin(ConfigurationAdmin):
    list_display = ["sku", "title", "seller", "fnsku", "asin", "reference_value", "currency"]
    list_filter = ["currency", "seller__marketplace"]
    search_fields = ["sku", "fnsku", "asin", "title", "seller__name", "seller__seller_id"]
    list_select_related = ["seller"]
    autocomplete_fields = ["seller"]


@admin.register(RestrictionRecommendation)
class RestrictionRecommendationAdmin(ViewOnlyAdmin):
    list_display = ["seller", "dispute", "status", "recommended_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["seller__name", "seller__seller_id", "dispute__reference", "reason"]
    list_select_related = ["seller", "dispute", "recommended_by"]
    date_hierarchy = "created_at"
    raw_id_fields = ["seller", "dispute", "recommended_by"]
