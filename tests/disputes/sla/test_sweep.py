"""The SLA sweep, the seller reminders and the catch-up of lost work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes import services
from disputes.models import CaseEvent, Dispute, Notification, SlaPolicy
from disputes.services import catch_up
from disputes.sla.sweep import remind_sellers, sweep_sla
from disputes.status import Status
from tests.factories import DisputeFactory, SkuFactory

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Standard (UTC) calendar: Mon–Fri 8–20


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


def test_a_reminder_is_a_change_of_the_case_with_its_timeline_line(opened, specialist):
    with time_machine.travel(MONDAY_9, tick=False):
        dispute = opened()
        services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
        services.request_information(dispute=dispute, by=specialist, body="?")
    version = Dispute.objects.get(pk=dispute.pk).version
    remind_sellers(now=MONDAY_9 + timedelta(days=7, minutes=1))
    stored = Dispute.objects.get(pk=dispute.pk)
    # The version moves, so a form opened before the reminder notices the case changed.
    assert (stored.version, stored.seller_reminder_at) == (version + 1, None)
    event = CaseEvent.objects.filter(dispute=dispute).latest("id")
    assert (event.kind, event.actor) == (CaseEvent.Kind.SELLER_REMINDED, None)


def test_catch_up_drains_everything_due_in_one_round(seller_a, monkeypatch):
    """More than a batch lost at once heals in one round, not a batch every two minutes."""
    monkeypatch.setattr("disputes.services.periodic.BATCH", 3)
    for _ in range(7):
        DisputeFactory(seller=seller_a, status=Status.SUBMITTED)
    Dispute.objects.update(created_at=MONDAY_9)
    sent: list[int] = []
    monkeypatch.setattr(
        "disputes.services.periodic.resend",
        lambda intake, notifications: sent.extend(intake),
    )
    assert catch_up(now=MONDAY_9 + timedelta(minutes=10))["intake"] == 7
    assert len(sent) == len(set(sent)) == 7
