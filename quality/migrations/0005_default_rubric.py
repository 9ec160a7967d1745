"""The default QA rubric v1, and the Administrator role's permissions on the QA models."""

from django.db import migrations

from disputes.roles import sync_roles
from quality.rubric_defaults import create_default_rubric


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_qa_reviews")]

    operations = [
        migrations.RunPython(create_default_rubric, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
