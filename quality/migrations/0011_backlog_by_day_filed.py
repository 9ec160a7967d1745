import datetime

from django.db import migrations, models


def count_again_from_nothing(apps, schema_editor):
    """The cases' stored shares name backlog rows without their day: every rollup is emptied and
    the next rollup run counts every case from the start of the timeline, as a rebuild does
    (`manage.py rebuild_rollups` does it at once)."""
    for name in ("DailyRollup", "SellerDailyRollup", "BacklogRollup", "QADailyRollup"):
        apps.get_model("quality", name).objects.all().delete()
    apps.get_model("quality", "CaseContribution").objects.all().delete()
    apps.get_model("quality", "RollupState").objects.update(last_event_id=0)


class Migration(migrations.Migration):

    dependencies = [
        ("quality", "0010_rollup_people_grain"),
    ]

    operations = [
        migrations.RunPython(count_again_from_nothing, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="backlogrollup", name="backlog_rollup_unique_key"),
        migrations.AddField(
            model_name="backlogrollup",
            name="created_day",
            field=models.DateField(default=datetime.date(1970, 1, 1)),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="backlogrollup",
            constraint=models.UniqueConstraint(
                fields=[
                    "created_day",
                    "status",
                    "queue_pk",
                    "assignee_pk",
                    "claim_type",
                    "marketplace",
                ],
                name="backlog_rollup_unique_key",
            ),
        ),
    ]
