"""The one edge from the writing layers up to the Celery tasks.

Services, notifications and the sweeps queue follow-up work; the tasks import those same services
to do it. The task module is imported inside these functions, the one place where that circle is
cut: ruff's PLC0415 and the import-linter contract (pyproject.toml) both name this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction


def complete_intake_after_commit(dispute_id: int) -> None:
    """Open the filed case in the background once the filing is stored."""
    from disputes.tasks import complete_intake_task

    # robust: a broker hiccup must not fail a filing that is already stored; catch_up re-sends.
    transaction.on_commit(lambda: complete_intake_task.delay(dispute_id), robust=True)


def send_notification_after_commit(notification_id: int) -> None:
    """Send the e-mail in the background once its row is stored."""
    from disputes.tasks import send_notification_task

    transaction.on_commit(lambda: send_notification_task.delay(notification_id), robust=True)


def resend(*, intake: Iterable[int], notifications: Iterable[int]) -> None:
    """Queue again work whose message was lost (intake not done, e-mails not sent)."""
    from disputes.tasks import (
        complete_intake_task,
        send_notification_task,
    )

    for pk in intake:
        complete_intake_task.delay(pk)
    for pk in notifications:
        send_notification_task.delay(pk)
