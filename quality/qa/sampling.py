"""Which decisions go to QA, and to whom: the nightly sample and a team lead's case by hand.

A decision is sampled for the first reason that applies: its outcome moved later (an appeal
decided otherwise, a completed reversal), its payout overrode the policy's proposal, its amount
is high, or a draw (a higher share for a specialist in their first days). On the last day of an
ISO week, specialists with fewer than the weekly minimum get more of that week's decisions.
Draws come from a hash of the decision's id, so a rerun draws the same and one review per
decision (a unique constraint) makes it sample nothing new."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionNotAllowed, require
from core.money import Money
from disputes.models import Decision
from quality.models import QAReview, QARubric
from quality.permissions import can_resolve_qa_contest, can_review_qa
from quality.qa.common import approver_id_of, excluded_reviewers, lock_review, log_event
from quality.qa.rubrics import get_active_rubric
from quality.qa_status import QAEventKind, QAStatus, SampleReason
from reimbursements.models import Reversal

User = AbstractBaseUser


@dataclass
class SampleRun:
    """What one run sampled and assigned."""

    day: date
    sampled: list[QAReview] = field(default_factory=list)
    assigned: int = 0

    def count(self, reason: str) -> int:
        return sum(1 for review in self.sampled if review.reason == reason)


def _setting(name: str):
    return settings.ARBITER[name]


def draw(decision_id: int) -> float:
    """The decision's draw in [0, 1): the same on every run and every machine."""
    digest = hashlib.sha256(f"qa-sample:{decision_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)


def _is_new(decision: Decision) -> bool:
    joined = decision.decided_by.date_joined
    return decision.decided_at - joined < timedelta(days=_setting("QA_NEW_SPECIALIST_DAYS"))


def _is_override(decision: Decision) -> bool:
    payout = getattr(decision, "reimbursement", None)
    return bool(
        payout is not None
        and payout.proposed_amount is not None
        and payout.amount != payout.proposed_amount
    )


def _is_high(decision: Decision) -> bool:
    if not decision.amount:
        return False
    limit = Decimal(str(_setting("QA_HIGH_AMOUNT_USD")))
    return Money(decision.amount, decision.currency).in_usd() > limit


def reason_for(decision: Decision) -> str | None:
    """Why the nightly run samples this decision, or None (outcome moves are found apart)."""
    if _is_override(decision):
        return SampleReason.OVERRIDE
    if _is_high(decision):
        return SampleReason.HIGH_AMOUNT
    if _is_new(decision):
        if draw(decision.pk) < _setting("QA_NEW_SPECIALIST_RATE"):
            return SampleReason.NEW_SPECIALIST
        return None
    if draw(decision.pk) < _setting("QA_SAMPLE_RATE"):
        return SampleReason.RANDOM
    return None


def _decisions() -> Iterable[Decision]:
    return Decision.objects.select_related("decided_by", "reimbursement")


def _moved(start: datetime, end: datetime) -> list[Decision]:
    """First decisions whose outcome moved in [start, end): an appeal decided otherwise (outcome
    or amount), or a completed reversal of their payout."""
    appeals = Decision.objects.filter(on_appeal=True, decided_at__gte=start, decided_at__lt=end)
    firsts = {
        first.dispute_id: first
        for first in _decisions().filter(
            on_appeal=False, dispute_id__in=appeals.values("dispute_id")
        )
    }
    moved = {
        firsts[appeal.dispute_id].pk: firsts[appeal.dispute_id]
        for appeal in appeals
        if appeal.dispute_id in firsts
        and (
            appeal.outcome != firsts[appeal.dispute_id].outcome
            or (appeal.amount or 0) != (firsts[appeal.dispute_id].amount or 0)
        )
    }
    reversed_ids = Reversal.objects.filter(
        status=Reversal.Status.COMPLETED, resolved_at__gte=start, resolved_at__lt=end
    ).values("reimbursement__decision_id")
    for decision in _decisions().filter(pk__in=reversed_ids):
        moved.setdefault(decision.pk, decision)
    return sorted(moved.values(), key=lambda d: d.pk)


class ReviewerPool:
    """Team leads and QA reviewers, least loaded first (fewest due reviews, then the lowest
    id): loads are read once and counted on as reviews are handed out."""

    def __init__(self) -> None:
        permission = Permission.objects.get(
            content_type__app_label="disputes", codename="review_quality"
        )
        people = (
            get_user_model()
            .objects.filter(is_active=True, is_staff=True)
            .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
            .values_list("pk", flat=True)
            .distinct()
        )
        self.load: Counter[int] = Counter(dict.fromkeys(people, 0))
        self.load.update(
            dict(
                QAReview.objects.filter(status=QAStatus.DUE, reviewer_id__in=list(self.load))
                .values_list("reviewer_id")
                .annotate(n=Count("id"))
                .values_list("reviewer_id", "n")
            )
        )

    def pick(self, *, not_these: frozenset[int]) -> int | None:
        free = [(n, pk) for pk, n in self.load.items() if pk not in not_these]
        if not free:
            return None
        _n, pk = min(free)
        self.load[pk] += 1
        return pk


def _create(
    decision: Decision,
    *,
    reason: str,
    rubric: QARubric,
    pool: ReviewerPool,
    now: datetime,
    by: User | None = None,
    note: str = "",
) -> QAReview | None:
    """The decision's review, assigned to someone who neither decided it nor approved its
    payout; None when it already has one."""
    payout = getattr(decision, "reimbursement", None)
    reviewer_id = pool.pick(
        not_these=excluded_reviewers(
            specialist_id=decision.decided_by_id,
            approver_id=payout.approver_id if payout is not None else None,
        )
    )
    review, created = QAReview.objects.get_or_create(
        decision=decision,
        defaults={
            "dispute_id": decision.dispute_id,
            "specialist_id": decision.decided_by_id,
            "reviewer_id": reviewer_id,
            "assigned_at": now if reviewer_id else None,
            "rubric": rubric,
            "reason": reason,
            "sampled_at": now,
            "currency": decision.currency,
            "reviewed_amount": decision.amount or 0,
        },
    )
    if not created:
        if reviewer_id:
            pool.load[reviewer_id] -= 1
        return None
    log_event(
        review,
        kind=QAEventKind.SAMPLED,
        actor=by,
        to_status=QAStatus.DUE,
        note=note,
        data={"reason": reason, "rubric": rubric.pk, "rubric_version": rubric.version},
    )
    if reviewer_id:
        log_event(review, kind=QAEventKind.ASSIGNED, actor=by, data={"reviewer": reviewer_id})
    return review


def _assign_waiting(pool: ReviewerPool, *, now: datetime) -> int:
    """Reviews sampled while nobody could take them get a reviewer now."""
    assigned = 0
    waiting = QAReview.objects.filter(status=QAStatus.DUE, reviewer__isnull=True).select_related(
        "decision__reimbursement"
    )
    for review in waiting.select_for_update(of=("self",), skip_locked=True):
        payout = getattr(review.decision, "reimbursement", None)
        reviewer_id = pool.pick(
            not_these=excluded_reviewers(
                specialist_id=review.specialist_id,
                approver_id=payout.approver_id if payout is not None else None,
            )
        )
        if reviewer_id is None:
            continue
        QAReview.objects.filter(pk=review.pk).update(
            reviewer_id=reviewer_id, assigned_at=now, updated_at=now
        )
        log_event(review, kind=QAEventKind.ASSIGNED, actor=None, data={"reviewer": reviewer_id})
        assigned += 1
    return assigned


def _weekly_minimum(day: date, chosen: set[int]) -> list[Decision]:
    """On the week's last day: more of the week's decisions for specialists below the minimum,
    lowest draws first."""
    minimum = _setting("QA_MIN_PER_WEEK")
    if day.isoweekday() != 7 or minimum <= 0:
        return []
    start, end = _bounds(day - timedelta(days=6), day)
    week = list(
        Decision.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(
            "pk", "decided_by_id"
        )
    )
    reviewed = (
        set(
            QAReview.objects.filter(decision_id__in=[pk for pk, _s in week]).values_list(
                "decision_id", flat=True
            )
        )
        | chosen
    )
    have: Counter[int] = Counter(spec for pk, spec in week if pk in reviewed)
    extra: list[int] = []
    by_specialist: dict[int, list[int]] = {}
    for pk, spec in week:
        if pk not in reviewed:
            by_specialist.setdefault(spec, []).append(pk)
    for spec, pks in by_specialist.items():
        missing = minimum - have[spec]
        if missing > 0:
            extra.extend(sorted(pks, key=draw)[:missing])
    return list(_decisions().filter(pk__in=extra).order_by("pk"))


@transaction.atomic
def sample_decisions(*, day: date, now: datetime | None = None) -> SampleRun:
    """Sample `day`'s decisions (in the site's time zone) for QA and assign the reviews; safe
    to run twice (the second samples nothing new)."""
    now = now or timezone.now()
    run = SampleRun(day=day)
    rubric = get_active_rubric()
    pool = ReviewerPool()
    run.assigned = _assign_waiting(pool, now=now)
    start, end = _bounds(day, day)

    picks: dict[int, tuple[Decision, str]] = {}
    for decision in _moved(start, end):
        picks[decision.pk] = (decision, SampleReason.OUTCOME_MOVED)
    todays = _decisions().filter(decided_at__gte=start, decided_at__lt=end).order_by("pk")
    for decision in todays:
        reason = reason_for(decision)
        if reason and decision.pk not in picks:
            picks[decision.pk] = (decision, reason)
    already = set(
        QAReview.objects.filter(decision_id__in=list(picks)).values_list("decision_id", flat=True)
    )
    for decision in _weekly_minimum(day, set(picks)):
        picks.setdefault(decision.pk, (decision, SampleReason.WEEKLY_MINIMUM))

    for pk in sorted(picks):
        if pk in already:
            continue
        decision, reason = picks[pk]
        review = _create(decision, reason=reason, rubric=rubric, pool=pool, now=now)
        if review is not None:
            run.sampled.append(review)
            run.assigned += review.reviewer_id is not None
    return run


@transaction.atomic
def send_to_qa(*, decision: Decision, by: User, reason: str = "") -> QAReview:
    """A team lead puts any decision in QA by hand, with a note saying why."""
    require(
        can_resolve_qa_contest(by),
        _("Only a team lead can send a case to QA."),
        code="not_a_lead",
    )
    decision = _decisions().get(pk=decision.pk)
    if QAReview.objects.filter(decision=decision).exists():
        raise TransitionNotAllowed(_("This decision is already in QA."), code="already_in_qa")
    review = _create(
        decision,
        reason=SampleReason.BY_HAND,
        rubric=get_active_rubric(),
        pool=ReviewerPool(),
        now=timezone.now(),
        by=by,
        note=reason.strip(),
    )
    if review is None:  # a nightly run took it a moment ago
        raise TransitionNotAllowed(_("This decision is already in QA."), code="already_in_qa")
    return review


@transaction.atomic
def reassign_review(*, review: QAReview, to: User, by: User) -> QAReview:
    """A team lead gives a due review to another reviewer: the one it has may be away, or may
    have approved the case's payout since it was sampled (they cannot score it then)."""
    require(
        can_resolve_qa_contest(by), _("Only a team lead can give a review to another reviewer.")
    )
    review = lock_review(review)
    if review.status != QAStatus.DUE:
        raise TransitionNotAllowed(
            _("This review is scored already; only a due review changes hands."),
            code="not_due",
        )
    require(
        can_review_qa(to),
        _("%(name)s is not a QA reviewer or a team lead.") % {"name": to.get_username()},
        code="not_a_reviewer",
    )
    excluded = excluded_reviewers(
        specialist_id=review.specialist_id, approver_id=approver_id_of(review.decision)
    )
    require(
        to.pk not in excluded,
        _("%(name)s decided this case or approved its payout, so cannot review it.")
        % {"name": to.get_username()},
        code="excluded_reviewer",
    )
    require(
        to.pk != review.reviewer_id,
        _("%(name)s has this review already.") % {"name": to.get_username()},
        code="same_reviewer",
    )
    before = review.reviewer_id
    review.reviewer, review.assigned_at = to, timezone.now()
    review.save(update_fields=["reviewer", "assigned_at", "updated_at"])
    log_event(review, kind=QAEventKind.ASSIGNED, actor=by, data={"reviewer": to.pk, "from": before})
    return review
