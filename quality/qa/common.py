"""The lowest QA writes: the history line, the checked status move, who may not review a
decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, TransitionNotAllowed
from disputes.models import Decision
from quality.models import QAReview, QAReviewEvent
from quality.qa_status import ALLOWED, QAStatus
from reimbursements.models import Reimbursement

User = AbstractBaseUser


def log_event(
    review: QAReview,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> QAReviewEvent:
    """Append one line to the review's history."""
    return QAReviewEvent.objects.create(
        review=review,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=dict(data or {}),
        created_at=timezone.now(),
    )


def lock_review(review: QAReview) -> QAReview:
    """Reload the review under a row lock, so that two people acting at once are serialised."""
    return QAReview.objects.select_for_update().get(pk=review.pk)


def require_move(review: QAReview, *, to: QAStatus, message: str, code: str) -> None:
    """Refuse a move the QA transition table does not allow, with the caller's words."""
    if to not in ALLOWED[QAStatus(review.status)]:
        raise TransitionNotAllowed(message, code=code)


def move(
    review: QAReview,
    *,
    to: QAStatus,
    by: User | None,
    kind: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    **fields: Any,
) -> QAReviewEvent:
    """Change the status with compare-and-set (the row is locked, so 0 rows is a bug or a
    concurrent writer outside a lock) and log it."""
    current = review.status
    rows = QAReview.objects.filter(pk=review.pk, status=current).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if rows == 0:
        raise Conflict(
            _("Someone else changed this review a moment ago. Reload it and try again."),
            code="conflict",
        )
    review.status = to
    for name, value in fields.items():
        setattr(review, name, value)
    return log_event(
        review, kind=kind, actor=by, from_status=current, to_status=to, note=note, data=data
    )


def approver_id_of(decision: Decision) -> int | None:
    """The team lead who approved the decision's payout, if one did."""
    return (
        Reimbursement.objects.filter(decision=decision)
        .values_list("approver_id", flat=True)
        .first()
    )


def excluded_reviewers(*, specialist_id: int, approver_id: int | None) -> frozenset[int]:
    """Who may never review a decision: its decider and its payout's approver."""
    return frozenset(pk for pk in (specialist_id, approver_id) if pk)
