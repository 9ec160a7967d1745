"""Escalations to peer teams and their answers."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
    Escalation,
)
from disputes.status import Status
from tests.disputes.services.common import (
    escalate,
    ids,
    last_event,
    open_escalation,
    others,
    snapshot,
)

pytestmark = pytest.mark.django_db


# --- escalate_dispute and resolve_escalation ---------------------------------------------------


def test_escalate_dispute_waits_on_the_peer_team(case, specialist):
    dispute = case(Status.IN_REVIEW)
    escalation = escalate(dispute, specialist)
    assert Dispute.objects.get(pk=dispute.pk).status == Status.ESCALATED
    assert (escalation.team, escalation.requested_by, escalation.resolved_at) == (
        "warehouse",
        specialist,
        None,
    )
    event = last_event(dispute)
    assert (event.kind, event.actor, event.data["team"]) == (
        CaseEvent.Kind.ESCALATED,
        specialist,
        "warehouse",
    )


@pytest.mark.parametrize("status", others(Status.IN_REVIEW), ids=ids(others(Status.IN_REVIEW)))
def test_escalate_dispute_refuses_a_case_not_in_review(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        escalate(dispute, lead)
    assert snapshot(dispute) == before
    assert not Escalation.objects.filter(dispute=dispute).exists()


def test_escalate_dispute_refuses_an_unknown_team(case, specialist):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    with pytest.raises(InvalidInput) as refused:
        services.escalate_dispute(dispute=dispute, by=specialist, team="aliens", reason="?")
    assert set(refused.value.fields) == {"team"}
    assert snapshot(dispute) == before


def test_resolve_escalation_records_the_answer_and_returns_to_review(case, specialist):
    dispute = case(Status.ESCALATED)
    open_escalation(dispute, specialist)
    escalation = services.resolve_escalation(dispute=dispute, by=specialist, answer="Found 2.")
    assert Dispute.objects.get(pk=dispute.pk).status == Status.IN_REVIEW
    assert (escalation.answer, escalation.resolved_by) == ("Found 2.", specialist)
    assert escalation.resolved_at is not None
    event = last_event(dispute)
    assert (event.kind, event.actor, event.to_status) == (
        CaseEvent.Kind.ESCALATION_RESOLVED,
        specialist,
        Status.IN_REVIEW,
    )


@pytest.mark.parametrize("status", others(Status.ESCALATED), ids=ids(others(Status.ESCALATED)))
def test_resolve_escalation_refuses_a_case_that_is_not_escalated(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.resolve_escalation(dispute=dispute, by=lead, answer="Found 2.")
    assert snapshot(dispute) == before


def test_a_case_withdrawn_while_escalated_stays_withdrawn_when_the_answer_comes(
    case, specialist, seller_a_user
):
    dispute = case(Status.IN_REVIEW)
    escalate(dispute, specialist)
    services.withdraw_dispute(dispute=dispute, by=seller_a_user)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.resolve_escalation(dispute=dispute, by=specialist, answer="Found 2.")
    assert snapshot(dispute) == before


def test_resolve_escalation_refuses_an_escalated_case_without_an_open_question(case, lead):
    dispute = case(Status.ESCALATED)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.resolve_escalation(dispute=dispute, by=lead, answer="Found 2.")
    assert snapshot(dispute) == before


@pytest.mark.parametrize("actor", ["qa", "seller_a_user"])
def test_only_staff_who_work_disputes_record_a_peer_answer(actor, request, case, specialist):
    dispute = case(Status.ESCALATED)
    open_escalation(dispute, specialist)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        services.resolve_escalation(
            dispute=dispute, by=request.getfixturevalue(actor), answer="Found 2."
        )
    assert snapshot(dispute) == before
