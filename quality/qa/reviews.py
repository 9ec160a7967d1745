"""Scoring a sampled decision, the specialist's one contest, and a team lead's verdict on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, require
from core.money import Money, quantize
from quality.models import QAReview, QAReviewItem, QARubric, QARubricItem
from quality.permissions import can_resolve_qa_contest, can_review_qa
from quality.qa.common import approver_id_of, lock_review, move, require_move
from quality.qa_status import ItemResult, QAEventKind, QAStatus

User = AbstractBaseUser


@dataclass(frozen=True)
class Mark:
    """A reviewer's mark on one item: passed, failed or not applicable, with a comment."""

    result: str
    comment: str = ""


# An item's mark: a Mark, or just the result ("passed", "failed", "not_applicable").
MarkInput = Mark | str
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Score:
    score: Decimal
    failed: bool


def score_of(marks: Mapping[QARubricItem, str]) -> Score:
    """100 × the weight of passed items over the weight of marked ones (not-applicable items
    count for neither), rounded half-up to 0.01; any failed critical item fails the review."""
    counted = [item for item, result in marks.items() if result != ItemResult.NOT_APPLICABLE]
    whole = sum(item.weight for item in counted)
    passed = sum(item.weight for item in counted if marks[item] == ItemResult.PASSED)
    score = (HUNDRED * passed / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    failed = any(item.critical and marks[item] == ItemResult.FAILED for item in counted)
    return Score(score=score, failed=failed)


def read_marks(
    rubric: QARubric, items: Mapping[str, MarkInput], *, partial: bool = False
) -> dict[QARubricItem, Mark]:
    """The marks by item of the rubric version; every item unless `partial`. Reviews and
    calibration scorecards read them the same way."""
    rubric_items = {item.code: item for item in rubric.items.all()}
    errors: dict[str, list[str]] = {}
    marks: dict[QARubricItem, Mark] = {}
    for code, given in items.items():
        mark = Mark(result=given) if isinstance(given, str) else given
        if code not in rubric_items:
            errors[code] = [_("This item is not on the review's rubric.")]
        elif mark.result not in ItemResult.values:
            errors[code] = [_("Choose yes, no or not applicable.")]
        else:
            marks[rubric_items[code]] = Mark(result=mark.result, comment=mark.comment.strip())
    if not partial:
        for code in rubric_items:
            if code not in items:
                errors.setdefault(code, [_("Mark this item.")])
    if errors:
        raise InvalidInput(_("The scorecard is not complete: see the items."), fields=errors)
    return marks


def require_a_mark(marks: Mapping[QARubricItem, Mark]) -> None:
    """Refuse a scorecard whose items are all not applicable: it has no score."""
    if all(mark.result == ItemResult.NOT_APPLICABLE for mark in marks.values()):
        raise InvalidInput(
            _("Mark at least one item yes or no: a review of nothing has no score."),
            fields={"items": [_("Every item is “not applicable”.")]},
        )


def read_money_error(value: Money | Decimal | str | None, *, currency: str) -> Decimal:
    """The money error given (+ overpaid, − underpaid) in the decision's `currency`; 0 if none."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, Money):
        if value.currency != currency:
            raise InvalidInput(
                _("Enter the money error in the decision's currency, %(currency)s.")
                % {"currency": currency},
                fields={"money_error": [_("Use %(currency)s.") % {"currency": currency}]},
            )
        value = value.amount
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise InvalidInput(
            _(
                "Enter the money error as an amount, such as 12.50 (overpaid) or -12.50 "
                "(underpaid)."
            ),
            fields={"money_error": [_("Enter an amount.")]},
        )
    return quantize(amount, currency)


def _require_not_involved(review: QAReview, by: User) -> None:
    require(
        by.pk != review.specialist_id,
        _("You decided this case; someone else must review it."),
        code="self_review",
    )
    require(
        by.pk != approver_id_of(review.decision),
        _("You approved this case's payout; someone else must review it."),
        code="approver_review",
    )


def _save_marks(review: QAReview, marks: dict[QARubricItem, Mark]) -> None:
    existing = {row.rubric_item_id: row for row in review.items.all()}
    new, changed = [], []
    for item, mark in marks.items():
        row = existing.get(item.pk)
        if row is None:
            new.append(
                QAReviewItem(
                    review=review, rubric_item=item, result=mark.result, comment=mark.comment
                )
            )
        elif (row.result, row.comment) != (mark.result, mark.comment):
            row.result, row.comment = mark.result, mark.comment
            changed.append(row)
    QAReviewItem.objects.bulk_create(new)
    QAReviewItem.objects.bulk_update(changed, ["result", "comment"])


def _all_marks(review: QAReview) -> dict[QARubricItem, str]:
    return {row.rubric_item: row.result for row in review.items.select_related("rubric_item")}


def _figures(review: QAReview) -> dict:
    return {
        "score": str(review.score) if review.score is not None else None,
        "failed": review.failed,
        "money_error": str(review.money_error),
        "currency": review.currency,
    }


@transaction.atomic
def submit_review(
    *,
    review: QAReview,
    by: User,
    items: Mapping[str, MarkInput],
    money_error: Money | Decimal | str | None = None,
    comment: str = "",
) -> QAReview:
    """The reviewer (or a team lead in their place) scores the decision on every item of the
    review's rubric version, with the money error found (+ overpaid, − underpaid)."""
    require(can_review_qa(by), _("Only a QA reviewer or a team lead can score a review."))
    review = lock_review(review)
    require(
        by.pk == review.reviewer_id or can_resolve_qa_contest(by),
        _("This review is assigned to someone else."),
        code="not_the_reviewer",
    )
    _require_not_involved(review, by)
    require_move(
        review,
        to=QAStatus.SUBMITTED,
        message=_("This review was already scored; the specialist may contest it."),
        code="already_scored",
    )
    marks = read_marks(review.rubric, items)
    require_a_mark(marks)
    error = read_money_error(money_error, currency=review.currency)
    result = score_of({item: mark.result for item, mark in marks.items()})
    _save_marks(review, marks)
    now = timezone.now()
    fields = {
        "score": result.score,
        "failed": result.failed,
        "money_error": error,
        "comment": comment.strip(),
        "submitted_at": now,
        "reviewer_id": by.pk,
    }
    if review.reviewer_id != by.pk:
        fields["assigned_at"] = now
    move(
        review,
        to=QAStatus.SUBMITTED,
        by=by,
        kind=QAEventKind.SUBMITTED,
        note=comment.strip(),
        data={"score": str(result.score), "failed": result.failed, "money_error": str(error)},
        **fields,
    )
    return review


@transaction.atomic
def contest_review(*, review: QAReview, by: User, reason: str) -> QAReview:
    """The specialist whose decision was reviewed contests the score, once, with a reason."""
    review = lock_review(review)
    require(
        by.pk == review.specialist_id,
        _("Only the specialist whose decision was reviewed can contest the review."),
        code="not_the_specialist",
    )
    if review.status in (QAStatus.CONTESTED, QAStatus.UPHELD, QAStatus.AMENDED):
        message = _("You already contested this review; a review is contested once.")
    else:
        message = _("This review has no score yet; it can be contested once it is scored.")
    require_move(review, to=QAStatus.CONTESTED, message=message, code="cannot_contest")
    text = reason.strip()
    if not text:
        raise InvalidInput(
            _("Say why you contest the review."), fields={"reason": [_("This field is required.")]}
        )
    move(
        review,
        to=QAStatus.CONTESTED,
        by=by,
        kind=QAEventKind.CONTESTED,
        note=text,
        contest_reason=text,
        contested_at=timezone.now(),
    )
    return review


VERDICTS = {"uphold": QAStatus.UPHELD, "amend": QAStatus.AMENDED}
EVENT_OF = {QAStatus.UPHELD: QAEventKind.UPHELD, QAStatus.AMENDED: QAEventKind.AMENDED}


@transaction.atomic
def resolve_contest(
    *,
    review: QAReview,
    by: User,
    verdict: str,
    note: str,
    items: Mapping[str, MarkInput] | None = None,
    money_error: Money | Decimal | str | None = None,
) -> QAReview:
    """A team lead other than the reviewer and the specialist upholds the review as it is, or
    amends it: the items given replace their marks, the money error is replaced when given,
    and the score is worked out again. The history keeps the figures before and after."""
    require(
        can_resolve_qa_contest(by),
        _("Only a team lead can settle a contested review."),
        code="not_a_lead",
    )
    if verdict not in VERDICTS:
        raise InvalidInput(
            _("Choose uphold or amend."), fields={"verdict": [_("Choose uphold or amend.")]}
        )
    review = lock_review(review)
    require(
        by.pk not in (review.specialist_id, review.reviewer_id),
        _("You scored or decided this case; another team lead must settle the contest."),
        code="involved_lead",
    )
    target = VERDICTS[verdict]
    require_move(
        review,
        to=target,
        message=_("Only a contested review can be upheld or amended; this one is “%(status)s”.")
        % {"status": review.status_enum.label},
        code="not_contested",
    )
    text = note.strip()
    if not text:
        raise InvalidInput(
            _("Say why, for the specialist and the reviewer."),
            fields={"note": [_("This field is required.")]},
        )
    before = _figures(review)
    fields: dict = {"resolved_by_id": by.pk, "resolved_at": timezone.now()}
    if target == QAStatus.AMENDED:
        if not items and money_error is None:
            raise InvalidInput(
                _("An amendment changes at least one item or the money error."),
                fields={"items": [_("Change an item or the money error.")]},
            )
        marks = read_marks(review.rubric, items or {}, partial=True)
        _save_marks(review, marks)
        result = score_of(_all_marks(review))
        fields.update(score=result.score, failed=result.failed)
        if money_error is not None:
            fields["money_error"] = read_money_error(money_error, currency=review.currency)
    after = {
        **before,
        "score": str(fields.get("score", review.score)),
        "failed": fields.get("failed", review.failed),
        "money_error": str(fields.get("money_error", review.money_error)),
    }
    move(
        review,
        to=target,
        by=by,
        kind=EVENT_OF[target],
        note=text,
        data={"before": before, "after": after},
        **fields,
    )
    return review
