from django.db import migrations

from disputes.reference_data import create_default_policies


class Migration(migrations.Migration):
    dependencies = [("reimbursements", "0001_initial")]

    operations = [migrations.RunPython(create_default_policies, migrations.RunPython.noop)]
