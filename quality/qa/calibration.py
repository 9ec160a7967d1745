"""Calibration: a team lead has one decided case scored blind by themselves and at least two
other reviewers, with the active rubric version, then closes the session so that everyone who
scored sees where the marks part. The lead's scorecard is the reference.

The scorecards are about the reviewers, never about the specialist who decided the case: they
live in tables of their own, which the QA figures and the financial accuracy never read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, TransitionNotAllowed, require
from core.money import Money
from disputes.models import Decision
from quality.models import QACalibration, QACalibrationMark, QACalibrationScore
from quality.permissions import can_lead_calibration, can_review_qa
from quality.qa.reviews import MarkInput, read_marks, read_money_error, require_a_mark, score_of
from quality.qa.rubrics import get_active_rubric
from quality.qa_status import CalibrationStatus
from reimbursements.models import Reimbursement

User = AbstractBaseUser

# Fewer than two others beside the lead and there is no spread worth the name.
MIN_REVIEWERS = 2


def involved_in(decision: Decision) -> frozenset[int]:
    """Who may never score a case in calibration: whoever decided it (on appeal too) or
    approved one of its payouts; they would be marking their own work."""
    deciders = Decision.objects.filter(dispute_id=decision.dispute_id).values_list(
        "decided_by_id", flat=True
    )
    approvers = Reimbursement.objects.filter(
        dispute_id=decision.dispute_id, approver__isnull=False
    ).values_list("approver_id", flat=True)
    return frozenset([*deciders, *approvers])


def _reviewers(reviewers: Iterable[User], *, lead: User, involved: frozenset[int]) -> list[User]:
    """The reviewers besides the lead, each a QA reviewer or team lead not involved in the
    case; at least MIN_REVIEWERS of them."""
    chosen = {user.pk: user for user in reviewers if user.pk != lead.pk}
    errors = []
    for user in chosen.values():
        if user.pk in involved:
            errors.append(
                _("%(name)s decided this case or approved its payout, so cannot score it.")
                % {"name": user.get_username()}
            )
        elif not can_review_qa(user):
            errors.append(
                _("%(name)s is not a QA reviewer or a team lead.") % {"name": user.get_username()}
            )
    if errors:
        raise InvalidInput(
            _("Some of the reviewers chosen cannot score this case: see the reviewers."),
            fields={"reviewers": errors},
        )
    if len(chosen) < MIN_REVIEWERS:
        raise InvalidInput(
            _("Choose at least two reviewers besides yourself."),
            fields={"reviewers": [_("Choose at least two reviewers besides yourself.")]},
        )
    return sorted(chosen.values(), key=lambda user: user.pk)


@transaction.atomic
def start_calibration(
    *,
    decision: Decision,
    reviewers: Iterable[User],
    by: User,
    due_on: date | None = None,
    note: str = "",
) -> QACalibration:
    """A team lead has `decision` scored blind by themselves and `reviewers` (QA reviewers or
    team leads, at least two besides the lead) with the active rubric version: one empty
    scorecard per participant, the lead's first."""
    require(
        can_lead_calibration(by), _("Only a team lead can start a calibration."), code="not_a_lead"
    )
    # The decision's row lock serialises two leads starting a calibration of it at once.
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    involved = involved_in(decision)
    require(
        by.pk not in involved,
        _("You decided this case or approved its payout; another team lead must calibrate it."),
        code="involved_lead",
    )
    people = _reviewers(reviewers, lead=by, involved=involved)
    if due_on is not None and due_on < timezone.localdate():
        raise InvalidInput(
            _("The due date has passed: choose today or a later day."),
            fields={"due_on": [_("Choose today or a later day.")]},
        )
    if QACalibration.objects.filter(decision=decision, status=CalibrationStatus.OPEN).exists():
        raise TransitionNotAllowed(
            _("This decision already has an open calibration; close it before starting another."),
            code="calibration_open",
        )
    calibration = QACalibration.objects.create(
        dispute_id=decision.dispute_id,
        decision=decision,
        rubric=get_active_rubric(),
        created_by=by,
        created_at=timezone.now(),
        due_on=due_on,
        note=note.strip(),
        currency=decision.currency,
    )
    QACalibrationScore.objects.bulk_create(
        QACalibrationScore(calibration=calibration, reviewer_id=pk, currency=decision.currency)
        for pk in [by.pk, *(user.pk for user in people)]
    )
    return calibration


