"""SLA clocks on cases and the sweep, through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.business_time import business_seconds_between
from disputes import services
from disputes.models import CaseEvent, Dispute, Notification, SlaPolicy, SlaTimer
from disputes.services import catch_up
from disputes.sla.sweep import remind_sellers, sweep_sla
from disputes.status import Status
from tests.factories import SkuFactory

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Standard (UTC) calendar: Mon–Fri 8–20


@pytest.fixture
def opened(seller_a, seller_a_user):
    SkuFactory(seller=seller_a, sku="MUG-1")

    def make():
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 1},
        )
        services.complete_intake(dispute=dispute)
        dispute.refresh_from_db()
        return dispute

    return make


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


def test_the_sweep_warns_then_breaches_exactly_once(opened, specialist, lead):
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    priority = dispute.priority
    warn_time = MONDAY_9 + timedelta(hours=3, minutes=30)  # 80 % of 4 h is 3 h 12 min
    assert sweep_sla(now=warn_time)["warned"] >= 1
    assert sweep_sla(now=warn_time) == {"warned": 0, "breached": 0}
    breach_time = MONDAY_9 + timedelta(hours=4, minutes=1)
    assert sweep_sla(now=breach_time)["breached"] == 1
    assert sweep_sla(now=breach_time) == {"warned": 0, "breached": 0}
    kinds = list(dispute.events.values_list("kind", flat=True))
    assert kinds.count(CaseEvent.Kind.SLA_BREACHED) == 1
    assert kinds.count(CaseEvent.Kind.SLA_WARNING) == 1
    dispute.refresh_from_db()
    assert dispute.priority == priority + 1
    assert Notification.objects.filter(kind="sla_breached", recipient=lead.email).exists()
    assert Notification.objects.filter(kind="sla_warning", recipient=specialist.email).count() == 1


def test_an_escalating_policy_escalates_on_breach(opened, specialist):
    SlaPolicy.objects.filter(priority__isnull=True).update(breach_action="escalate")
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    sweep_sla(now=MONDAY_9 + timedelta(hours=5))
    dispute.refresh_from_db()
    assert dispute.status == Status.ESCALATED
    assert dispute.escalations.get().team == "team_lead"


def test_paused_cases_are_not_swept(opened, specialist):
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
        services.request_information(dispute=dispute, by=specialist, body="?")
    assert sweep_sla(now=MONDAY_9 + timedelta(days=30)) == {"warned": 0, "breached": 0}


def test_the_sweeps_query_count_does_not_grow_with_open_cases_that_are_not_due(opened):
    def sweep_three_due_among(not_due: int, *, day: int) -> int:
        start = MONDAY_9 + timedelta(days=day)
        with time_machine.travel(start, tick=False):
            for _ in range(3):
                opened()
        with time_machine.travel(start + timedelta(days=7), tick=False):
            for _ in range(not_due):
                opened()
        with CaptureQueriesContext(connection) as queries:
            counts = sweep_sla(now=start + timedelta(hours=5))
        assert counts["breached"] == 3  # the three first responses, nothing else
        return len(queries)

    few = sweep_three_due_among(5, day=0)
    many = sweep_three_due_among(80, day=1)
    assert many == few


def test_the_seller_is_reminded_once_halfway(opened, specialist):
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
        services.request_information(dispute=dispute, by=specialist, body="?")
    assert remind_sellers(now=MONDAY_9 + timedelta(days=6)) == 0
    assert remind_sellers(now=MONDAY_9 + timedelta(days=7, minutes=1)) == 1
    assert remind_sellers(now=MONDAY_9 + timedelta(days=8)) == 0
    assert Notification.objects.filter(dispute=dispute, kind="reminder").count() == 1


def test_catch_up_re_enqueues_lost_intake(
    seller_a, seller_a_user, django_capture_on_commit_callbacks
):
    SkuFactory(seller=seller_a, sku="MUG-1")
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 1},
        )
    # The intake message was lost (no on_commit ran). Ten minutes later the catch-up runs.
    assert catch_up(now=MONDAY_9 + timedelta(minutes=10))["intake"] == 1
    dispute.refresh_from_db()
    assert dispute.status == Status.OPEN  # eager in tests: the re-enqueued task ran


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
