"""Reads of disputes, scoped to the user, in a constant number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.errors import NotFound
from disputes import permissions as perms
from disputes.filters import DUE_SOON, sla_state_q
from disputes.models import (
    CaseEvent,
    Dispute,
    Message,
    Queue,
    ResponseTemplate,
    SavedView,
    amount_sort,
    sla_due,
)
from disputes.status import ACTIVE, QUEUED, Status


def _visible_to(user) -> QuerySet[Dispute]:
    disputes = Dispute.objects.all()
    if perms.is_staff_user(user) and user.has_perm("disputes.view_dispute"):
        return disputes
    return disputes.filter(seller_id__in=perms.seller_ids_for(user))


# What a row of the workspace list shows: loading whole cases (and their assignee's password
# hash) costs more than the query itself.
LIST_ROW_FIELDS = (
    "reference",
    "claim_type",
    "status",
    "priority",
    "language",
    "amount",
    "currency",
    "created_at",
    "sla_next_deadline_at",
    "seller__name",
    "seller__seller_id",
    "seller__marketplace",
    "queue__name",
    "assignee__username",
)


def list_case_rows_for(*, user) -> QuerySet[Dispute]:
    """The workspace list: the same cases as list_disputes_for, loading only the columns shown."""
    return list_disputes_for(user=user).only(*LIST_ROW_FIELDS)


def list_disputes_for(*, user) -> QuerySet[Dispute]:
    """The disputes a user may see, with what a list row shows, sortable by the list's keys."""
    return (
        _visible_to(user)
        .select_related("seller", "queue", "assignee")
        .annotate(
            sla_due=sla_due(),
            amount_sort=amount_sort(),
        )
    )


def get_dispute_for(*, user, reference: str, prefetch: tuple = ()) -> Dispute:
    """One dispute by reference; a dispute the user may not see does not exist (404)."""
    dispute = (
        _visible_to(user)
        .select_related("seller", "queue", "assignee", "decided_by", "merged_into", "created_by")
        .prefetch_related(*prefetch)
        .filter(reference=reference)
        .first()
    )
    if dispute is None:
        raise NotFound("No dispute with this reference.", code="dispute_not_found")
    return dispute


@dataclass
class CasePage:
    """Everything the workspace case page shows, fetched in a fixed number of queries."""

    dispute: Dispute
    messages: list[Message]
    events: list[CaseEvent]
    evidence: list
    escalations: list
    decisions: list
    reimbursements: list
    seller_summary: dict
    seller_open_cases: list[Dispute]
    records: dict[str, list] = field(default_factory=dict)
    templates: list = field(default_factory=list)

    @property
    def has_records(self) -> bool:
        return any(self.records.values())


