"""The default QA rubric (version 1), seeded by a migration and again by the test suite after a
transactional test has flushed the tables. Takes the app registry, like every seeding function."""

from __future__ import annotations

DEFAULT_RUBRIC_NAME = "Decision quality"
# (code, label, weight, critical)
DEFAULT_RUBRIC_ITEMS = (
    ("decision_correct", "Decision correct", 3, True),
    ("amount_correct", "Amount correct", 3, True),
    ("evidence_reviewed", "Evidence and records reviewed", 2, False),
    ("policy_followed", "Policy followed", 2, False),
    ("communication", "Communication clear and polite", 1, False),
    ("sla_kept", "SLA kept", 1, False),
)


def create_default_rubric(apps, schema_editor=None) -> None:
    """Version 1 of the default rubric, active unless another version already is."""
    rubric_model = apps.get_model("quality", "QARubric")
    item_model = apps.get_model("quality", "QARubricItem")
    if rubric_model.objects.filter(name=DEFAULT_RUBRIC_NAME, version=1).exists():
        return
    rubric = rubric_model.objects.create(
        name=DEFAULT_RUBRIC_NAME,
        version=1,
        active=not rubric_model.objects.filter(active=True).exists(),
    )
    item_model.objects.bulk_create(
        item_model(
            rubric=rubric, code=code, label=label, weight=weight, critical=critical, order=order
        )
        for order, (code, label, weight, critical) in enumerate(DEFAULT_RUBRIC_ITEMS, start=1)
    )
