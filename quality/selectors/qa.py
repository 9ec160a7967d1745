"""What QA reads: a reviewer's inbox, one review with everything needed to score it, and the
QA figures per specialist. Every function runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, Sum
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pagination import KeysetPage, paginate_keyset
from disputes.models import CheckResult, Decision, Dispute, Message
from disputes.selectors import CasePage, get_case_page, get_dispute_for
from quality.models import (
    QA_AMOUNTS,
    QA_COUNTS,
    QADailyRollup,
    QAReview,
    QAReviewEvent,
    QAReviewItem,
)
from quality.permissions import can_review_qa
from quality.qa_status import SCORED, QAStatus
from quality.rollups import QA, Share, pending_delta
from quality.selectors.calibration import waiting_scorecards

INBOX_LIMIT = 25
HUNDRED = Decimal(100)


@dataclass
class InboxPage:
    """Due reviews, oldest first; `next_after` is the keyset of the next page (None: no more)."""

    rows: list[QAReview]
    next_after: tuple[datetime, int] | None


def list_qa_inbox_for(
    *, user: AbstractBaseUser, after: tuple[datetime, int] | None = None, limit: int = INBOX_LIMIT
) -> InboxPage:
    """The user's due reviews, oldest sample first, one query whatever the page size (read
    through the partial index qa_review_inbox)."""
    if not can_review_qa(user):
        return InboxPage(rows=[], next_after=None)
    rows = QAReview.objects.filter(status=QAStatus.DUE, reviewer=user).select_related(
        "dispute__seller", "decision", "specialist", "rubric"
    )
    if after is not None:
        sampled_at, pk = after
        rows = rows.filter(Q(sampled_at__gt=sampled_at) | Q(sampled_at=sampled_at, pk__gt=pk))
    page = list(rows.order_by("sampled_at", "id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return InboxPage(
        rows=page, next_after=(page[-1].sampled_at, page[-1].pk) if more and page else None
    )


INBOX_ORDERING = ("sampled_at", "id")


def page_qa_inbox_for(
    *, user: AbstractBaseUser, cursor: str | None = None, page_size: int = INBOX_LIMIT
) -> KeysetPage:
    """One keyset page of the user's due reviews, oldest sample first, for the inbox page: one
    query whatever the page (read through the partial index qa_review_inbox). A cursor changed
    by hand raises InvalidInput."""
    rows = QAReview.objects.none()
    if can_review_qa(user):
        rows = QAReview.objects.filter(status=QAStatus.DUE, reviewer=user).select_related(
            "dispute", "decision", "specialist"
        )
    return paginate_keyset(rows, ordering=INBOX_ORDERING, cursor=cursor, page_size=page_size)


def count_due_qa_for(user: AbstractBaseUser) -> int:
    """How many reviews and calibration scorecards wait for the user: the navigation badge
    (one query; none for others)."""
    if not can_review_qa(user):
        return 0
    reviews = QAReview.objects.filter(status=QAStatus.DUE, reviewer=user).values("pk")
    # No ordering inside the union: SQLite refuses an ORDER BY in a compound statement's parts.
    scorecards = waiting_scorecards(user).order_by().values("pk")
    return reviews.order_by().union(scorecards, all=True).count()


def get_review_for(*, user: AbstractBaseUser, review_id: int) -> QAReview:
    """One review with the case as the reviewer reads it: its checks, messages, decisions,
    payouts and reversals, the rubric version's items, the marks and the history. Reviewers and
    team leads see any review; the reviewed specialist sees theirs once it is scored; anyone
    else gets NotFound."""
    review = (
        QAReview.objects.select_related(
            "dispute__seller",
            "dispute__latest_check_run",
            "decision__decided_by",
            "specialist",
            "reviewer",
            "resolved_by",
            "rubric",
        )
        .prefetch_related(
            "rubric__items",
            Prefetch(
                "items",
                queryset=QAReviewItem.objects.select_related("rubric_item").order_by(
                    "rubric_item__order", "rubric_item_id"
                ),
            ),
            Prefetch("events", queryset=QAReviewEvent.objects.select_related("actor")),
            Prefetch(
                "dispute__messages",
                queryset=Message.objects.select_related("author").order_by("created_at", "id"),
            ),
            "dispute__decisions__decided_by",
            Prefetch(
                "dispute__latest_check_run__results",
                queryset=CheckResult.objects.order_by("id"),
            ),
            "dispute__reimbursements",
            "dispute__reversals",
        )
        .filter(pk=review_id)
        .first()
    )
    visible = review is not None and (
        can_review_qa(user) or (review.specialist_id == user.pk and review.status != QAStatus.DUE)
    )
    if not visible:
        raise NotFound(_("No such QA review."), code="qa_review_not_found")
    return review


@dataclass
class ReviewPage:
    """The review page: the review (marks, history) beside the case as its own page reads it."""

    review: QAReview
    case: CasePage


def get_review_page_for(*, user: AbstractBaseUser, review_id: int) -> ReviewPage:
    """A review the user may see (see get_review_for) and its case's page, read-only."""
    review = get_review_for(user=user, review_id=review_id)
    return ReviewPage(
        review=review, case=get_case_page(user=user, reference=review.dispute.reference)
    )


