"""Reads of seller accounts: which sellers a user acts for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from core.errors import InvalidInput
from sellers.models import Seller


def list_sellers_for(*, user: AbstractBaseUser) -> list[Seller]:
    """The seller accounts a portal user is a member of, by name."""
    return list(Seller.objects.filter(memberships__user=user).order_by("name"))


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
        sellers = Seller.objects.filter(memberships__user=user)
        if seller_id:
            sellers = sellers.filter(seller_id=seller_id)
        found = list(sellers[:2])
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
