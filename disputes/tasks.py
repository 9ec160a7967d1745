"""Background work on disputes: thin tasks that take ids and call a service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from disputes.notifications import send_notification
from disputes.selectors import get_dispute_by_id
from disputes.services import catch_up, close_lapsed_disputes, complete_intake
from disputes.services.checks import recheck_dispute
from disputes.sla.sweep import remind_sellers, sweep_sla
from evidence.selectors import list_open_disputes_touching

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError, SMTPException, ConnectionError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="disputes.complete_intake", **RETRY)
def complete_intake_task(dispute_id: int, receipt_id: int | None = None) -> None:
    if receipt_id is not None:  # first: a receipt does not wait for the checks, nor fail with them
        send_notification_task.delay(receipt_id)
    dispute = get_dispute_by_id(dispute_id)
    if dispute is None:
        return  # purged meanwhile: nothing to do
    complete_intake(dispute=dispute)


@shared_task(name="disputes.recheck", **RETRY)
def recheck_dispute_task(dispute_id: int, trigger: str) -> None:
    dispute = get_dispute_by_id(dispute_id)
    if dispute is None:
        return  # purged meanwhile: nothing to check
    recheck_dispute(dispute=dispute, trigger=trigger)


@shared_task(name="disputes.recheck_many", **RETRY)
def recheck_disputes_task(dispute_ids: list[int], trigger: str) -> None:
    for dispute_id in dispute_ids:  # a rerun sends some again, as a redelivery reruns a recheck
        recheck_dispute_task.delay(dispute_id, trigger)


@shared_task(name="disputes.recheck_touching", **RETRY)
def recheck_touching_task(kind: str, keys: list, trigger: str) -> None:
    recheck_disputes_task(list_open_disputes_touching(kind=kind, keys=keys), trigger)


@shared_task(name="disputes.send_notification", **RETRY)
def send_notification_task(notification_id: int) -> None:
    send_notification(notification_id=notification_id)


@shared_task(name="disputes.close_lapsed", **RETRY)
def close_lapsed_disputes_task() -> int:
    return close_lapsed_disputes()


@shared_task(name="disputes.sla_sweep", **RETRY)
def sweep_sla_task() -> dict:
    return sweep_sla()


@shared_task(name="disputes.remind_sellers", **RETRY)
def remind_sellers_task() -> int:
    return remind_sellers()


@shared_task(name="disputes.catch_up", **RETRY)
def catch_up_task() -> dict:
    return catch_up()
