from django.db import migrations

from disputes.reference_data import create_queues


class Migration(migrations.Migration):
    """Adds the fraud-review queue the checks route suspicious cases to."""

    dependencies = [("disputes", "0012_checks_run_event")]

    operations = [migrations.RunPython(create_queues, migrations.RunPython.noop)]