def get_decision_to_sample(*, user: AbstractBaseUser, reference: str) -> Decision:
    """The case's latest decision, the one a team lead sends to QA by hand; NotFound when the
    case is not the user's to see or has no decision yet."""
    dispute: Dispute = get_dispute_for(user=user, reference=reference)
    decision = (
        Decision.objects.filter(dispute=dispute)
        .select_related("dispute", "decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is None:
        raise NotFound(_("This case has no decision to review yet."), code="no_decision")
    return decision


def list_reviews_of_case(dispute: Dispute) -> list[QAReview]:
    """The case's QA reviews, newest decision first, for its page (one query)."""
    return list(
        QAReview.objects.filter(dispute=dispute)
        .select_related("reviewer", "decision")
        .order_by("-decision__decided_at", "-id")
    )


def list_reviews_of(*, specialist: AbstractBaseUser, limit: int = 10) -> list[QAReview]:
    """A specialist's latest scored reviews, newest first (one query): their own page lists
    them with links."""
    return list(
        QAReview.objects.filter(specialist=specialist, status__in=sorted(SCORED))
        .select_related("dispute")
        .order_by("-submitted_at", "-id")[:limit]
    )


@dataclass
class CurrencyAccuracy:
    """One currency's reviewed amount and money error for a specialist: the error summed with
    its sign (net) and without (gross); accuracy = 1 − gross error / reviewed amount."""

    currency: str
    reviewed_amount: Decimal
    money_error: Decimal
    money_error_gross: Decimal

    @property
    def accuracy(self) -> Decimal | None:
        if not self.reviewed_amount:
            return None
        share = 1 - self.money_error_gross / self.reviewed_amount
        return share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def accuracy_percent(self) -> Decimal | None:
        """The accuracy as a percentage with two decimals (95.00), as tables show it."""
        share = self.accuracy
        return None if share is None else (share * HUNDRED).quantize(Decimal("0.01"))


@dataclass
class SpecialistQA:
    """A specialist's scored reviews over a period."""

    specialist_id: int
    reviews: int
    average_score: Decimal | None
    critical_failures: int
    money: list[CurrencyAccuracy] = field(default_factory=list)
    score_total: Decimal = Decimal(0)


def pending_qa_rows(
    pending: Share, *, start: date, end: date, specialist_ids: list[int] | None = None
) -> list[tuple[date, int, str, dict]]:
    """The QA rollup rows the next run will change, as (day, specialist, currency, changes),
    in the days and for the specialists asked for."""
    wanted = None if specialist_ids is None else set(specialist_ids)
    rows = []
    for key, changes in pending.items():
        if key[0] != QA:
            continue
        _, day, specialist_pk, _reviewer, currency = key
        day = date.fromisoformat(day)
        if start <= day <= end and (wanted is None or specialist_pk in wanted):
            rows.append((day, specialist_pk, currency, changes))
    return rows


def qa_figures(
    *,
    start: date,
    end: date,
    specialist_ids: list[int] | None = None,
    pending: Share | None = None,
) -> list[SpecialistQA]:
    """Per specialist, the reviews scored from `start` to `end` (days, inclusive; by the day
    the score was given, in the site's time zone): count, average score, critical failures,
    and per currency the reviewed amount and the money error. From the QA rollups (one query)
    and what the next rollup run adds (`pending`, read here unless the page has it already)."""
    names = (*QA_COUNTS, *QA_AMOUNTS)
    sums: dict[tuple[int, str], dict] = defaultdict(lambda: dict.fromkeys(names, 0))
    rows = QADailyRollup.objects.filter(day__gte=start, day__lte=end)
    if specialist_ids is not None:
        rows = rows.filter(specialist_pk__in=specialist_ids)
    for row in (
        rows.values("specialist_pk", "currency")
        .order_by()
        .annotate(**{name: Sum(name) for name in names})
    ):
        for name in names:
            sums[row["specialist_pk"], row["currency"]][name] += row[name]
    pending = pending_delta() if pending is None else pending
    for _day, specialist_pk, currency, changes in pending_qa_rows(
        pending, start=start, end=end, specialist_ids=specialist_ids
    ):
        for name, value in changes.items():
            sums[specialist_pk, currency][name] += value
    people: dict[int, SpecialistQA] = {}
    for (specialist_pk, currency), figures in sorted(sums.items()):
        if not figures["reviews"]:
            continue
        person = people.setdefault(
            specialist_pk,
            SpecialistQA(
                specialist_id=specialist_pk, reviews=0, average_score=None, critical_failures=0
            ),
        )
        person.reviews += figures["reviews"]
        person.critical_failures += figures["critical_failures"]
        person.score_total += figures["score_total"]
        person.money.append(
            CurrencyAccuracy(
                currency=currency,
                reviewed_amount=figures["reviewed_amount"],
                money_error=figures["money_error"],
                money_error_gross=figures["money_error_gross"],
            )
        )
    for person in people.values():
        average = Decimal(person.score_total) / person.reviews
        person.average_score = average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return list(people.values())
