"""Reads of cases for staff and sellers, scoped to the user, in a constant number of queries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from core.errors import InvalidInput, NotFound
from disputes import permissions as perms
from disputes.check_codes import OUTCOME_ORDER
from disputes.models import CaseEvent, CheckRun, Dispute, Message, amount_sort, sla_due
from disputes.status import ACTIVE, FINISHED, Status
from evidence.models import EvidenceFile
from evidence.selectors import list_matching_records
from sellers.models import Seller


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
    "eligible_quantity",
    "failed_checks",
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
        .select_related(
            "seller",
            "queue",
            "assignee",
            "decided_by",
            "merged_into",
            "created_by",
            "latest_check_run",
        )
        .prefetch_related(*prefetch)
        .filter(reference=reference)
        .first()
    )
    if dispute is None:
        raise NotFound("No dispute with this reference.", code="dispute_not_found")
    return dispute


def known_unpaid(dispute: Dispute) -> Dispute:
    """A case just filed has no payout or reversal yet: its serializers read none, with no
    query (set as a prefetch of nothing)."""
    cache = getattr(dispute, "_prefetched_objects_cache", {})
    for relation in ("reimbursements", "reversals"):
        cache[relation] = getattr(dispute, relation).none()
    dispute._prefetched_objects_cache = cache
    return dispute


def get_dispute_by_id(dispute_id: int) -> Dispute | None:
    """A dispute by id for background work, which acts for no user; None once it is gone."""
    return Dispute.objects.filter(pk=dispute_id).first()


@dataclass
class CasePage:
    """Everything the workspace case page shows, fetched in a fixed number of queries."""

    dispute: Dispute
    messages: list[Message]
    events: list[CaseEvent]
    evidence: list
    decisions: list
    reimbursements: list
    seller_summary: dict
    seller_open_cases: list[Dispute]
    records: dict[str, list] = field(default_factory=dict)
    # The latest check report (None before the first run) and its results, failures first.
    check_run: CheckRun | None = None
    checks: list = field(default_factory=list)
    reversals: list = field(default_factory=list)

    @property
    def used_record_ids(self) -> set[str]:
        """The records the checks rest on, highlighted in the records tables."""
        return {record_id for result in self.checks for record_id in result.record_ids}

    @property
    def proposal(self) -> Decimal | None:
        return self.check_run.amount if self.check_run else None

    @property
    def has_records(self) -> bool:
        return any(self.records.values())


def get_case_page(*, user, reference: str) -> CasePage:
    """Everything the workspace case page shows, in a fixed number of queries.

    The timeline says what else there is to read (every change is in it): evidence, decisions,
    payouts and reversals are only read for a case whose timeline has them.
    """
    dispute = get_dispute_for(
        user=user,
        reference=reference,
        prefetch=(
            Prefetch("messages", queryset=Message.objects.select_related("author")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "latest_check_run__results",
        ),
    )
    events = list(dispute.events.all())
    kinds = {event.kind for event in events}
    evidence, decisions, reimbursements, reversals = [], [], [], []
    if CaseEvent.Kind.EVIDENCE_ADDED in kinds:
        evidence = list(dispute.evidence.select_related("uploaded_by"))
    if CaseEvent.Kind.DECIDED in kinds:
        decisions = list(dispute.decisions.select_related("decided_by"))
        reimbursements = list(dispute.reimbursements.select_related("approver", "maker"))
    if CaseEvent.Kind.REVERSAL_OPENED in kinds:
        reversals = list(dispute.reversals.select_related("reimbursement"))
    seller_disputes = Dispute.objects.filter(seller_id=dispute.seller_id)
    # Counting a column of dispute_seller_history (never null) keeps it an index-only scan,
    # even for a seller with a hundred thousand cases.
    summary = seller_disputes.aggregate(
        total=Count("status"),
        open=Count(
            "status",
            filter=~Q(status__in=sorted(FINISHED)),
        ),
        approved=Count("status", filter=Q(outcome="approved")),
        partially_approved=Count("status", filter=Q(outcome="partially_approved")),
        denied=Count("status", filter=Q(outcome="denied")),
    )
    run = dispute.latest_check_run
    open_cases = list(
        seller_disputes.exclude(pk=dispute.pk)
        .filter(status__in=[*ACTIVE, Status.AWAITING_SELLER])
        .only("reference", "status", "claim_type", "created_at")
        .order_by("-created_at")[:8]
    )
    return CasePage(
        dispute=dispute,
        messages=list(dispute.messages.all()),
        events=events,
        evidence=evidence,
        decisions=decisions,
        reimbursements=reimbursements,
        reversals=reversals,
        seller_summary=summary,
        seller_open_cases=open_cases,
        records=list_matching_records(dispute=dispute),
        check_run=run,
        checks=sorted(run.results.all(), key=lambda r: OUTCOME_ORDER[r.result]) if run else [],
    )


def list_messages_for(*, user, dispute: Dispute) -> QuerySet[Message]:
    """A case's messages; internal notes only for staff."""
    messages = Message.objects.filter(dispute=dispute).select_related("author")
    if not user.is_staff:
        messages = messages.filter(visibility=Message.Visibility.PUBLIC)
    return messages


