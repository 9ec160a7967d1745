"""Who works a case: taking, assigning, reassigning, the appeal's new reviewer, priority."""

from __future__ import annotations

import pytest

from core.errors import Conflict, InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services
from disputes.models import (
    CaseEvent,
    Decision,
    Dispute,
)
from disputes.status import Priority, Status
from tests.disputes.services.common import (
    TERMINAL,
    WORKED,
    decide_and_appeal,
    ids,
    last_event,
    others,
    snapshot,
)

pytestmark = pytest.mark.django_db


# --- assign_dispute ----------------------------------------------------------------------------

QUEUED = [Status.OPEN, Status.APPEALED]
ASSIGN_REFUSED = [Status.SUBMITTED, Status.DECIDED, *TERMINAL]


@pytest.mark.parametrize("status", QUEUED, ids=ids(QUEUED))
def test_assign_dispute_takes_a_queued_case_into_review(status, case, specialist):
    dispute = case(status)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.assignee) == (Status.IN_REVIEW, specialist)
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        CaseEvent.Kind.ASSIGNED,
        specialist,
        status,
        Status.IN_REVIEW,
    )


@pytest.mark.parametrize("status", sorted(WORKED), ids=ids(sorted(WORKED)))
def test_a_lead_reassigns_a_worked_case_without_changing_its_status(
    status, case, lead, specialist, specialist2
):
    dispute = case(status)
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=lead)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.assignee) == (status, specialist2)
    event = last_event(dispute)
    assert (event.kind, event.actor) == (CaseEvent.Kind.REASSIGNED, lead)
    assert event.data["before"] == {"assignee": specialist.pk}
    assert event.data["after"] == {"assignee": specialist2.pk}


@pytest.mark.parametrize("status", ASSIGN_REFUSED, ids=ids(ASSIGN_REFUSED))
def test_assign_dispute_refuses_a_case_that_is_not_queued_or_worked(status, case, lead, specialist):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.assign_dispute(dispute=dispute, assignee=specialist, by=lead)
    assert refused.value.http_status == 409
    assert str(status.label) in refused.value.message
    assert snapshot(dispute) == before


def test_a_specialist_cannot_assign_a_case_to_someone_else(case, specialist, specialist2):
    dispute = case(Status.OPEN)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        services.assign_dispute(dispute=dispute, assignee=specialist2, by=specialist)
    assert snapshot(dispute) == before


@pytest.mark.parametrize("assigner", ["senior", "lead"])
def test_a_senior_or_a_lead_can_assign_a_case_to_someone_else(assigner, request, case, specialist2):
    by = request.getfixturevalue(assigner)
    dispute = case(Status.OPEN)
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=by)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.assignee) == (Status.IN_REVIEW, specialist2)
    assert last_event(dispute).actor == by


def test_a_specialist_cannot_take_over_a_colleagues_case(case, specialist2):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        services.assign_dispute(dispute=dispute, assignee=specialist2, by=specialist2)
    assert snapshot(dispute) == before


@pytest.mark.parametrize("assignee", ["seller_a_user", "qa"])
def test_a_case_cannot_be_assigned_to_someone_who_does_not_work_disputes(
    assignee, request, case, lead
):
    dispute = case(Status.OPEN)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed) as refused:
        services.assign_dispute(
            dispute=dispute, assignee=request.getfixturevalue(assignee), by=lead
        )
    assert refused.value.code == "assignee_not_allowed"
    assert snapshot(dispute) == before


def test_assigning_a_case_to_its_assignee_again_writes_nothing(case, specialist):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    assert snapshot(dispute) == before


def test_assign_dispute_with_a_stale_version_gets_a_conflict(case, lead, specialist):
    dispute = case(Status.OPEN)
    seen = dispute.version
    services.change_priority(dispute=dispute, by=lead, priority=Priority.HIGH)
    before = snapshot(dispute)
    with pytest.raises(Conflict):
        services.assign_dispute(
            dispute=dispute, assignee=specialist, by=specialist, expected_version=seen
        )
    assert snapshot(dispute) == before


def test_taking_a_case_someone_else_just_took_is_a_conflict(case, specialist, specialist2):
    dispute = case(Status.OPEN)
    seen_by_second = Dispute.objects.get(pk=dispute.pk)  # both looked at the open case
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    with pytest.raises((Conflict, TransitionNotAllowed)):
        services.assign_dispute(dispute=seen_by_second, assignee=specialist2, by=specialist2)


# --- the appeal's new reviewer -----------------------------------------------------------------


def test_an_appealed_case_cannot_go_back_to_the_specialist_who_decided_it(
    case, specialist, specialist2, lead, seller_a_user
):
    dispute = decide_and_appeal(
        case(Status.IN_REVIEW), decider=specialist, seller_user=seller_a_user
    )
    assert dispute.status == Status.APPEALED
    before = snapshot(dispute)
    with pytest.raises(NotAllowed) as by_self:
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    with pytest.raises(NotAllowed) as by_lead:
        services.assign_dispute(dispute=dispute, assignee=specialist, by=lead)
    assert by_self.value.code == by_lead.value.code == "appeal_needs_new_reviewer"
    assert snapshot(dispute) == before

    services.assign_dispute(dispute=dispute, assignee=specialist2, by=lead)
    assert Dispute.objects.get(pk=dispute.pk).assignee == specialist2


def test_an_appealed_case_cannot_be_decided_by_whoever_decided_it(
    case, lead, specialist2, seller_a_user
):
    # The lead decided first; on appeal, even a lead may not decide again.
    dispute = decide_and_appeal(case(Status.IN_REVIEW), decider=lead, seller_user=seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=specialist2)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed) as refused:
        services.decide_dispute(
            dispute=dispute, by=lead, outcome="denied", reason_code="insufficient_evidence"
        )
    assert refused.value.code == "appeal_needs_new_reviewer"
    assert snapshot(dispute) == before

    decision = services.decide_dispute(
        dispute=dispute, by=specialist2, outcome="denied", reason_code="insufficient_evidence"
    )
    assert decision.on_appeal is True
    assert Decision.objects.filter(dispute=dispute).count() == 2


# --- change_priority ---------------------------------------------------------------------------

LIVE = others(*TERMINAL)


@pytest.mark.parametrize("status", LIVE, ids=ids(LIVE))
def test_change_priority_records_before_and_after(status, case, lead):
    dispute = case(status)
    services.change_priority(dispute=dispute, by=lead, priority=Priority.URGENT)
    assert Dispute.objects.get(pk=dispute.pk).priority == Priority.URGENT
    event = last_event(dispute)
    assert (event.kind, event.actor) == (CaseEvent.Kind.PRIORITY_CHANGED, lead)
    assert (event.data["before"], event.data["after"]) == (
        {"priority": Priority.NORMAL},
        {"priority": Priority.URGENT},
    )


@pytest.mark.parametrize("status", TERMINAL, ids=ids(TERMINAL))
def test_change_priority_refuses_a_finished_dispute(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.change_priority(dispute=dispute, by=lead, priority=Priority.URGENT)
    assert snapshot(dispute) == before


def test_change_priority_refuses_a_value_that_is_not_a_priority(case, specialist):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    with pytest.raises(InvalidInput) as refused:
        services.change_priority(dispute=dispute, by=specialist, priority=9)
    assert set(refused.value.fields) == {"priority"}
    assert snapshot(dispute) == before


def test_change_priority_to_the_same_value_writes_nothing(case, specialist):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    services.change_priority(dispute=dispute, by=specialist, priority=Priority.NORMAL)
    assert snapshot(dispute) == before
