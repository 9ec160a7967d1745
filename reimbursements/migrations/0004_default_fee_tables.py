from django.db import migrations

from disputes.reference_data import create_fee_tables


class Migration(migrations.Migration):
    """Seeds version 1 of the fee table in every currency (editable in the admin)."""

    dependencies = [("reimbursements", "0003_fee_tables")]

    operations = [migrations.RunPython(create_fee_tables, migrations.RunPython.noop)]
