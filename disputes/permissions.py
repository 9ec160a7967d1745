"""Who may do what to a dispute: pure predicates; services enforce them with `require`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from disputes.models import Dispute


def is_staff_user(user: AbstractBaseUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def seller_ids_for(user: AbstractBaseUser) -> frozenset[int]:
    """The sellers a portal user acts for, cached on the user object for the request."""
    if not (user and user.is_authenticated):
        return frozenset()
    cached = getattr(user, "_arbiter_seller_ids", None)
    if cached is None:
        cached = frozenset(user.seller_memberships.values_list("seller_id", flat=True))
        user._arbiter_seller_ids = cached
    return cached


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
