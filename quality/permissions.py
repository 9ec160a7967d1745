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
