"""The root-cause check report: runs of the checks on a case, one result per check, and the
proposal and suggested root cause each run worked out."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCY_CHOICES
from disputes.check_codes import CheckCode, CheckOutcome, RootCause
from disputes.models.case import Dispute


def _fill(text: str, params: dict) -> str:
    """A stored sentence in the reader's language; words among its values are translated too."""
    if not params:
        return gettext(text)
    # gettext("") would answer the catalog's header: empty values stay empty.
    return gettext(text) % {
        k: gettext(v) if isinstance(v, str) and v else v for k, v in params.items()
    }


class CheckRun(models.Model):
    """One run of every check on a case; the latest is shown, earlier ones stay for audit."""

    class Trigger(models.TextChoices):
        SUBMITTED = "submitted", _("Filed")
        EVIDENCE = "evidence", _("New evidence")
        RECORDS = "records", _("New records")
        MANUAL = "manual", _("Run again by staff")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="check_runs")
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # The proposal: what the policy pays for what the records support.
    eligible_quantity = models.PositiveIntegerField(null=True, blank=True)
    # The units the records support before other cases' payouts: a payout's cap for its source.
    supported_quantity = models.PositiveIntegerField(null=True, blank=True)
    unit_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    rate = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)  # {"text": msgid, "params": {...}}
    # The suggested root cause and what it rests on.
    root_cause = models.CharField(max_length=24, choices=RootCause.choices)
    root_cause_detail = models.CharField(max_length=64, blank=True)  # e.g. the centre's code
    root_cause_confidence = models.DecimalField(max_digits=3, decimal_places=2)
    root_cause_record_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dispute", "-id"], name="check_run_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="check_run_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} run {self.pk}"

    @property
    def explanation_text(self) -> str:
        if not self.explanation:
            return ""
        return _fill(self.explanation["text"], self.explanation.get("params", {}))


class CheckResult(models.Model):
    """One check's verdict in a run, in words a person reads and with the records it used."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    # "check" in the API; named code here because Model.check() is Django's system check.
    code = models.CharField(max_length=24, choices=CheckCode.choices)
    result = models.CharField(max_length=16, choices=CheckOutcome.choices)
    # The sentence as an English msgid and its values: shown in the reader's language.
    text = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    record_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="check_result_one_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.code} {self.result}"

    @property
    def message(self) -> str:
        return _fill(self.text, self.params)

    @property
    def outcome(self) -> CheckOutcome:
        return CheckOutcome(self.result)
