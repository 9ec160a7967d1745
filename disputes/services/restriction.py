"""Recommending, from a case, that a seller account be restricted."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import require
from disputes import permissions as perms
from disputes.case import lock_dispute, touch
from disputes.models import CaseEvent, Dispute
from disputes.services.messaging import clean_text
from sellers.models import RestrictionRecommendation
from sellers.services import create_restriction_recommendation


@transaction.atomic
def recommend_restriction(
    *, dispute: Dispute, by: AbstractBaseUser, reason: str
) -> RestrictionRecommendation:
    """Recommend restricting the seller's account; team leads act on it."""
    lock_dispute(dispute)
    require(
        perms.can_work(by, dispute),
        _("Only the case's assignee or a team lead can recommend a restriction."),
    )
    text = clean_text(reason, field="reason", label=_("The reason"))
    recommendation = create_restriction_recommendation(
        seller_id=dispute.seller_id, dispute_id=dispute.pk, recommended_by=by, reason=text
    )
    touch(
        dispute,
        kind=CaseEvent.Kind.RESTRICTION_RECOMMENDED,
        by=by,
        data={"reason": text, "recommendation": recommendation.pk},
    )
    return recommendation
