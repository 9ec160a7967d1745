"""Existing payouts get their source key and their sources' ledger rows; the Finance role."""

from django.db import migrations

from disputes.roles import sync_roles
from reimbursements.selectors import SOURCE_FIELDS


def fill_payout_sources(apps, schema_editor):
    """In SQL, a statement per claim type: a million payouts take seconds, not an UPDATE each."""
    with schema_editor.connection.cursor() as cursor:
        for claim_type, names in SOURCE_FIELDS.items():
            key = " || '|' || ".join(f"'{name}=' || d.{name}" for name in names)
            filled = " AND ".join(f"d.{name} <> ''" for name in names)
            cursor.execute(
                f"""
                UPDATE reimbursements_reimbursement SET source_key = coalesce((
                    SELECT substr({key}, 1, 160) FROM disputes_dispute d
                    WHERE d.id = reimbursements_reimbursement.dispute_id AND {filled}), '')
                WHERE claim_type = %s AND source_key = ''""",
                [claim_type],
            )
        cursor.execute(
            """
            INSERT INTO reimbursements_payoutsource (seller_id, "key", units_cap, units_paid)
            SELECT seller_id, source_key, sum(quantity_cash + quantity_replaced),
                sum(quantity_cash + quantity_replaced)
            FROM reimbursements_reimbursement
            WHERE source_key <> ''
                AND status IN ('pending_approval', 'rejected', 'approved', 'paid')
            GROUP BY seller_id, source_key
            ON CONFLICT DO NOTHING"""
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0006_payoutbatch_payoutsource_reversal_and_more"),
        ("disputes", "0016_checkrun_supported_quantity_and_more"),
    ]

    operations = [
        migrations.RunPython(fill_payout_sources, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
