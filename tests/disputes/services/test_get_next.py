"""Get-next: the most urgent case the caller works, never handed out twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import NotAllowed
from disputes import services
from disputes.models import Dispute, Queue, StaffProfile
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
