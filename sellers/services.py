"""Writes of seller accounts: restriction recommendations raised from cases."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F

from sellers.models import RestrictionRecommendation, Seller


def create_restriction_recommendation(
    *, seller_id: int, dispute_id: int | None, recommended_by: AbstractBaseUser, reason: str
) -> RestrictionRecommendation:
    """Store a recommendation for team leads; the case's service records it in the timeline."""
    return RestrictionRecommendation.objects.create(
        seller_id=seller_id, dispute_id=dispute_id, recommended_by=recommended_by, reason=reason
    )


def count_claim_decision(*, seller_id: int, denied: bool) -> None:
    """Add a first decision to the seller's claim-quality score (one atomic increment)."""
    Seller.objects.filter(pk=seller_id).update(
        claims_decided=F("claims_decided") + 1,
        claims_denied=F("claims_denied") + (1 if denied else 0),
    )