def list_evidence_for(*, dispute: Dispute) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(dispute=dispute).select_related("uploaded_by")


def get_evidence_file_for(*, user, evidence_id: int) -> EvidenceFile:
    """One evidence file of a dispute the user may see; any other does not exist (404)."""
    evidence = (
        EvidenceFile.objects.filter(pk=evidence_id, dispute__in=_visible_to(user))
        .select_related("dispute")
        .first()
    )
    if evidence is None:
        raise NotFound("No such evidence file.", code="evidence_not_found")
    return evidence


def list_events_for(*, dispute: Dispute) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(dispute=dispute).select_related("actor")


def get_user_by_username(*, username: str, field: str):
    """A user named in a request (e.g. the assignee); an unknown name is bad input."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InvalidInput("No user with this username.", fields={field: ["Unknown user."]})
    return user


def list_sellers_with_dispute_counts() -> QuerySet[Seller]:
    """Every seller with how many disputes it filed and how many are still open."""
    return Seller.objects.annotate(
        total_disputes=Count("disputes"),
        open_disputes=Count("disputes", filter=~Q(disputes__status__in=sorted(FINISHED))),
    ).order_by("name")


DUPLICATE_EVENT_DAYS = 30


def duplicate_query(dispute: Dispute) -> Q | None:
    """Other disputes of the seller that claim the same thing, or None without identifiers."""
    d = dispute
    if d.claim_type == "inbound_shortage" and d.shipment_id:
        return Q(shipment_id=d.shipment_id, sku=d.sku)
    if d.order_id:
        return Q(order_id=d.order_id, claim_type=d.claim_type)
    if d.tracking_id:
        return Q(tracking_id=d.tracking_id)
    if d.removal_order_id:
        return Q(removal_order_id=d.removal_order_id, sku=d.sku)
    if d.claim_id:
        return Q(claim_id=d.claim_id)
    if d.transaction_id:
        return Q(transaction_id=d.transaction_id)
    if d.sku and d.fulfillment_center:
        same = Q(claim_type=d.claim_type, sku=d.sku, fulfillment_center=d.fulfillment_center)
        if d.event_date is None:
            return same
        near = timedelta(days=DUPLICATE_EVENT_DAYS)
        # Events within a month of each other, or a claim that gave no date.
        return same & (
            Q(event_date__range=(d.event_date - near, d.event_date + near))
            | Q(event_date__isnull=True)
        )
    return None


def list_duplicates_of(dispute: Dispute) -> list[Dispute] | None:
    """The seller's other live disputes claiming the same thing, oldest first (at most 10);
    None when the claim names nothing another could repeat."""
    same = duplicate_query(dispute)
    if same is None:
        return None
    return list(
        Dispute.objects.filter(same, seller_id=dispute.seller_id)
        .exclude(pk=dispute.pk)
        .exclude(status__in=[Status.MERGED, Status.WITHDRAWN])
        .only("reference", "status", "created_at")
        .order_by("created_at")[:10]
    )


def list_duplicates_of_filing(*, seller: Seller, claim_type: str, fields: dict) -> list[Dispute]:
    """What a seller about to file has already filed for the same thing."""
    return list_duplicates_of(Dispute(seller=seller, claim_type=claim_type, **fields)) or []


def hash_submission_key(key: str) -> str:
    """How a filer's idempotency key is stored: its SHA-256, so a key of any length is whole."""
    key = (key or "").strip()
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def find_filed_with_key(*, seller, key: str) -> Dispute | None:
    """The dispute an earlier send with this idempotency key created, if any."""
    hashed = hash_submission_key(key)
    if not hashed:
        return None
    return Dispute.objects.filter(seller=seller, submission_key=hashed).first()
