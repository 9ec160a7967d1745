from django.db import migrations

# The rows a page reads by queue and specialist alone, summed from the full grain once.
DIMENSIONS = (
    "queue_pk",
    "specialist_pk",
    "claim_type",
    "marketplace",
    "root_cause",
    "fulfillment_center",
    "carrier",
    "currency",
)
KEPT = ("queue_pk", "specialist_pk")
FIGURES = (
    "filed", "decided", "approved", "partially_approved", "denied", "first_contact", "appealed",
    "appeal_decided", "overturned", "handled", "handle_seconds", "first_response_met",
    "first_response_breached", "resolution_met", "resolution_breached", "payouts_paid",
    "payout_overrides", "reversals_completed", "paid_amount", "reversed_amount",
)


def project_people(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    projected = [
        quote(name) if name in KEPT else ("0" if name.endswith("_pk") else "''")
        for name in DIMENSIONS
    ]
    sums = ", ".join(f"SUM({quote(name)})" for name in FIGURES)
    groups = ", ".join(["day", *(quote(name) for name in KEPT)])
    schema_editor.execute(
        f"INSERT INTO quality_dailyrollup (grain, day, {', '.join(map(quote, DIMENSIONS))}, "
        f"{', '.join(map(quote, FIGURES))}) "
        f"SELECT 'people', day, {', '.join(projected)}, {sums} FROM quality_dailyrollup "
        f"WHERE grain = 'full' GROUP BY {groups}"
    )


def drop_people(apps, schema_editor):
    schema_editor.execute("DELETE FROM quality_dailyrollup WHERE grain = 'people'")


class Migration(migrations.Migration):

    dependencies = [
        ("quality", "0009_qa_daily_rollup"),
    ]

    operations = [migrations.RunPython(project_people, drop_people)]
