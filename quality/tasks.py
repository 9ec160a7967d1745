"""Background work on the rollups: thin tasks that call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from quality.rollups import roll_up


@shared_task(
    name="quality.roll_up",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def roll_up_task() -> int:
    """Count what changed since the last run; safe to run twice (the second finds nothing)."""
    return roll_up().cases
