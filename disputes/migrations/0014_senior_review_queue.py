from django.db import migrations

from disputes.reference_data import create_queues


class Migration(migrations.Migration):
    """Adds the senior-review queue the checks route sellers with many invalid claims to."""

    dependencies = [("disputes", "0013_fraud_review_queue")]

    operations = [migrations.RunPython(create_queues, migrations.RunPython.noop)]
