"""Get-next: the most urgent case the caller works, never handed out twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import NotAllowed
from disputes import services
from disputes.models import CaseEvent, Dispute, Queue, StaffProfile
from disputes.services.assignment import _take_first_in_turn, queued_for
from disputes.status import Status
from tests.factories import DisputeFactory, StaffFactory, in_status

NOW = timezone.now().replace(microsecond=0)


def _due_in(dispute, hours):
    Dispute.objects.filter(pk=dispute.pk).update(sla_next_deadline_at=NOW + timedelta(hours=hours))


@pytest.mark.django_db
def test_earliest_deadline_then_priority_then_age(specialist):
    relaxed = DisputeFactory()
    _due_in(relaxed, 48)
    urgent_low = DisputeFactory(priority=1)
    _due_in(urgent_low, 2)
    urgent_high = DisputeFactory(priority=4)
    _due_in(urgent_high, 2)
    order = [services.take_next_case(user=StaffFactory()).pk for _ in range(3)]
    assert order == [urgent_high.pk, urgent_low.pk, relaxed.pk]


@pytest.mark.django_db
def test_only_the_callers_queues_and_languages(specialist):
    returns = Queue.objects.get(slug="returns")
    returns.members.add(specialist)
    StaffProfile.objects.create(user=specialist, languages=["ja"])
    DisputeFactory()  # inventory queue: not theirs
    DisputeFactory(queue=returns, language="en")  # their queue, not their language
    mine = DisputeFactory(queue=returns, language="ja")
    assert services.take_next_case(user=specialist).pk == mine.pk
    assert services.take_next_case(user=specialist) is None


@pytest.mark.django_db
def test_an_appeal_never_goes_back_to_its_decider(specialist, specialist2):
    in_status(Status.APPEALED, decided_by=specialist)
    assert services.take_next_case(user=specialist) is None
    assert services.take_next_case(user=specialist2).assignee == specialist2


@pytest.mark.django_db
def test_sellers_cannot_take_cases(seller_a_user):
    with pytest.raises(NotAllowed):
        services.take_next_case(user=seller_a_user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cases", [3, 12])
def test_concurrent_specialists_never_get_the_same_case(cases):
    for hours in range(cases):
        _due_in(DisputeFactory(), hours + 1)
    specialists = [StaffFactory(username=f"concurrent{i}") for i in range(8)]
    barrier = threading.Barrier(len(specialists))
    taken: list[int | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(user):
        try:
            barrier.wait()
            dispute = services.take_next_case(user=user)
            with lock:
                taken.append(dispute.pk if dispute else None)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in specialists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    handed_out = [pk for pk in taken if pk is not None]
    assert len(handed_out) == len(set(handed_out)) == min(cases, len(specialists))
    assert Dispute.objects.filter(status=Status.IN_REVIEW).count() == len(handed_out)
    assert Dispute.objects.filter(assignee__isnull=False).values(
        "assignee"
    ).distinct().count() == len(handed_out)


@pytest.mark.django_db
def test_get_next_writes_the_same_timeline_line_as_taking_by_hand(
    specialist, specialist2, django_assert_max_num_queries
):
    by_hand, queued = DisputeFactory(), DisputeFactory()
    _due_in(by_hand, 48)
    _due_in(queued, 1)
    services.assign_dispute(dispute=by_hand, assignee=specialist2, by=specialist2)
    specialist.has_perm("disputes.work_dispute")  # the permissions, read once per request
    # The profile, then one statement that picks, assigns and writes the timeline line.
    with django_assert_max_num_queries(2):
        taken = services.take_next_case(user=specialist)
    assert taken.pk == queued.pk
    assert (taken.status, taken.assignee_id, taken.version) == (Status.IN_REVIEW, specialist.pk, 2)
    stored = Dispute.objects.get(pk=queued.pk)
    assert (stored.status, stored.assignee_id, stored.version) == (
        Status.IN_REVIEW,
        specialist.pk,
        2,
    )
    assert stored.last_activity_at == stored.updated_at
    mine = CaseEvent.objects.get(dispute=queued)
    theirs = CaseEvent.objects.get(dispute=by_hand)
    assert (mine.kind, mine.actor, mine.from_status, mine.to_status) == (
        CaseEvent.Kind.ASSIGNED,
        specialist,
        Status.OPEN,
        Status.IN_REVIEW,
    )
    assert mine.data == {
        "before": {"assignee": None},
        "after": {"assignee": specialist.pk},
        "assignee": specialist.username,
    }
    assert set(mine.data) == set(theirs.data) and mine.created_at == stored.updated_at


@pytest.mark.django_db
def test_without_postgresql_the_first_case_is_taken_in_turn(specialist, specialist2):
    """The embedded default (SQLite) reads the first case, then assigns it with the version
    check: the same order and the same refusal of an appeal's decider."""
    later, sooner = DisputeFactory(), DisputeFactory()
    _due_in(later, 5)
    _due_in(sooner, 1)
    in_status(Status.APPEALED, decided_by=specialist)
    first = _take_first_in_turn(queued_for(specialist), user=specialist)
    second = _take_first_in_turn(queued_for(specialist), user=specialist)
    assert (first.pk, second.pk) == (sooner.pk, later.pk)
    assert _take_first_in_turn(queued_for(specialist), user=specialist) is None
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED, actor=specialist).count() == 2
