"""Intake: routing a filed dispute to its queue and opening it, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
    SlaTimer,
)
from disputes.status import Status
from tests.disputes.services.common import (
    MONDAY_9,
    ids,
    last_event,
    others,
    snapshot,
)
from tests.factories import in_status

pytestmark = pytest.mark.django_db


# --- complete_intake ---------------------------------------------------------------------------


def test_complete_intake_routes_a_submitted_dispute_opens_it_and_starts_its_clocks(
    seller_a, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = in_status(Status.SUBMITTED, seller=seller_a, claim_type="return_damaged", queue=None)

    services.complete_intake(dispute=dispute)

    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.OPEN
    assert stored.queue.slug == "returns"
    # Default policy: 240 and 2160 business minutes on Mon–Fri 08:00–20:00 UTC.
    assert stored.first_response_due_at == MONDAY_9 + timedelta(hours=4)
    assert stored.resolution_due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    assert stored.sla_next_deadline_at == stored.first_response_due_at
    assert SlaTimer.objects.filter(dispute=dispute).count() == 2
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        CaseEvent.Kind.CHECKS_COMPLETED,
        None,
        Status.SUBMITTED,
        Status.OPEN,
    )


@pytest.mark.parametrize("status", others(Status.SUBMITTED), ids=ids(others(Status.SUBMITTED)))
def test_complete_intake_leaves_a_dispute_past_intake_as_it_is(status, case):
    dispute = case(status)
    before = snapshot(dispute)
    services.complete_intake(dispute=dispute)
    assert snapshot(dispute) == before


def test_complete_intake_run_twice_opens_once(case):
    dispute = case(Status.SUBMITTED)
    services.complete_intake(dispute=dispute)
    services.complete_intake(dispute=Dispute.objects.get(pk=dispute.pk))
    assert (
        CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.CHECKS_COMPLETED).count() == 1
    )