def _lock(calibration: QACalibration) -> QACalibration:
    """Reload under a row lock: a scorecard submitted while the lead closes waits, then sees
    the calibration closed."""
    return (
        QACalibration.objects.select_for_update(of=("self",))
        .select_related("rubric", "decision")
        .get(pk=calibration.pk)
    )


@transaction.atomic
def submit_calibration_score(
    *,
    calibration: QACalibration,
    by: User,
    items: Mapping[str, MarkInput],
    money_error: Money | Decimal | str | None = None,
    comment: str = "",
) -> QACalibrationScore:
    """A participant scores the calibrated case on every item of its rubric version, with the
    money error they find, once and while the calibration is open; scored by the same rule as
    a QA review."""
    require(
        can_review_qa(by),
        _("Only a QA reviewer or a team lead can score a calibration."),
        code="not_a_reviewer",
    )
    calibration = _lock(calibration)
    scorecard = (
        QACalibrationScore.objects.select_for_update()
        .filter(calibration=calibration, reviewer_id=by.pk)
        .first()
    )
    require(
        scorecard is not None,
        _("You are not taking part in this calibration."),
        code="not_a_participant",
    )
    if calibration.status != CalibrationStatus.OPEN:
        raise TransitionNotAllowed(
            _("This calibration is closed: it takes no more scorecards."),
            code="calibration_closed",
        )
    if scorecard.submitted_at is not None:
        raise TransitionNotAllowed(
            _("You already scored this calibration; a scorecard is submitted once."),
            code="already_scored",
        )
    # Checked again: a participant may have approved a payout of the case since it started.
    require(
        by.pk not in involved_in(calibration.decision),
        _("You decided this case or approved its payout, so you cannot score it."),
        code="involved_reviewer",
    )
    marks = read_marks(calibration.rubric, items)
    require_a_mark(marks)
    error = read_money_error(money_error, currency=calibration.currency)
    result = score_of({item: mark.result for item, mark in marks.items()})
    QACalibrationMark.objects.bulk_create(
        QACalibrationMark(
            score=scorecard, rubric_item=item, result=mark.result, comment=mark.comment
        )
        for item, mark in marks.items()
    )
    scorecard.score = result.score
    scorecard.failed = result.failed
    scorecard.money_error = error
    scorecard.comment = comment.strip()
    scorecard.submitted_at = timezone.now()
    scorecard.save(update_fields=["score", "failed", "money_error", "comment", "submitted_at"])
    return scorecard


@transaction.atomic
def close_calibration(*, calibration: QACalibration, by: User) -> QACalibration:
    """The lead who started the calibration ends the blind phase once their own scorecard (the
    reference) is in: no more scorecards, and every participant who scored sees them all."""
    require(
        can_lead_calibration(by), _("Only a team lead can close a calibration."), code="not_a_lead"
    )
    calibration = _lock(calibration)
    require(
        by.pk == calibration.created_by_id,
        _("Only the team lead who started this calibration can close it."),
        code="not_the_lead",
    )
    if calibration.status != CalibrationStatus.OPEN:
        raise TransitionNotAllowed(
            _("This calibration is already closed."), code="calibration_closed"
        )
    if not calibration.scores.filter(reviewer_id=by.pk, submitted_at__isnull=False).exists():
        raise TransitionNotAllowed(
            _(
                "Score the case yourself before closing: your scorecard is the one the others "
                "are compared with."
            ),
            code="lead_not_scored",
        )
    now = timezone.now()
    QACalibration.objects.filter(pk=calibration.pk, status=CalibrationStatus.OPEN).update(
        status=CalibrationStatus.CLOSED, closed_at=now
    )
    calibration.status, calibration.closed_at = CalibrationStatus.CLOSED, now
    return calibration
