from django.db import migrations

from disputes.reference_data import create_queues
from disputes.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("sellers", "0001_initial"),
        ("disputes", "0001_initial"),
        ("evidence", "0001_initial"),
        ("reimbursements", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_queues, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
