"""`manage.py seed_demo`: demo sellers, staff of every role and disputes in every status."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disputes.demo import HISTORY_DAYS, seed


def _cells(text: str) -> int:
    """Terminal cells `text` takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _cells(text), 0)


class Command(BaseCommand):
    help = (
        "Create demo staff, sellers, records and disputes in every status through the services, "
        "and 90 days of history before them for the dashboards, then print the logins. "
        "Idempotent: a second run adds nothing. Resets the demo logins' passwords to the printed "
        "one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (demo logins share a published password).",
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help="Days of history before today, written once (default %(default)s; 0: none).",
        )

    def handle(
        self, *args, force: bool = False, history_days: int = HISTORY_DAYS, **options
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production database: seed_demo creates "
                "logins with a published password. Pass --force to seed anyway."
            )
        if history_days < 0:
            raise CommandError("--history-days cannot be negative.")
        result = seed(history_days=history_days)
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data ready ({result.created} disputes created this run)."))
        if result.history:
            write(
                f"Of them {result.history} are {history_days} days of history for the "
                "dashboards (daily rollups rebuilt)."
            )
        write("")
        width = max(len(username) for username, _, _ in result.logins)
        role_width = max(_cells(role) for _, role, _ in result.logins)
        write(f"{'login':<{width}}  {'role':<{role_width}}  password")
        write(f"{'-' * width}  {'-' * role_width}  {'-' * 12}")
        for username, role, password in result.logins:
            write(f"{username:<{width}}  {_pad(role, role_width)}  {password}")
        write("")
        status_width = max(len(status) for status in result.statuses)
        write(f"{'status':<{status_width}}  disputes")
        for status, count in result.statuses.items():
            write(f"{status:<{status_width}}  {count:>8}")
        for label, count in result.totals.items():
            write(f"{label}: {count}")
        write("")
        write("Staff sign in at /workspace/ or /admin/, sellers at /portal/.")
        write("API token: python manage.py issue_token USERNAME")
