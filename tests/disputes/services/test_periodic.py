"""The periodic closing of lapsed cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
)
from disputes.status import Status
from tests.disputes.services.common import (
    MONDAY_9,
    decide,
    decide_and_appeal,
    request_info,
    snapshot,
)

pytestmark = pytest.mark.django_db


# --- close_lapsed_disputes ---------------------------------------------------------------------


def test_close_lapsed_disputes_closes_what_is_due_once_and_leaves_the_rest(
    case, django_capture_on_commit_callbacks, mailoutbox
):
    now = timezone.now()
    silent = case(Status.AWAITING_SELLER, seller_response_due_at=now - timedelta(minutes=1))
    window_over = case(Status.DECIDED, appeal_deadline_at=now - timedelta(minutes=1))
    keep = [
        case(Status.AWAITING_SELLER, seller_response_due_at=now + timedelta(hours=1)),
        case(Status.DECIDED, appeal_deadline_at=now + timedelta(hours=1)),
        case(Status.IN_REVIEW),
        case(Status.OPEN),
        case(Status.APPEALED),
        case(Status.ESCALATED),
    ]
    kept = {d.pk: snapshot(d) for d in keep}

    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_lapsed_disputes() == 2
        assert services.close_lapsed_disputes() == 0

    for dispute, reason in ((silent, "seller_silent"), (window_over, "appeal_window_ended")):
        assert Dispute.objects.get(pk=dispute.pk).status == Status.CLOSED
        closed = CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.CLOSED)
        assert list(closed.values_list("actor", "data")) == [(None, {"reason": reason})]
    assert {d.pk: snapshot(d) for d in keep} == kept
    # Only the seller who stayed silent is told by e-mail that the case closed.
    assert [m.subject for m in mailoutbox] == [f"Dispute {silent.reference} was closed"]


def test_a_case_left_unanswered_for_fourteen_days_is_closed_by_the_sweep(
    case, specialist, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.IN_REVIEW)
    request_info(dispute, specialist)
    time_machine.move_to(MONDAY_9 + timedelta(days=14) - timedelta(minutes=1), tick=False)
    assert services.close_lapsed_disputes() == 0
    time_machine.move_to(MONDAY_9 + timedelta(days=14), tick=False)
    assert services.close_lapsed_disputes() == 1
    assert Dispute.objects.get(pk=dispute.pk).status == Status.CLOSED


def test_a_case_decided_on_appeal_is_closed_by_the_sweep(
    case, specialist, specialist2, seller_a_user, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = decide_and_appeal(
        case(Status.IN_REVIEW), decider=specialist, seller_user=seller_a_user
    )
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=specialist2)
    decide(dispute, specialist2)
    time_machine.move_to(MONDAY_9 + timedelta(hours=23), tick=False)
    assert services.close_lapsed_disputes() == 0
    time_machine.move_to(MONDAY_9 + timedelta(days=1), tick=False)
    assert services.close_lapsed_disputes() == 1
    closed = Dispute.objects.get(pk=dispute.pk)
    assert closed.status == Status.CLOSED
    assert closed.events.filter(kind="closed", data__reason="decision_final").exists()
