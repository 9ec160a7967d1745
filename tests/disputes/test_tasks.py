"""The Celery wiring with a real worker process on Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from config.celery import app
from disputes import services
from disputes.models import Dispute, Notification
from disputes.status import Status
from tests.worker import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    app.conf.task_always_eager = False
    app.control.purge()
    running = Worker(tmp_path)
    yield running
    running.stop()
    print(running.output())  # noqa: T201 - shown by pytest only when the test fails


def test_a_submitted_dispute_is_opened_and_acknowledged_by_the_worker(
    worker, seller_a, seller_a_user
):
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_lost",
        fields={"sku": "SKU-1", "quantity": 2, "fulfillment_center": "PHX7"},
    )
    assert dispute.status == Status.SUBMITTED

    opened = wait_for(lambda: Dispute.objects.get(pk=dispute.pk).status == Status.OPEN)
    assert opened, "the worker did not run the intake task"
    assert wait_for(
        lambda: Notification.objects.filter(
            dispute=dispute, kind="received", sent_at__isnull=False
        ).exists()
    ), "the worker did not send the receipt e-mail"
    assert dispute.events.filter(kind="checks_completed").count() == 1
