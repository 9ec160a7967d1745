"""Reads of the seller portal: a seller's own disputes only, never internal notes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.errors import NotFound
from disputes.check_codes import RootCause
from disputes.models import Decision, Dispute, Message
from disputes.selectors.cases import list_disputes_for
from reimbursements.models import Reversal
from sellers.selectors import list_sellers_for


def list_portal_disputes(*, user, seller) -> QuerySet[Dispute]:
    """A seller's own disputes only, whatever else the user may see."""
    return list_disputes_for(user=user).filter(seller=seller)


@dataclass
class PortalCase:
    """What a seller sees of their dispute: never internal notes."""

    dispute: Dispute
    messages: list[Message]
    evidence: list
    decisions: list
    reimbursements: list
    reversals: list  # completed ones only: a pending reversal is not yet the seller's business


def find_own_seller_of_case(*, user, reference: str):
    """Which of the user's seller accounts filed this case, if any (a link in an e-mail may
    name a case of another account than the one the portal is showing)."""
    sellers = {seller.pk: seller for seller in list_sellers_for(user=user)}
    seller_id = (
        Dispute.objects.filter(reference=reference, seller_id__in=sellers)
        .values_list("seller_id", flat=True)
        .first()
    )
    return sellers.get(seller_id)


def get_portal_case(*, user, seller, reference: str) -> PortalCase:
    """One of the seller's own disputes with what the seller may see of it."""
    dispute = (
        list_portal_disputes(user=user, seller=seller)
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.filter(
                    visibility=Message.Visibility.PUBLIC
                ).select_related("author"),
            ),
            "evidence",
            "decisions",
            "reimbursements",
            Prefetch("reversals", queryset=Reversal.objects.filter(status="completed")),
        )
        .select_related("latest_check_run")
        .filter(reference=reference)
        .first()
    )
    if dispute is None:
        raise NotFound("No dispute with this reference.", code="dispute_not_found")
    return PortalCase(
        dispute=dispute,
        messages=list(dispute.messages.all()),
        evidence=list(dispute.evidence.all()),
        decisions=list(dispute.decisions.all()),
        reimbursements=list(dispute.reimbursements.all()),
        reversals=list(dispute.reversals.all()),
    )


def count_defects_by_month(*, seller, months: int = 12) -> dict:
    """The seller's disputes per month and claim type, and outcomes per claim type."""
    since = timezone.now() - timezone.timedelta(days=31 * months)
    rows = (
        Dispute.objects.filter(seller=seller, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "claim_type")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    outcomes = (
        Dispute.objects.filter(seller=seller, created_at__gte=since)
        .values("claim_type")
        .annotate(
            total=Count("id"),
            approved=Count("id", filter=Q(outcome__in=["approved", "partially_approved"])),
            denied=Count("id", filter=Q(outcome="denied")),
        )
        .order_by("-total")
    )
    causes = (
        Decision.objects.filter(dispute__seller=seller, decided_at__gte=since)
        .exclude(root_cause="")
        .values("root_cause")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return {
        "by_month": list(rows),
        "by_type": list(outcomes),
        "by_root_cause": [{**row, "label": RootCause(row["root_cause"]).label} for row in causes],
    }
