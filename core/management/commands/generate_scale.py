"""Fill the database with benchmark data: `generate_scale --disputes N --ledger-events M`."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.generate import Scale, already_generated, complete, generate


class Command(BaseCommand):
    help = (
        "Generate realistic disputes, messages, records and reimbursements at scale, 90 days of "
        "worked cases for the dashboards, and the daily rollups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--disputes", type=int, default=20_000)
        parser.add_argument("--ledger-events", type=int, default=200_000)
        parser.add_argument(
            "--force", action="store_true", help="Generate even if that much data is already there."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale needs PostgreSQL: set DATABASE_URL.")
        scale = Scale(disputes=options["disputes"], ledger_events=options["ledger_events"])
        if already_generated(scale) and not options["force"]:
            self.stdout.write("Benchmark data already present; reusing it.")
            complete(scale, log=self.stdout.write)  # the dashboards' data, if it is missing
            return
        started = time.perf_counter()
        generate(scale, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {scale.disputes:,} disputes and {scale.ledger_events:,} ledger events "
                f"in {time.perf_counter() - started:.0f}s."
            )
        )
