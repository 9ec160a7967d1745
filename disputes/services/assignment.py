"""Who works a case and how urgently: taking, assigning, get-next and priority."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Exists, F, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput, TransitionNotAllowed, require
from disputes import permissions as perms
from disputes.case import lock_dispute, move_status, require_status, take_first_queued, touch
from disputes.models import CaseEvent, Dispute, Queue, StaffProfile
from disputes.status import QUEUED, Priority, Status

User = AbstractBaseUser


@transaction.atomic
def assign_dispute(
    *, dispute: Dispute, assignee: User, by: User, expected_version: int | None = None
) -> Dispute:
    """Take a queued case (or give it to someone), or reassign one already being worked."""
    seen_queued = dispute.status in QUEUED
    lock_dispute(dispute, expected_version=expected_version)
    if assignee.pk != by.pk:
        require(
            perms.can_assign_to_others(by),
            _("Only a senior specialist or a team lead can assign cases to others."),
        )
    require(
        perms.can_work_queues(assignee),
        _("%(name)s cannot work disputes.") % {"name": assignee.get_username()},
        code="assignee_not_allowed",
    )
    require(
        perms.can_take(assignee, dispute),
        _("An appeal must be reviewed by someone other than the specialist who decided it."),
        code="appeal_needs_new_reviewer",
    )
    change = {
        "before": {"assignee": dispute.assignee_id},
        "after": {"assignee": assignee.pk},
        "assignee": assignee.get_username(),
    }
    if dispute.status in QUEUED:
        move_status(
            dispute,
            to=Status.IN_REVIEW,
            by=by,
            action=_("Assigning"),
            kind=CaseEvent.Kind.ASSIGNED,
            data=change,
            assignee=assignee,
        )
        return dispute
    require_status(dispute, step="reassign", action=_("Assigning"))
    if dispute.assignee_id == assignee.pk:
        return dispute
    if seen_queued and assignee.pk == by.pk and not perms.can_assign_to_others(by):
        # The caller saw it queued, someone took it since: a race, not a lack of rights.
        raise Conflict(
            _("%(name)s took this case a moment ago. Take another one.")
            % {"name": dispute.assignee.get_username() if dispute.assignee else "—"},
            code="already_taken",
        )
    require(
        perms.can_assign_to_others(by),
        _("Only a senior specialist or a team lead can reassign a case."),
    )
    touch(dispute, kind=CaseEvent.Kind.REASSIGNED, by=by, data=change, assignee=assignee)
    return dispute


def take_next_case(*, user: User) -> Dispute | None:
    """Assign the caller the most urgent queued case they work, or None when there is none.

    Earliest SLA deadline first, then priority, then age, from the caller's queues (all when
    they belong to none) and languages. On PostgreSQL one statement picks the case with
    SKIP LOCKED, assigns it and writes its timeline line, so specialists asking at the same
    moment get different cases.
    """
    require(perms.can_work_queues(user), _("Only specialists take cases from the queues."))
    candidates = queued_for(user)
    for _attempt in range(5):
        if connection.vendor == "postgresql":
            dispute = take_first_queued(candidates, user=user)
        else:
            dispute = _take_first_in_turn(candidates, user=user)
        # Nothing free: the queue is empty, or every case in it was taken a moment ago.
        if dispute is not None or not candidates.exists():
            return dispute
    return None


def queued_for(user: User) -> QuerySet[Dispute]:
    """The queued cases `user` may take, in the order to work them."""
    candidates = Dispute.objects.filter(status__in=QUEUED).exclude(
        appeal_count__gt=0, decided_by=user
    )
    # The caller's queues, read in the same statement: every queue when they belong to none.
    memberships = Queue.members.through.objects.filter(user_id=user.pk).values("queue_id")
    candidates = candidates.filter(Q(queue_id__in=memberships) | ~Exists(memberships))
    profile = StaffProfile.objects.filter(user=user).first()
    if profile and profile.languages:
        candidates = candidates.filter(language__in=profile.languages)
    return candidates.order_by(
        F("sla_next_deadline_at").asc(nulls_last=True), "-priority", "created_at", "id"
    )


def _take_first_in_turn(candidates, *, user: User) -> Dispute | None:
    """Elsewhere (SQLite serialises writers): read the first, then assign it with the version
    check, which refuses it if someone took it in between."""
    with transaction.atomic():
        dispute = candidates.first()
        if dispute is None:
            return None
        try:
            return assign_dispute(dispute=dispute, assignee=user, by=user)
        except (Conflict, TransitionNotAllowed):
            return None


@transaction.atomic
def change_priority(*, dispute: Dispute, by: User, priority: int) -> Dispute:
    """Raise or lower how urgently a case is worked."""
    lock_dispute(dispute)
    require_status(
        dispute,
        step="change_priority",
        message=_("The priority of a finished dispute (“%(status)s”) cannot change.")
        % {"status": dispute.status_enum.label},
    )
    require(
        perms.can_work(by, dispute) or perms.can_supervise(by),
        _("Only the case's assignee or a team lead can change its priority."),
    )
    if priority not in Priority.values:
        raise InvalidInput(_("Choose a priority."), fields={"priority": [_("Not a priority.")]})
    if dispute.priority == priority:
        return dispute
    touch(
        dispute,
        kind=CaseEvent.Kind.PRIORITY_CHANGED,
        by=by,
        data={"before": {"priority": dispute.priority}, "after": {"priority": priority}},
        priority=priority,
    )
    return dispute
