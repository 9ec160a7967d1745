"""Where a team clock stands (disputes/sla/state.py): the badge's state and the filter's query
say the same thing for every case, directly and through a queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from disputes.models import Dispute, Queue
from disputes.sla import sla_state, sla_state_q
from disputes.sla.state import SLA_STATES
from disputes.status import Status
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db

FILTERABLE = [state for state, _label in SLA_STATES]


@pytest.fixture
def cases():
    now = timezone.now()
    deadline = {
        "breached": now - timedelta(minutes=5),
        "due_soon": now + timedelta(hours=1),
        "on_track": now + timedelta(days=2),
    }
    made = {
        state: DisputeFactory(status=Status.IN_REVIEW, sla_next_deadline_at=due)
        for state, due in deadline.items()
    }
    made["paused"] = DisputeFactory(status=Status.AWAITING_SELLER, sla_paused_at=now)
    made["stopped"] = DisputeFactory(status=Status.DECIDED, sla_next_deadline_at=None)
    return made, now


def test_each_case_is_in_the_state_its_badge_shows_and_in_no_other(cases):
    made, now = cases
    for expected, dispute in made.items():
        assert sla_state(dispute, now)[0] == expected
        matching = {
            state
            for state in FILTERABLE
            if Dispute.objects.filter(sla_state_q(state, now=now), pk=dispute.pk).exists()
        }
        assert matching == ({expected} if expected in FILTERABLE else set()), expected


def test_counting_through_a_queue_gives_the_same_numbers(cases):
    _made, now = cases
    queue = Queue.objects.get(slug="inventory")
    counts = (
        Queue.objects.filter(pk=queue.pk)
        .annotate(
            **{
                state: Count("disputes", filter=sla_state_q(state, now=now, prefix="disputes__"))
                for state in FILTERABLE
            }
        )
        .values(*FILTERABLE)
        .get()
    )
    direct = {
        state: Dispute.objects.filter(sla_state_q(state, now=now), queue=queue).count()
        for state in FILTERABLE
    }
    assert counts == direct == {state: 1 for state in FILTERABLE}
