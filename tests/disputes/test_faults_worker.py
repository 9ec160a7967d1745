"""Faults with a real Celery worker on Redis and PostgreSQL: filing goes on while the cache is
unreachable, and an e-mail whose worker died after sending it is not sent twice."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from disputes import services
from disputes.models import CaseEvent, Dispute, Notification
from disputes.notifications import message_id
from disputes.status import Status
from disputes.tasks import send_notification_task
from tests.clients import client_for
from tests.factories import PASSWORD, SkuFactory
from tests.mail_outbox import sent_mail
from tests.worker import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SENT = re.compile(r"Task disputes\.send_notification\[[^\]]+\] succeeded")


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


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1")


def _intake_ran(dispute: Dispute) -> bool:
    return Dispute.objects.get(pk=dispute.pk).status == Status.OPEN


def test_with_the_cache_unreachable_filing_through_the_api_answers_201_and_intake_runs(
    celery_live, tmp_path, seller_a, seller_a_user, catalog, cache_down
):
    # The web side (this process) has lost its cache; the broker and the worker are up.
    celery_live.append(Worker(tmp_path))
    response = client_for(seller_a_user).post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 2},
        format="json",
        headers={"Idempotency-Key": "cache-down-1"},
    )
    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get(reference=response.json()["reference"])
    assert dispute.seller == seller_a and dispute.quantity == 2
    assert wait_for(lambda: _intake_ran(dispute), timeout=60), "the worker did not run intake"
    assert dispute.events.filter(kind=CaseEvent.Kind.CHECKS_COMPLETED).count() == 1


def test_with_the_cache_unreachable_a_seller_signs_in_and_files_on_the_portal_and_intake_runs(
    celery_live, client, tmp_path, seller_a, seller_a_user, catalog, cache_down
):
    celery_live.append(Worker(tmp_path))
    signed_in = client.post(reverse("login"), {"username": "seller-a", "password": PASSWORD})
    assert signed_in.status_code == 302
    url = reverse("portal:file", args=["warehouse_damaged"])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "submission_key": form.context["form"].initial["submission_key"],
            "sku": "MUG-1",
            "quantity": "2",
            "description": "Crushed box",
        },
    )
    dispute = Dispute.objects.get(seller=seller_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dispute", args=[dispute.reference])
    assert client.get(response["Location"]).status_code == 200
    assert wait_for(lambda: _intake_ran(dispute), timeout=60), "the worker did not run intake"
    assert dispute.events.filter(kind=CaseEvent.Kind.CHECKS_COMPLETED).count() == 1


def _mails_of(outbox: Path, notification: Notification) -> list:
    return [m for m in sent_mail(outbox) if m["Message-ID"] == message_id(notification)]


def _sends_finished(worker: Worker) -> int:
    return len(SENT.findall(worker.log.read_text()))


def test_a_mail_whose_worker_died_after_sending_goes_once_until_the_lease_ends_then_the_same(
    celery_live, tmp_path, seller_a, seller_a_user, catalog
):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.outbox_worker_settings",
        "ARBITER_TEST_OUTBOX": str(outbox),
        # The message of the killed worker comes back after 3 s instead of the hour.
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    first = Worker(tmp_path, env={**env, "ARBITER_TEST_DIE_AFTER_SEND": "1"})
    celery_live.append(first)
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 1},
    )
    # The receipt left, and the worker was killed before it could record that it had.
    assert wait_for(lambda: first.process.poll() is not None, timeout=60), "no mail was sent"
    assert len(sent_mail(outbox)) == 1
    notification = Notification.objects.get(dispute=dispute, kind="received")
    assert notification.sent_at is None and notification.attempted_at is not None
    assert len(_mails_of(outbox, notification)) == 1

    second = Worker(tmp_path, env=env)
    celery_live.append(second)
    # The killed worker's message is delivered again: the attempt holds the lease, no mail.
    assert wait_for(lambda: _sends_finished(second) >= 1, timeout=60), "no redelivery"
    assert len(_mails_of(outbox, notification)) == 1
    # So does the catch-up, run as beat would once the 2-minute grace has passed.
    later = timezone.now() + timedelta(minutes=3)
    assert services.catch_up(now=later)["notifications"] >= 1
    assert wait_for(lambda: _sends_finished(second) >= 2, timeout=60), "catch-up not sent"
    assert len(_mails_of(outbox, notification)) == 1
    assert Notification.objects.get(pk=notification.pk).sent_at is None

    # The lease runs out (as if ten minutes had passed since the attempt): the catch-up sends
    # it again, recognisably the same e-mail, and records it as sent this time.
    lease = timedelta(seconds=settings.ARBITER["NOTIFICATION_LEASE_SECONDS"])
    Notification.objects.filter(pk=notification.pk).update(
        attempted_at=notification.attempted_at - lease - timedelta(seconds=1)
    )
    services.catch_up(now=later)
    assert wait_for(
        lambda: Notification.objects.get(pk=notification.pk).sent_at is not None, timeout=60
    ), "the lease ran out and the mail was not sent again"
    repeats = _mails_of(outbox, notification)
    assert len(repeats) == 2
    assert repeats[0]["Message-ID"] == repeats[1]["Message-ID"] == message_id(notification)
    assert repeats[0]["Subject"] == repeats[1]["Subject"]

    # Recorded as sent now: the catch-up leaves it alone, and a stray duplicate message of the
    # task sends nothing.
    assert services.catch_up(now=later)["notifications"] == 0
    send_notification_task.delay(notification.pk)
    assert wait_for(lambda: _sends_finished(second) >= 4, timeout=60)
    assert len(_mails_of(outbox, notification)) == 2
    assert (
        dispute.events.filter(kind=CaseEvent.Kind.NOTIFICATION_SENT, data__kind="received").count()
        == 1
    )
