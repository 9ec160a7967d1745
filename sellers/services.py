"""Writes of seller accounts: restriction recommendations raised from cases."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from sellers.models import RestrictionRecommendation


def create_restriction_recommendation(
    *, seller_id: int, dispute_id: int | None, recommended_by: AbstractBaseUser, reason: str
) -> RestrictionRecommendation:
    """Store a recommendation for team leads; the case's service records it in the timeline."""
    return RestrictionRecommendation.objects.create(
        seller_id=seller_id, dispute_id=dispute_id, recommended_by=recommended_by, reason=reason
    )
