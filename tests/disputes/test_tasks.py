"""The Celery wiring with a real worker process on Redis and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.celery import app
from disputes import services
from disputes.models import CheckRun, Dispute, Notification
from disputes.status import Status
from evidence.services import import_records
from tests.factories import SkuFactory
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


def test_the_worker_checks_a_filing_routes_it_and_rechecks_it_when_records_arrive(
    worker, seller_a, seller_a_user, specialist
):
    SkuFactory(seller=seller_a, sku="SKU-1", reference_value=Decimal("10.00"))
    import_records(kind="ledger", rows=[_ledger_row(seller_a, "L-1", "lost", 3)])
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_lost",
        fields={"sku": "SKU-1", "quantity": 3, "fulfillment_center": "PHX7"},
    )
    assert wait_for(lambda: Dispute.objects.get(pk=dispute.pk).status == Status.OPEN)
    opened = Dispute.objects.select_related("queue", "latest_check_run").get(pk=dispute.pk)
    assert (opened.queue.slug, opened.eligible_quantity) == ("inventory", 3)
    assert opened.latest_check_run.amount == Decimal("30.00")

    services.assign_dispute(dispute=opened, assignee=specialist, by=specialist)
    import_records(kind="ledger", rows=[_ledger_row(seller_a, "L-2", "found", 2)])
    assert wait_for(lambda: Dispute.objects.get(pk=dispute.pk).eligible_quantity == 1), (
        "the worker did not re-run the checks after the found event"
    )
    assert CheckRun.objects.filter(dispute=dispute).count() == 2


def _ledger_row(seller, record_id: str, event_type: str, quantity: int) -> dict:
    return {
        "record_id": record_id,
        "seller_id": seller.seller_id,
        "event_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "sku": "SKU-1",
        "fulfillment_center": "PHX7",
        "event_type": event_type,
        "quantity": quantity,
    }
