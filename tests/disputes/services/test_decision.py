"""Decisions and the seller's one appeal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import InvalidInput, TransitionNotAllowed
from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
    Message,
    SlaTimer,
)
from disputes.status import Priority, Status
from tests.disputes.services.common import (
    MONDAY_9,
    decide,
    decide_and_appeal,
    ids,
    last_event,
    others,
    snapshot,
)

pytestmark = pytest.mark.django_db


# --- decide_dispute ----------------------------------------------------------------------------


def test_decide_dispute_records_the_decision_and_opens_the_appeal_window(
    case, specialist, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.IN_REVIEW)
    decision = decide(dispute, specialist)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.outcome, stored.decided_by) == (
        Status.DECIDED,
        "denied",
        specialist,
    )
    assert stored.appeal_deadline_at == MONDAY_9 + timedelta(days=30)
    assert (decision.outcome, decision.on_appeal, decision.decided_by) == (
        "denied",
        False,
        specialist,
    )
    event = last_event(dispute)
    assert (event.kind, event.actor, event.to_status) == (
        CaseEvent.Kind.DECIDED,
        specialist,
        Status.DECIDED,
    )


@pytest.mark.parametrize("status", others(Status.IN_REVIEW), ids=ids(others(Status.IN_REVIEW)))
def test_decide_refuses_a_dispute_not_in_review(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        decide(dispute, lead)
    assert snapshot(dispute) == before


def test_decide_refuses_a_dispute_awaiting_seller(case, specialist):
    dispute = case(Status.AWAITING_SELLER)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refused:
        decide(dispute, specialist)
    assert "Awaiting seller" in refused.value.message
    assert snapshot(dispute) == before


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"outcome": "maybe", "reason_code": "other"}, {"outcome"}),
        ({"outcome": "denied", "reason_code": "because"}, {"reason_code"}),
        ({"outcome": "denied", "reason_code": "other", "approved_quantity": 2}, {"outcome"}),
        (
            {"outcome": "approved", "reason_code": "records_confirm_loss", "approved_quantity": 4},
            {"approved_quantity"},
        ),
        (
            {"outcome": "approved", "reason_code": "other", "amount": Decimal("-1")},
            {"amount"},
        ),
    ],
    ids=["outcome", "reason-code", "denied-with-units", "more-than-claimed", "negative-amount"],
)
def test_decide_refuses_an_incomplete_decision(kwargs, bad, case, specialist):
    dispute = case(Status.IN_REVIEW, quantity=3)
    before = snapshot(dispute)
    with pytest.raises(InvalidInput) as refused:
        services.decide_dispute(dispute=dispute, by=specialist, **kwargs)
    assert set(refused.value.fields) == bad
    assert snapshot(dispute) == before


# --- appeal_dispute ----------------------------------------------------------------------------


def test_appeal_dispute_sends_the_case_back_to_a_queue_at_higher_priority(
    case, specialist, seller_a_user
):
    dispute = case(Status.IN_REVIEW)
    decide(dispute, specialist)
    services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="The ledger shows it.")
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.appeal_count, stored.assignee, stored.priority) == (
        Status.APPEALED,
        1,
        None,
        Priority.HIGH,
    )
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status) == (
        CaseEvent.Kind.APPEALED,
        seller_a_user,
        Status.DECIDED,
    )
    assert Message.objects.filter(dispute=dispute, side=Message.Side.SELLER).count() == 1


@pytest.mark.parametrize("status", others(Status.DECIDED), ids=ids(others(Status.DECIDED)))
def test_appeal_refuses_a_dispute_that_is_not_decided(status, case, seller_a_user):
    dispute = case(status)
    before = snapshot(dispute)
    timers = SlaTimer.objects.filter(dispute=dispute).count()
    with pytest.raises(TransitionNotAllowed):
        services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="Please look again.")
    assert snapshot(dispute) == before
    assert SlaTimer.objects.filter(dispute=dispute).count() == timers


def test_a_dispute_can_be_appealed_only_once(case, specialist, specialist2, seller_a_user):
    dispute = decide_and_appeal(
        case(Status.IN_REVIEW), decider=specialist, seller_user=seller_a_user
    )
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=specialist2)
    decide(dispute, specialist2)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="Again, please.")
    assert refused.value.code == "appeal_used"
    assert snapshot(dispute) == before


@pytest.mark.parametrize(
    ("after", "allowed"),
    [(timedelta(days=30) - timedelta(minutes=1), True), (timedelta(days=30, minutes=1), False)],
    ids=["last-minute", "a-minute-late"],
)
def test_an_appeal_is_accepted_only_within_the_window(
    after, allowed, case, specialist, seller_a_user, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.IN_REVIEW)
    decide(dispute, specialist)
    time_machine.move_to(MONDAY_9 + after, tick=False)
    before = snapshot(dispute)
    if allowed:
        services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="Please look again.")
        assert Dispute.objects.get(pk=dispute.pk).status == Status.APPEALED
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="Please look again.")
        assert refused.value.code == "appeal_window_closed"
        assert snapshot(dispute) == before
