"""The team's clocks on a case (disputes/sla/clocks.py), driven through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.business_time import business_seconds_between
from disputes import services
from disputes.models import Dispute, SlaTimer

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Standard (UTC) calendar: Mon–Fri 8–20


def test_intake_starts_first_response_and_resolution_in_business_hours(opened):
    with time_machine.travel(datetime(2026, 11, 20, 19, 0, tzinfo=UTC), tick=False):  # Fri 19:00
        dispute = opened()
    # Default policy: first response 240 business minutes = 1 h on Friday + 3 h on Monday.
    assert dispute.first_response_due_at == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert dispute.sla_next_deadline_at == dispute.first_response_due_at
    assert SlaTimer.objects.filter(dispute=dispute).count() == 2


def test_waiting_for_the_seller_pauses_and_gives_back_the_time_left(
    opened, specialist, seller_a_user
):
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    resolution = SlaTimer.objects.get(dispute=dispute, kind="resolution")
    due_before = resolution.due_at
    with time_machine.travel(MONDAY_9 + timedelta(hours=2), tick=False):
        services.request_information(dispute=dispute, by=specialist, body="Photos?")
    assert dispute.sla_paused_at is not None and dispute.sla_next_deadline_at is None
    assert SlaTimer.objects.get(pk=resolution.pk).next_check_at is None
    # Three calendar days later (Thursday 09:00) the seller answers.
    with time_machine.travel(MONDAY_9 + timedelta(days=3), tick=False):
        services.post_seller_message(dispute=dispute, by=seller_a_user, body="Here")
    resolution.refresh_from_db()
    # The deadline moved by exactly the business time spent waiting: Mon 11:00 → Thu 09:00
    # is 9 h (Mon) + 12 h (Tue) + 12 h (Wed) + 1 h (Thu 08–09) = 34 business hours.

    calendar = resolution.policy.calendar.as_calendar()
    assert business_seconds_between(calendar, due_before, resolution.due_at) == 34 * 3600
    assert dispute.sla_paused_at is None
    assert dispute.sla_next_deadline_at is not None


def test_the_first_reply_meets_the_first_response_deadline(opened, specialist):
    dispute = opened()
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.reply_to_seller(dispute=dispute, by=specialist, body="Looking into it")
    timer = SlaTimer.objects.get(dispute=dispute, kind="first_response")
    assert timer.met_at is not None and timer.next_check_at is None
    assert (
        dispute.sla_next_deadline_at
        == SlaTimer.objects.get(dispute=dispute, kind="resolution").due_at
    )


def test_a_seller_message_starts_the_next_response_clock(opened, specialist, seller_a_user):
    dispute = opened()
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.reply_to_seller(dispute=dispute, by=specialist, body="Looking")
    services.post_seller_message(dispute=dispute, by=seller_a_user, body="Any news?")
    timer = SlaTimer.objects.get(dispute=dispute, kind="next_response")
    assert timer.due_at is not None and timer.met_at is None
    services.reply_to_seller(dispute=dispute, by=specialist, body="Yes")
    timer.refresh_from_db()
    assert timer.met_at is not None


def test_the_decision_stops_every_clock(opened, specialist):
    dispute = opened()
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.decide_dispute(
        dispute=dispute, by=specialist, outcome="denied", reason_code="insufficient_evidence"
    )
    assert not SlaTimer.objects.filter(dispute=dispute, next_check_at__isnull=False).exists()
    assert dispute.sla_next_deadline_at is None


def test_appeal_restarts_the_resolution_clock(opened, specialist, seller_a_user):
    dispute = opened()
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.decide_dispute(
        dispute=dispute, by=specialist, outcome="denied", reason_code="insufficient_evidence"
    )
    services.appeal_dispute(dispute=dispute, by=seller_a_user, reason="Please look again")
    timer = SlaTimer.objects.get(dispute=dispute, kind="resolution")
    assert timer.stopped_at is None and timer.next_check_at is not None
    assert Dispute.objects.get(pk=dispute.pk).sla_next_deadline_at == timer.due_at
