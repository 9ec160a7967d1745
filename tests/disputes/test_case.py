"""The case layer (disputes/case.py): the changes that keep the status, and the timeline writes.

move_status over every pair of statuses is in test_status.py.
"""

from __future__ import annotations

import pytest
from django.db.models import F
from django.utils import timezone

from core.errors import Conflict, TransitionNotAllowed
from disputes import case
from disputes.case import record_events, require_move, require_status, touch
from disputes.models import CaseEvent, Dispute
from disputes.status import IN_PLACE, TERMINAL, Status
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db

IN_PLACE_CASES = [(step, status) for step in IN_PLACE for status in Status]


def _case_id(case) -> str:
    return f"{case[0]}@{case[1].value}"


@pytest.mark.parametrize("step,status", IN_PLACE_CASES, ids=[_case_id(c) for c in IN_PLACE_CASES])
def test_require_status_allows_a_step_exactly_in_the_statuses_of_its_row(step, status):
    dispute = DisputeFactory(status=status)
    if status in IN_PLACE[step]:
        require_status(dispute, step=step, action="Doing it")
        return
    with pytest.raises(TransitionNotAllowed) as refused:
        require_status(dispute, step=step, action="Doing it")
    assert (
        refused.value.message == f"Doing it is not possible while the dispute is “{status.label}”."
    )
    assert refused.value.code == "transition_not_allowed"


def test_require_status_says_its_own_message_and_code_when_given_one():
    dispute = DisputeFactory(status=Status.CLOSED)
    with pytest.raises(TransitionNotAllowed) as refused:
        require_status(dispute, step="seller_message", message="File a new one.", code="closed")
    assert (refused.value.message, refused.value.code) == ("File a new one.", "closed")


def test_nothing_but_adding_a_note_happens_to_a_finished_case():
    for step, statuses in IN_PLACE.items():
        assert not (statuses & TERMINAL), step


def test_require_move_refuses_before_anything_is_written():
    dispute = DisputeFactory(status=Status.OPEN)
    with pytest.raises(TransitionNotAllowed):
        require_move(dispute, to=Status.DECIDED, action="Deciding")
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.version) == (Status.OPEN, dispute.version)
    assert not CaseEvent.objects.filter(dispute=dispute).exists()


def test_touch_keeps_the_status_bumps_the_version_and_logs_the_change(specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW)
    event = touch(dispute, kind=CaseEvent.Kind.PRIORITY_CHANGED, by=specialist, priority=4)
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.priority, stored.version) == (Status.IN_REVIEW, 4, 2)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        CaseEvent.Kind.PRIORITY_CHANGED,
        specialist,
        "",
        "",
    )
    assert dispute.version == 2  # the caller's copy follows


def test_touch_on_a_stale_copy_is_a_conflict_and_writes_nothing(specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW)
    Dispute.objects.filter(pk=dispute.pk).update(version=F("version") + 1)
    with pytest.raises(Conflict):
        touch(dispute, kind=CaseEvent.Kind.PRIORITY_CHANGED, by=specialist, priority=4)
    assert Dispute.objects.get(pk=dispute.pk).priority != 4
    assert not CaseEvent.objects.filter(dispute=dispute).exists()


@pytest.mark.postgres
def test_a_large_batch_of_events_is_copied_with_the_same_lines():
    """A sweep's batch goes through COPY: the same lines as one by one, escapes and all."""
    dispute = DisputeFactory()
    tricky = {"deadline": "resolution", "note": 'tab\there "quoted" \\ back 中文\nline'}
    count = case.COPY_EVENTS_FROM + 5
    before = timezone.now()
    record_events((dispute, CaseEvent.Kind.SLA_WARNING, tricky) for _ in range(count))
    rows = list(CaseEvent.objects.filter(dispute=dispute))
    assert len(rows) == count
    assert {(r.kind, r.actor_id, r.from_status, r.to_status) for r in rows} == {
        (CaseEvent.Kind.SLA_WARNING, None, "", "")
    }
    assert all(r.data == tricky and r.created_at >= before for r in rows)


def test_record_events_writes_a_batch_in_one_insert(django_assert_num_queries):
    disputes = [DisputeFactory(), DisputeFactory(), DisputeFactory()]
    with django_assert_num_queries(1):
        record_events((d, CaseEvent.Kind.SLA_WARNING, {"deadline": "resolution"}) for d in disputes)
    rows = CaseEvent.objects.filter(kind=CaseEvent.Kind.SLA_WARNING)
    assert sorted(rows.values_list("dispute_id", flat=True)) == sorted(d.pk for d in disputes)
    assert {row.data["deadline"] for row in rows} == {"resolution"}
