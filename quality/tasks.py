"""Background work on the rollups: thin tasks that call a service."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from quality.alerts import detect_trends
from quality.qa import sample_decisions
from quality.report_mail import send_weekly_report
from quality.reports import Week
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


@shared_task(
    name="quality.detect_trends",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def detect_trends_task() -> int:
    """Test the last window for spikes; safe to run twice (an alert is raised once per spike)."""
    return len(detect_trends().raised)


@shared_task(
    name="quality.send_weekly_report",
    acks_late=True,
    # OSError: the mail server (smtplib's errors are OSErrors); who already has it is skipped.
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_weekly_report_task(week: str | None = None) -> int:
    """E-mail the week's report (2026-W47; the last complete week by default) to the team leads;
    safe to run twice (a lead who has it is skipped)."""
    return send_weekly_report(week=Week.parse(week) if week else None)


@shared_task(
    name="quality.sample_for_qa",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sample_for_qa_task(day: str | None = None) -> int:
    """Sample a day's decisions (2026-11-30; yesterday by default) for QA review; safe to run
    twice (the second samples nothing new)."""
    when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return len(sample_decisions(day=when).sampled)
