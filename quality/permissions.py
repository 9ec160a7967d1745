"""Who may see and act on the team's quality pages: pure predicates, enforced by the services."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser


def _staff_with(user: AbstractBaseUser | None, permission: str) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(permission)
    )


def can_see_alerts(user: AbstractBaseUser | None) -> bool:
    """Team leads and QA reviewers: the people the dashboards are for."""
    return _staff_with(user, "disputes.review_quality")


def can_acknowledge_alerts(user: AbstractBaseUser | None) -> bool:
    """Team leads only; QA reviewers see the alerts read-only."""
    return _staff_with(user, "disputes.supervise_dispute")


def can_review_qa(user: AbstractBaseUser | None) -> bool:
    """Team leads and QA reviewers score sampled decisions."""
    return _staff_with(user, "disputes.review_quality")


def can_resolve_qa_contest(user: AbstractBaseUser | None) -> bool:
    """Team leads send cases to QA by hand and settle a specialist's contest."""
    return _staff_with(user, "disputes.supervise_dispute")


def can_lead_calibration(user: AbstractBaseUser | None) -> bool:
    """Team leads start and close calibrations; their own scorecard is the reference."""
    return _staff_with(user, "disputes.supervise_dispute")


def can_see_calibration_scores(user: AbstractBaseUser | None, calibration, own_score) -> bool:
    """Calibration is blind: a participant sees the others' scorecards only once their own is
    submitted, and then the lead at once, a reviewer once the lead has closed the session.
    `own_score` is the user's scorecard in `calibration` (None: not a participant)."""
    if user is None or own_score is None or own_score.submitted_at is None:
        return False
    return user.pk == calibration.created_by_id or calibration.status == "closed"