def get_case_page(*, user, reference: str) -> CasePage:
    from evidence.selectors import list_matching_records

    dispute = get_dispute_for(
        user=user,
        reference=reference,
        prefetch=(
            Prefetch("messages", queryset=Message.objects.select_related("author")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "evidence__uploaded_by",
            "escalations__requested_by",
            "decisions__decided_by",
            "reimbursements__approver",
            "reimbursements__maker",
        ),
    )
    seller_disputes = Dispute.objects.filter(seller_id=dispute.seller_id)
    # Counting a column of dispute_seller_history (never null) keeps it an index-only scan,
    # even for a seller with a hundred thousand cases.
    summary = seller_disputes.aggregate(
        total=Count("status"),
        open=Count(
            "status",
            filter=~Q(status__in=[Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.DECIDED]),
        ),
        approved=Count("status", filter=Q(outcome="approved")),
        partially_approved=Count("status", filter=Q(outcome="partially_approved")),
        denied=Count("status", filter=Q(outcome="denied")),
    )
    open_cases = list(
        seller_disputes.exclude(pk=dispute.pk)
        .filter(status__in=[*ACTIVE, Status.AWAITING_SELLER])
        .only("reference", "status", "claim_type", "created_at")
        .order_by("-created_at")[:8]
    )
    return CasePage(
        dispute=dispute,
        messages=list(dispute.messages.all()),
        events=list(dispute.events.all()),
        evidence=list(dispute.evidence.all()),
        escalations=list(dispute.escalations.all()),
        decisions=list(dispute.decisions.all()),
        reimbursements=list(dispute.reimbursements.all()),
        seller_summary=summary,
        seller_open_cases=open_cases,
        records=list_matching_records(dispute=dispute),
        templates=list_templates_for(dispute=dispute),
    )


@dataclass
class TemplateChoice:
    template: ResponseTemplate
    fell_back: bool  # no translation in the seller's language: English shown instead


def list_templates_for(*, dispute: Dispute) -> list[TemplateChoice]:
    """Templates that fit the claim type, in the dispute's language or else in English."""
    rows = ResponseTemplate.objects.filter(is_active=True, language__in={dispute.language, "en"})
    by_code: dict[str, dict[str, ResponseTemplate]] = {}
    for row in rows:
        if row.claim_types and dispute.claim_type not in row.claim_types:
            continue
        by_code.setdefault(row.code, {})[row.language] = row
    choices = []
    for translations in by_code.values():
        if dispute.language in translations:
            choices.append(TemplateChoice(translations[dispute.language], fell_back=False))
        else:
            choices.append(TemplateChoice(translations["en"], fell_back=dispute.language != "en"))
    return sorted(choices, key=lambda c: c.template.name)


def count_queue_overview_for(*, user) -> list[dict]:
    """Per queue: open, due soon, breached, awaiting seller, escalated (one grouped query)."""
    now = timezone.now()
    queues = Queue.objects.filter(is_active=True)
    member_of = list(user.work_queues.values_list("pk", flat=True))
    if member_of:
        queues = queues.filter(pk__in=member_of)
    return list(
        queues.annotate(
            open_count=Count("disputes", filter=Q(disputes__status__in=QUEUED)),
            due_soon_count=Count(
                "disputes",
                filter=Q(
                    disputes__status__in=ACTIVE,
                    disputes__sla_paused_at__isnull=True,
                    disputes__sla_next_deadline_at__gte=now,
                    disputes__sla_next_deadline_at__lt=now + DUE_SOON,
                ),
            ),
            breached_count=Count(
                "disputes",
                filter=Q(
                    disputes__status__in=ACTIVE,
                    disputes__sla_paused_at__isnull=True,
                    disputes__sla_next_deadline_at__lt=now,
                ),
            ),
            awaiting_count=Count("disputes", filter=Q(disputes__status=Status.AWAITING_SELLER)),
            escalated_count=Count("disputes", filter=Q(disputes__status=Status.ESCALATED)),
        ).values(
            "slug",
            "name",
            "open_count",
            "due_soon_count",
            "breached_count",
            "awaiting_count",
            "escalated_count",
        )
    )


def count_my_work(*, user) -> dict:
    mine = Dispute.objects.filter(assignee=user)
    return mine.aggregate(
        in_review=Count("id", filter=Q(status=Status.IN_REVIEW)),
        awaiting=Count("id", filter=Q(status=Status.AWAITING_SELLER)),
        escalated=Count("id", filter=Q(status=Status.ESCALATED)),
        breached=Count("id", filter=sla_state_q("breached")),
    )


def list_saved_views_for(*, user) -> list[SavedView]:
    return list(SavedView.objects.filter(owner=user))


# --- seller portal --------------------------------------------------------------------------


def list_sellers_for(*, user) -> list:
    from sellers.models import Seller

    return list(Seller.objects.filter(memberships__user=user).order_by("name"))


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


def get_portal_case(*, user, seller, reference: str) -> PortalCase:
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
        )
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
    )


def count_defects_by_month(*, seller, months: int = 12) -> dict:
    """The seller's disputes per month and claim type, and outcomes per claim type."""
    from django.db.models.functions import TruncMonth

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
    return {"by_month": list(rows), "by_type": list(outcomes)}
