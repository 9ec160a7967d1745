"""The lowest writes of a case: lock, compare-and-set, status moves and the timeline.

The only module that writes `CaseEvent` rows, `Dispute.status` and `Dispute.version`. Services,
the SLA sweep, notifications, evidence and reimbursements all change a case through it, so every
status change is checked against the transition table, bumps the version and is in the timeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, TransitionNotAllowed
from disputes.models import CaseEvent, Dispute, ReferenceSequence
from disputes.status import ALLOWED, IN_PLACE, Status

User = AbstractBaseUser


def next_reference(*, year: int) -> str:
    """Hand out the next DSP-YYYY-NNNNNN in one statement (PostgreSQL and SQLite alike); the
    row lock the upsert takes gives concurrent filings distinct ones."""
    table = ReferenceSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_value) VALUES (%s, 1) ON CONFLICT (year) "
            f"DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value",
            [year],
        )
        (value,) = cursor.fetchone()
    return f"DSP-{year}-{value:06d}"


def record_event(
    dispute: Dispute,
    *,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    data: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append one line to the case's timeline."""
    return CaseEvent.objects.create(
        dispute=dispute,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=dict(data or {}),
    )


# From this many lines PostgreSQL takes them through COPY: Django's one INSERT of a batch spent
# most of an SLA sweep turning a thousand JSON values into query parameters.
COPY_EVENTS_FROM = 100


def record_events(events: Iterable[tuple[Dispute, str, Mapping[str, Any]]]) -> None:
    """Append many system lines at once (dispute, kind, data): one statement for a sweep's
    batch (COPY on PostgreSQL for a large one, else one insert)."""
    lines = [(dispute.pk, kind, dict(data)) for dispute, kind, data in events]
    if connection.vendor != "postgresql" or len(lines) < COPY_EVENTS_FROM:
        CaseEvent.objects.bulk_create(
            CaseEvent(dispute_id=pk, kind=kind, data=data) for pk, kind, data in lines
        )
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        columns = "dispute_id, kind, from_status, to_status, data, created_at"
        with cursor.copy(f"COPY {CaseEvent._meta.db_table} ({columns}) FROM STDIN") as copy:
            for pk, kind, data in lines:
                copy.write_row((pk, kind, "", "", json.dumps(data), now))


def lock_dispute(dispute: Dispute, *, expected_version: int | None = None) -> Dispute:
    """Reload the dispute under a row lock; refuse if the caller acted on a stale copy."""
    dispute.refresh_from_db(from_queryset=Dispute.objects.select_for_update())
    if expected_version is not None and dispute.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this dispute while you were looking at it. "
                "Reload it to see what changed, then try again."
            ),
            code="stale",
        )
    return dispute


def _compare_and_set(dispute: Dispute, *, current: str, **fields: Any) -> None:
    now = timezone.now()
    updates = {"version": F("version") + 1, "updated_at": now, "last_activity_at": now, **fields}
    rows = Dispute.objects.filter(pk=dispute.pk, status=current, version=dispute.version).update(
        **updates
    )
    if rows == 0:
        raise Conflict(
            _("Someone else changed this dispute a moment ago. Reload it and try again."),
            code="conflict",
        )
    for name, value in fields.items():
        setattr(dispute, name, value)
    dispute.version += 1
    dispute.updated_at = dispute.last_activity_at = now


def _refuse(action: str, dispute: Dispute) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("%(action)s is not possible while the dispute is “%(status)s”.")
        % {"action": action, "status": dispute.status_enum.label},
        code="transition_not_allowed",
    )


def require_move(dispute: Dispute, *, to: Status, action: str) -> None:
    """Refuse a move the transition table does not allow, before any work is done for it."""
    if to not in ALLOWED[Status(dispute.status)]:
        raise _refuse(action, dispute)


def require_status(
    dispute: Dispute, *, step: str, action: str = "", message: str = "", code: str = ""
) -> None:
    """Refuse a change that keeps the status (IN_PLACE) in a status that does not allow it.

    The refusal says "<action> is not possible while …" unless a message of its own is given.
    """
    if dispute.status in IN_PLACE[step]:
        return
    if message:
        raise TransitionNotAllowed(message, code=code or "transition_not_allowed")
    raise _refuse(action, dispute)


def move_status(
    dispute: Dispute,
    *,
    to: Status,
    by: User | None,
    action: str,
    kind: str = CaseEvent.Kind.STATUS_CHANGED,
    data: Mapping[str, Any] | None = None,
    **fields: Any,
) -> CaseEvent:
    """The only way a status changes: refuse pairs not in ALLOWED, compare-and-set, log it."""
    current = Status(dispute.status)
    require_move(dispute, to=to, action=action)
    _compare_and_set(dispute, current=current, status=to, **fields)
    return record_event(dispute, kind=kind, actor=by, from_status=current, to_status=to, data=data)


def touch(
    dispute: Dispute,
    *,
    kind: str,
    by: User | None,
    data: Mapping[str, Any] | None = None,
    **fields: Any,
) -> CaseEvent:
    """A change that keeps the status (a reply, a reassignment) still bumps the version."""
    _compare_and_set(dispute, current=dispute.status, **fields)
    return record_event(dispute, kind=kind, actor=by, data=data)


def take_first_queued(candidates: QuerySet[Dispute], *, user: User) -> Dispute | None:
    """PostgreSQL: the first of `candidates` (queued cases, in the order to work them) that no
    one else holds, given to `user` in review with its timeline line, in one statement.

    SKIP LOCKED passes over the rows other specialists are taking at this moment, and the one
    statement is its own transaction: one round trip whatever the queue's length. None when no
    candidate was free (the caller asks again if some are still queued).
    """
    # Every queued status moves to in review (ALLOWED): the statement needs no other check.
    pick = candidates.values("id", "status", "assignee_id")[:1]
    pick_sql, pick_params = pick.query.sql_with_params()
    now = timezone.now()
    sql = f"""
        WITH picked AS ({pick_sql} FOR UPDATE SKIP LOCKED),
        taken AS (
            UPDATE {Dispute._meta.db_table} AS d
            SET status = %s, assignee_id = %s, version = d.version + 1,
                updated_at = %s, last_activity_at = %s
            FROM picked WHERE d.id = picked.id AND d.status = picked.status
            RETURNING d.*, picked.status AS status_before, picked.assignee_id AS assignee_before
        ),
        logged AS (
            INSERT INTO {CaseEvent._meta.db_table}
                (dispute_id, actor_id, kind, from_status, to_status, data, created_at)
            SELECT id, %s, %s, status_before, status,
                jsonb_build_object(
                    'before', jsonb_build_object('assignee', assignee_before),
                    'after', jsonb_build_object('assignee', %s::integer),
                    'assignee', %s::text),
                %s
            FROM taken
        )
        SELECT * FROM taken
    """
    params = (
        *pick_params,
        Status.IN_REVIEW,
        user.pk,
        now,
        now,
        user.pk,
        CaseEvent.Kind.ASSIGNED,
        user.pk,
        user.get_username(),
        now,
    )
    taken = list(Dispute.objects.raw(sql, params))
    return taken[0] if taken else None
