"""SLA timers and reliability with a real worker and beat on Redis and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from disputes import services
from disputes.models import CaseEvent, Dispute, SlaTimer
from disputes.status import Status
from tests.factories import SkuFactory
from tests.worker import Worker, wait_for, worker_database_url

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_live():
    app.conf.task_always_eager = False
    app.control.purge()
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        worker.stop()
    for worker in workers:
        print(worker.output())  # noqa: T201 - shown only when the test fails


def test_beat_and_the_worker_record_a_breach_once(
    celery_live, tmp_path, seller_a, seller_a_user, specialist
):
    SkuFactory(seller=seller_a, sku="MUG-1")
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 1},
    )
    services.complete_intake(dispute=dispute)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    past = timezone.now() - timedelta(minutes=1)
    # The first-response deadline passed a minute ago (as if the case had waited all day).
    SlaTimer.objects.filter(dispute=dispute, kind="first_response").update(
        warn_at=past, due_at=past, next_check_at=past
    )

    celery_live.append(Worker(tmp_path, beat=True, env={"SLA_SWEEP_SECONDS": "1"}))
    breached = wait_for(
        lambda: dispute.events.filter(kind=CaseEvent.Kind.SLA_BREACHED).exists(), timeout=60
    )
    assert breached, "beat and the worker did not sweep"
    time.sleep(4)  # several more sweeps run meanwhile
    assert dispute.events.filter(kind=CaseEvent.Kind.SLA_BREACHED).count() == 1
    assert dispute.events.filter(kind=CaseEvent.Kind.SLA_WARNING).count() == 1


def test_work_interrupted_by_a_dying_worker_is_done_once_after_restart(
    celery_live, tmp_path, seller_a, seller_a_user
):
    SkuFactory(seller=seller_a, sku="MUG-1")
    env = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    celery_live.append(Worker(tmp_path, env=env))
    # Hold the dispute row locked from another connection so the intake task blocks mid-way.
    with psycopg.connect(
        worker_database_url().replace("postgres://", "postgresql://"), autocommit=False
    ) as blocker:
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 1},
        )
        blocker.execute("SELECT id FROM disputes_dispute WHERE id = %s FOR UPDATE", [dispute.pk])
        waiting = wait_for(lambda: _someone_waits_for_a_lock(), timeout=30)
        assert waiting, "the worker never started the intake task"
        celery_live[0].kill()
        blocker.rollback()
    assert Dispute.objects.get(pk=dispute.pk).status == Status.SUBMITTED
    celery_live.append(Worker(tmp_path, env=env))
    assert wait_for(lambda: Dispute.objects.get(pk=dispute.pk).status == Status.OPEN, timeout=60), (
        "the interrupted task was not redelivered"
    )
    time.sleep(2)
    assert dispute.events.filter(kind=CaseEvent.Kind.CHECKS_COMPLETED).count() == 1


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0
