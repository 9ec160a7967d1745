"""Two people acting on one case at the same moment: exactly one wins, the other gets a 409."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from core.errors import Conflict, TransitionNotAllowed
from disputes import services
from disputes.models import CaseEvent, Decision, Dispute
from disputes.status import Status
from tests.factories import in_status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], object]) -> list[tuple[str, object]]:
    """Run the calls in threads released together; each result is ("ok", value) or
    ("error", exception). Every thread closes its own database connection."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except BaseException as exc:  # inspected by the test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), "a thread did not finish"
    return results


def one_winner(results) -> list[BaseException]:
    assert [kind for kind, _ in results].count("ok") == 1, results
    return [value for kind, value in results if kind == "error"]


def test_two_specialists_taking_the_same_case_at_once_get_one_assignee(
    seller_a, specialist, specialist2
):
    dispute = in_status(Status.OPEN, seller=seller_a)
    seen = dispute.version  # both pages showed the same open case

    def take(user):
        return lambda: services.assign_dispute(
            dispute=Dispute.objects.get(pk=dispute.pk),
            assignee=user,
            by=user,
            expected_version=seen,
        )

    losers = one_winner(race(take(specialist), take(specialist2)))

    assert len(losers) == 1
    assert isinstance(losers[0], (TransitionNotAllowed, Conflict))
    assert losers[0].http_status == 409
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.IN_REVIEW
    assert stored.assignee in (specialist, specialist2)
    assert CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.ASSIGNED).count() == 1
    assert not CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.REASSIGNED).exists()


def test_two_leads_assigning_one_case_to_different_specialists_get_one_assignee(
    seller_a, lead, lead2, specialist, specialist2
):
    dispute = in_status(Status.OPEN, seller=seller_a)
    seen = dispute.version

    def assign(by, to):
        return lambda: services.assign_dispute(
            dispute=Dispute.objects.get(pk=dispute.pk), assignee=to, by=by, expected_version=seen
        )

    losers = one_winner(race(assign(lead, specialist), assign(lead2, specialist2)))

    assert isinstance(losers[0], (TransitionNotAllowed, Conflict))
    assert CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.ASSIGNED).count() == 1
    assert not CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.REASSIGNED).exists()
    assert Dispute.objects.get(pk=dispute.pk).version == seen + 1


def test_two_specialists_taking_without_a_version_the_loser_gets_a_409(
    seller_a, specialist, specialist2
):
    dispute = in_status(Status.OPEN, seller=seller_a)

    def take(user):
        return lambda: services.assign_dispute(
            dispute=Dispute.objects.get(pk=dispute.pk), assignee=user, by=user
        )

    losers = one_winner(race(take(specialist), take(specialist2)))

    assert isinstance(losers[0], (TransitionNotAllowed, Conflict)), repr(losers[0])
    assert CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.ASSIGNED).count() == 1


def test_the_assignee_and_a_lead_deciding_at_once_make_one_decision(seller_a, specialist, lead):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)

    def decide(user, outcome, reason_code):
        return lambda: services.decide_dispute(
            dispute=Dispute.objects.get(pk=dispute.pk),
            by=user,
            outcome=outcome,
            reason_code=reason_code,
        )

    losers = one_winner(
        race(
            decide(specialist, "denied", "insufficient_evidence"),
            decide(lead, "denied", "outside_window"),
        )
    )

    assert isinstance(losers[0], (TransitionNotAllowed, Conflict))
    assert losers[0].http_status == 409
    decisions = list(Decision.objects.filter(dispute=dispute))
    assert len(decisions) == 1
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.DECIDED
    assert (stored.decided_by, stored.reason_code) == (
        decisions[0].decided_by,
        decisions[0].reason_code,
    )
    assert CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.DECIDED).count() == 1
