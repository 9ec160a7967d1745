"""The codes of the root-cause checks: which checks there are, their outcomes, the root causes.

Stable codes (the API and reports use them) with the labels people read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckCode(models.TextChoices):
    FILING_WINDOW = "filing_window", _("Filing window")
    QUANTITY_RECORDS = "quantity_records", _("Quantity against the records")
    ALREADY_REIMBURSED = "already_reimbursed", _("Already reimbursed")
    DUPLICATE_CLAIM = "duplicate_claim", _("Duplicate claim")
    EVIDENCE_REQUIRED = "evidence_required", _("Required evidence")
    EVIDENCE_REUSED = "evidence_reused", _("Evidence reused")
    PHOTO_DATES = "photo_dates", _("Photo dates")
    SELLER_VELOCITY = "seller_velocity", _("Seller's claim velocity")
    FEE_TABLE = "fee_table", _("Fee table")


class CheckOutcome(models.TextChoices):
    FAIL = "fail", _("Fail")
    ERROR = "error", _("Could not run")
    WARN = "warn", _("Warning")
    PASS = "pass", _("Pass")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")

    @property
    def badge(self) -> str:
        return {
            "fail": "red",
            "error": "purple",
            "warn": "amber",
            "pass": "green",
            "not_applicable": "slate",
        }[self.value]


# Failures first on every page: the order a specialist reads a report in.
OUTCOME_ORDER = {outcome: index for index, outcome in enumerate(CheckOutcome.values)}


class RootCause(models.TextChoices):
    WAREHOUSE_HANDLING = "warehouse_handling", _("Warehouse handling")
    INBOUND_RECEIVING = "inbound_receiving", _("Inbound receiving")
    CARRIER = "carrier", _("Carrier")
    SELLER_PREP = "seller_prep", _("Seller prep or packaging")
    BUYER_RETURN_ABUSE = "buyer_return_abuse", _("Buyer return abuse")
    POLICY_MISUNDERSTANDING = "policy_misunderstanding", _("Policy misunderstanding")
    NOT_DETERMINED = "not_determined", _("Not determined")
