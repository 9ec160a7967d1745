"""Who may do what to a dispute: pure predicates; services enforce them with `require`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from disputes.models import Dispute
from disputes.status import Status
from sellers.selectors import list_sellers_for


def is_staff_user(user: AbstractBaseUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def seller_ids_for(user: AbstractBaseUser) -> frozenset[int]:
    """The sellers a portal user acts for, cached on the user object for the request."""
    return frozenset(seller.pk for seller in list_sellers_for(user=user))


def acts_for_seller(user: AbstractBaseUser, seller_id: int) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and seller_id in seller_ids_for(user)
    )


def can_view(user, dispute: Dispute) -> bool:
    if is_staff_user(user):
        return user.has_perm("disputes.view_dispute")
    return acts_for_seller(user, dispute.seller_id)


def can_file_for(user, seller_id: int) -> bool:
    return acts_for_seller(user, seller_id) or (
        is_staff_user(user) and user.has_perm("disputes.work_dispute")
    )


def can_supervise(user) -> bool:
    return is_staff_user(user) and user.has_perm("disputes.supervise_dispute")


def can_work_queues(user) -> bool:
    return is_staff_user(user) and user.has_perm("disputes.work_dispute")


def can_assign_to_others(user) -> bool:
    return is_staff_user(user) and user.has_perm("disputes.assign_dispute_to_others")


def can_work(user, dispute: Dispute) -> bool:
    """The assignee works the case; a supervisor may step in on any case."""
    return can_work_queues(user) and (dispute.assignee_id == user.pk or can_supervise(user))


def can_write_notes(user) -> bool:
    """Internal notes: those who work cases, and QA reviewers writing down what they saw."""
    return can_work_queues(user) or (
        is_staff_user(user) and user.has_perm("disputes.review_quality")
    )


def can_merge(user, dispute: Dispute) -> bool:
    """Anyone working the queues may merge a duplicate before it is routed."""
    return can_work(user, dispute) or (can_work_queues(user) and dispute.status == Status.SUBMITTED)


def decided_before(user, dispute: Dispute) -> bool:
    return dispute.appeal_count > 0 and dispute.decided_by_id == user.pk


def can_take(user, dispute: Dispute) -> bool:
    """An appealed case never goes back to the specialist who decided it."""
    return can_work_queues(user) and not decided_before(user, dispute)


def can_decide(user, dispute: Dispute) -> bool:
    return can_work(user, dispute) and not decided_before(user, dispute)


def can_act_as_seller(user, dispute: Dispute) -> bool:
    return acts_for_seller(user, dispute.seller_id)


def can_add_evidence(user, dispute: Dispute) -> bool:
    return can_act_as_seller(user, dispute) or (
        is_staff_user(user) and user.has_perm("evidence.add_evidencefile")
    )
