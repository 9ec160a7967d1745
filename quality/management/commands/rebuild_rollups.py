"""Count every case again: for a new dashboard figure, or after fixing how one is counted."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from quality.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "Throw the daily rollups away and count every case again from its rows."

    def handle(self, *args, **options):
        run = rebuild_rollups()
        self.stdout.write(f"Rolled up {run.cases} cases up to case event {run.last_event_id}.")
