"""How a case ends: closed, withdrawn, merged."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
)
from disputes.status import UNDECIDED, Status
from tests.disputes.services.common import (
    ids,
    last_event,
    others,
    snapshot,
)
from tests.factories import in_status

pytestmark = pytest.mark.django_db


# --- close_dispute -----------------------------------------------------------------------------

CLOSABLE = [Status.AWAITING_SELLER, Status.DECIDED]


@pytest.mark.parametrize("status", CLOSABLE, ids=ids(CLOSABLE))
def test_a_lead_closes_a_decided_or_silent_case_by_hand(status, case, lead):
    dispute = case(status)
    services.close_dispute(dispute=dispute, by=lead, reason="duplicate of a phone call")
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.CLOSED
    assert stored.closed_at is not None
    assert stored.seller_response_due_at is None
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status) == (CaseEvent.Kind.CLOSED, lead, status)


@pytest.mark.parametrize("status", others(*CLOSABLE), ids=ids(others(*CLOSABLE)))
def test_close_dispute_refuses_a_case_that_cannot_close(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.close_dispute(dispute=dispute, by=lead)
    assert snapshot(dispute) == before


@pytest.mark.parametrize("actor", ["specialist", "senior", "qa"])
def test_only_a_team_lead_closes_by_hand(actor, request, case):
    dispute = case(Status.DECIDED)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        services.close_dispute(dispute=dispute, by=request.getfixturevalue(actor))
    assert snapshot(dispute) == before


@pytest.mark.parametrize(
    ("status", "code"),
    [(Status.DECIDED, "appeal_window_open"), (Status.AWAITING_SELLER, "seller_deadline_open")],
)
def test_arbiter_does_not_close_a_case_before_its_deadline(status, code, case):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.close_dispute(dispute=dispute, by=None)
    assert refused.value.code == code
    assert snapshot(dispute) == before


# --- withdraw_dispute --------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(UNDECIDED), ids=ids(sorted(UNDECIDED)))
def test_the_seller_withdraws_a_dispute_before_a_decision(status, case, seller_a_user):
    dispute = case(status)
    services.withdraw_dispute(dispute=dispute, by=seller_a_user, reason="Units found")
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.WITHDRAWN
    assert stored.closed_at is not None
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status, event.data["reason"]) == (
        CaseEvent.Kind.WITHDRAWN,
        seller_a_user,
        status,
        "Units found",
    )


@pytest.mark.parametrize("status", others(*UNDECIDED), ids=ids(others(*UNDECIDED)))
def test_withdraw_refuses_a_decided_or_finished_dispute(status, case, seller_a_user):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.withdraw_dispute(dispute=dispute, by=seller_a_user)
    assert snapshot(dispute) == before


# --- merge_dispute -----------------------------------------------------------------------------

MERGEABLE = [Status.SUBMITTED, Status.OPEN, Status.IN_REVIEW]


@pytest.mark.parametrize("status", MERGEABLE, ids=ids(MERGEABLE))
def test_merge_dispute_folds_a_duplicate_into_another(status, case, lead):
    dispute = case(status)
    into = case(Status.OPEN)
    services.merge_dispute(dispute=dispute, into=into, by=lead)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.merged_into) == (Status.MERGED, into)
    event = last_event(dispute)
    assert (event.kind, event.actor, event.data["into"]) == (
        CaseEvent.Kind.MERGED,
        lead,
        into.reference,
    )
    received = last_event(into)
    assert (received.kind, received.actor, received.data["from"]) == (
        CaseEvent.Kind.MERGE_RECEIVED,
        lead,
        dispute.reference,
    )
    assert Dispute.objects.get(pk=into.pk).status == Status.OPEN


@pytest.mark.parametrize("status", others(*MERGEABLE), ids=ids(others(*MERGEABLE)))
def test_merge_refuses_a_dispute_past_review(status, case, lead):
    dispute = case(status)
    into = case(Status.OPEN)
    before, into_before = snapshot(dispute), snapshot(into)
    with pytest.raises(TransitionNotAllowed):
        services.merge_dispute(dispute=dispute, into=into, by=lead)
    assert (snapshot(dispute), snapshot(into)) == (before, into_before)


def test_any_specialist_merges_a_submitted_duplicate_but_not_a_colleagues_case(case, specialist2):
    submitted, worked, into = case(Status.SUBMITTED), case(Status.IN_REVIEW), case(Status.OPEN)
    services.merge_dispute(dispute=submitted, into=into, by=specialist2)
    assert Dispute.objects.get(pk=submitted.pk).status == Status.MERGED
    before = snapshot(worked)
    with pytest.raises(NotAllowed):
        services.merge_dispute(dispute=worked, into=into, by=specialist2)
    assert snapshot(worked) == before


@pytest.mark.parametrize("target", ["itself", "other-seller", "closed"])
def test_merge_refuses_a_target_that_cannot_receive_it(target, case, lead, seller_b):
    dispute = case(Status.OPEN)
    into = {
        "itself": dispute,
        "other-seller": in_status(Status.OPEN, seller=seller_b),
        "closed": case(Status.CLOSED),
    }[target]
    before, into_before = snapshot(dispute), snapshot(into)
    with pytest.raises(InvalidInput) as refused:
        services.merge_dispute(dispute=dispute, into=into, by=lead)
    assert set(refused.value.fields) == {"into"}
    assert (snapshot(dispute), snapshot(into)) == (before, into_before)
