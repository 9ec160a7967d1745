"""Reads of seller accounts: which sellers a user acts for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef

from core.errors import InvalidInput
from sellers.models import Seller, Sku


def list_sellers_for(*, user: AbstractBaseUser) -> list[Seller]:
    """The seller accounts a portal user is a member of, by name.

    Read once per request and kept on the user object: the language middleware, the portal's
    choice of seller and every permission check of the request share the one query.
    """
    if not (user and user.is_authenticated):
        return []
    cached = getattr(user, "_arbiter_sellers", None)
    if cached is None:
        cached = list(Seller.objects.filter(memberships__user=user).order_by("name"))
        user._arbiter_sellers = cached
    return cached


def get_seller_to_file_for(*, user: AbstractBaseUser, seller_id: str | None) -> Seller:
    """The seller an API filing is for: named by staff, implied for a one-seller portal user."""
    if user.is_staff:
        if not seller_id:
            raise InvalidInput(
                "Say which seller the dispute is for.",
                fields={"seller_id": ["Required for staff."]},
            )
        seller = Seller.objects.filter(seller_id=seller_id).first()
    else:
        sellers = list_sellers_for(user=user)
        found = [s for s in sellers if s.seller_id == seller_id] if seller_id else sellers
        if len(found) > 1:
            raise InvalidInput(
                "This token acts for several sellers: say which one.",
                fields={"seller_id": ["Required."]},
            )
        seller = found[0] if found else None
    if seller is None:
        raise InvalidInput(
            "No seller account with this id that you may file for.",
            fields={"seller_id": ["Unknown seller."]},
        )
    return seller


def in_catalog_or_none_kept(*, seller: Seller, sku: str) -> bool:
    """Whether a claim may name this SKU: it is in the seller's catalog, or the seller keeps
    none. One query of two index lookups, whatever the catalog's size, asked once per SKU
    and request (the portal checks a filing before filing it: the answer is kept on the
    seller object the request holds)."""
    known = seller.__dict__.setdefault("_arbiter_in_catalog", {})
    if sku not in known:
        catalog = Sku.objects.filter(seller_id=OuterRef("pk"))
        found = (
            Seller.objects.filter(pk=seller.pk)
            .values_list(Exists(catalog), Exists(catalog.filter(sku=sku)))
            .first()
        )
        keeps_one, has_it = found or (False, False)
        known[sku] = has_it or not keeps_one
    return known[sku]
