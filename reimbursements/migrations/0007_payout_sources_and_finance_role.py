"""Existing payouts get their source key and their sources' ledger rows; the Finance role."""

from django.db import migrations
from django.db.models import F, Sum

from disputes.roles import sync_roles
from reimbursements.selectors import SOURCE_FIELDS


def fill_payout_sources(apps, schema_editor):
    reimbursement_model = apps.get_model("reimbursements", "Reimbursement")
    source_model = apps.get_model("reimbursements", "PayoutSource")
    rows = reimbursement_model.objects.select_related("dispute").filter(source_key="")
    for reimbursement in rows.iterator(chunk_size=2000):
        dispute = reimbursement.dispute
        names = SOURCE_FIELDS.get(dispute.claim_type)
        values = [str(getattr(dispute, name) or "") for name in names or ()]
        if names and all(values):
            key = "|".join(f"{n}={v}" for n, v in zip(names, values, strict=True))[:160]
            reimbursement_model.objects.filter(pk=reimbursement.pk).update(source_key=key)
    paying = ("pending_approval", "rejected", "approved", "paid")
    totals = (
        reimbursement_model.objects.filter(status__in=paying)
        .exclude(source_key="")
        .values("seller_id", "source_key")
        .annotate(units=Sum(F("quantity_cash") + F("quantity_replaced")))
    )
    source_model.objects.bulk_create(
        [
            source_model(
                seller_id=t["seller_id"], key=t["source_key"], units_cap=t["units"],
                units_paid=t["units"],
            )
            for t in totals
        ],
        batch_size=2000,
        ignore_conflicts=True,
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
