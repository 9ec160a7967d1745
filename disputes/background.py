"""The one edge from the writing layers up to the Celery tasks.

Services, notifications and the periodic work queue follow-up work; the tasks import those same
services to do it. The task module is imported in `_tasks()`, the one place where that circle is
cut: pyproject.toml names this module in ruff's PLC0415 exception and in the import-linter
contract, and nowhere else may import a module inside a function.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from django.db import transaction


def _tasks() -> ModuleType:
    from disputes import tasks  # imported when first used: disputes.tasks imports the services

    return tasks


def complete_intake_after_commit(dispute_id: int, *, receipt_id: int | None = None) -> None:
    """Open the filed case in the background once the filing is stored; the same message has
    the worker send the filing's receipt (one publish per filing, not two)."""
    task = _tasks().complete_intake_task
    # robust: a broker hiccup must not fail a filing that is already stored; catch_up re-sends.
    transaction.on_commit(lambda: task.delay(dispute_id, receipt_id), robust=True)


def send_notification_after_commit(notification_id: int) -> None:
    """Send the e-mail in the background once its row is stored."""
    task = _tasks().send_notification_task
    transaction.on_commit(lambda: task.delay(notification_id), robust=True)


# An import of a big seller's ledger can touch tens of thousands of cases, and one send a case
# took longer than the import itself: past a few cases, the request sends their ids in messages
# of a thousand and a worker queues each case's task.
RECHECK_SENT_ONE_BY_ONE = 10
RECHECK_IDS_PER_MESSAGE = 1000


def recheck_after_commit(dispute_ids: Iterable[int], *, trigger: str) -> None:
    """Run the checks again on these cases once what changed them is stored: one task a case,
    however many of its records or files arrived together."""
    tasks = _tasks()
    ids = sorted(set(dispute_ids))
    if len(ids) <= RECHECK_SENT_ONE_BY_ONE:
        for dispute_id in ids:
            transaction.on_commit(
                lambda dispute_id=dispute_id: tasks.recheck_dispute_task.delay(dispute_id, trigger),
                robust=True,
            )
        return
    for start in range(0, len(ids), RECHECK_IDS_PER_MESSAGE):
        chunk = ids[start : start + RECHECK_IDS_PER_MESSAGE]
        transaction.on_commit(
            lambda chunk=chunk: tasks.recheck_disputes_task.delay(chunk, trigger), robust=True
        )


def recheck_touching_after_commit(*, kind: str, keys: list, trigger: str) -> None:
    """Once new records are stored, a worker finds the cases being worked that they bear on
    ((seller, identifier) pairs of a record kind) and rechecks each: one message."""
    if keys:
        task = _tasks().recheck_touching_task
        transaction.on_commit(lambda: task.delay(kind, keys, trigger), robust=True)


def resend(*, intake: Iterable[int], notifications: Iterable[int]) -> None:
    """Queue again work whose message was lost (intake not done, e-mails not sent)."""
    tasks = _tasks()
    for pk in intake:
        tasks.complete_intake_task.delay(pk)
    for pk in notifications:
        tasks.send_notification_task.delay(pk)
