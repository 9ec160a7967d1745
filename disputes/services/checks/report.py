"""A check run: every check, then the proposal, the suggested root cause and the route.

`build_report` reads and decides; `store_report` writes the run and its results. Intake opens a
filed case with the first report; `recheck_dispute` adds a run to a case being worked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_noop

from core.money import Money, quantize
from disputes.case import lock_dispute, touch
from disputes.check_codes import CheckCode, CheckOutcome, RootCause
from disputes.claim_types import get_claim_type
from disputes.models import CaseEvent, CheckResult, CheckRun, Dispute
from disputes.services.checks.rules import CHECKS, Claim, Finding
from disputes.status import TERMINAL, Priority, Status
from evidence.models import CustomerReturn
from reimbursements.selectors import get_active_policy, value_claim
from sellers.models import HealthState

log = logging.getLogger(__name__)
FRAUD_QUEUE = "fraud-review"
SENIOR_QUEUE = "senior-review"
# A seller's record is telling once this many claims were decided, and poor above this share.
MANY_DECIDED, MOSTLY_INVALID = 10, 0.6
# Above this a case is worked first: its amount needs a team lead anyway.
HIGH_VALUE_USD = Decimal("1000.00")


@dataclass
class Report:
    findings: dict[str, Finding]
    run: CheckRun  # unsaved until store_report
    queue: str
    priority: int

    @property
    def failed(self) -> list[str]:
        return [code for code, f in self.findings.items() if f.outcome == CheckOutcome.FAIL]


def _run_one(code: str, claim: Claim) -> Finding:
    try:
        return CHECKS[code](claim)
    except Exception:  # one broken check must not hide the others' results
        log.exception("check %s failed on %s", code, claim.dispute.reference)
        return Finding(
            CheckOutcome.ERROR, gettext_noop("This check could not run; run the checks again.")
        )


def _root_cause(claim: Claim, findings: dict[str, Finding]) -> tuple[str, str, Decimal, list]:
    """(cause, detail, confidence, record ids): what most likely went wrong, from the records."""
    d = claim.dispute
    fee = findings[CheckCode.FEE_TABLE]
    if fee.overcharge is not None:  # measured wrong by the network, or charged as it should be
        if fee.overcharge > 0:
            return RootCause.WAREHOUSE_HANDLING, "", Decimal("0.60"), []
        return RootCause.POLICY_MISUNDERSTANDING, "", Decimal("0.70"), []
    quantity = findings[CheckCode.QUANTITY_RECORDS]
    ids = quantity.record_ids
    if quantity.outcome == CheckOutcome.FAIL:
        return RootCause.POLICY_MISUNDERSTANDING, "", Decimal("0.50"), ids
    confidence = Decimal("0.90") if quantity.outcome == CheckOutcome.PASS else Decimal("0.60")
    if d.claim_type in ("warehouse_lost", "warehouse_damaged", "removal_lost"):
        return RootCause.WAREHOUSE_HANDLING, d.fulfillment_center, confidence, ids
    if d.claim_type == "inbound_shortage":
        return RootCause.INBOUND_RECEIVING, d.shipment_id, confidence, ids
    if d.claim_type in ("carrier_damaged", "buyer_claim"):
        return RootCause.CARRIER, d.carrier, confidence, ids
    if d.claim_type in ("return_not_received", "return_wrong_item"):
        return RootCause.BUYER_RETURN_ABUSE, "", confidence, ids
    if d.claim_type == "return_damaged":
        dispositions = {r.disposition for r in claim.returns if r.received_date}
        by_disposition = {
            CustomerReturn.Disposition.CUSTOMER_DAMAGED: RootCause.BUYER_RETURN_ABUSE,
            CustomerReturn.Disposition.WAREHOUSE_DAMAGED: RootCause.WAREHOUSE_HANDLING,
            CustomerReturn.Disposition.CARRIER_DAMAGED: RootCause.CARRIER,
            CustomerReturn.Disposition.DEFECTIVE: RootCause.SELLER_PREP,
        }
        for disposition, cause in by_disposition.items():
            if disposition in dispositions:
                return cause, "", confidence, ids
    return RootCause.NOT_DETERMINED, "", Decimal("0.20"), ids


def _proposal(claim: Claim, findings: dict[str, Finding], run: CheckRun) -> None:
    d = claim.dispute
    quantity = findings[CheckCode.QUANTITY_RECORDS]
    eligible = quantity.eligible if quantity.eligible is not None else claim.claimed
    run.currency = d.currency
    run.policy_version = claim.policy.version
    run.supported_quantity = quantity.supported
    fee = findings[CheckCode.FEE_TABLE]
    if fee.overcharge is not None:  # a fee claim pays back what was charged above the table
        units = d.quantity or 1
        run.eligible_quantity, run.unit_value, run.rate = units, fee.overcharge, Decimal("1")
        run.amount = quantize(fee.overcharge * units, d.currency)
        run.explanation = {
            "text": gettext_noop(
                "%(n)s units × %(unit)s %(currency)s charged above the fee table = %(amount)s "
                "%(currency)s."
            ),
            "params": {
                "n": units,
                "unit": str(fee.overcharge),
                "currency": d.currency,
                "amount": str(run.amount),
            },
        }
        return
    if not d.quantity and quantity.eligible is None:
        run.explanation = {
            "text": gettext_noop("No units are claimed: the amount is decided by hand.")
        }
        return
    value = value_claim(dispute=d, quantity=eligible, policy=claim.policy)
    run.eligible_quantity = value.eligible_quantity
    run.unit_value, run.amount, run.rate = value.unit_value, value.amount, value.rate
    if value.unit_value is None:
        run.explanation = {
            "text": gettext_noop(
                "%(n)s units eligible; the SKU has no reference value, so no amount."
            ),
            "params": {"n": value.eligible_quantity},
        }
        return
    run.explanation = {
        "text": gettext_noop(
            "%(n)s of %(claimed)s units eligible × %(unit)s %(currency)s × rate %(rate)s "
            "= %(amount)s %(currency)s (policy version %(version)s)."
        ),
        "params": {
            "n": value.eligible_quantity,
            "claimed": claim.claimed,
            "unit": str(value.unit_value),
            "currency": d.currency,
            "rate": str(value.rate),
            "amount": str(value.amount),
            "version": value.policy_version,
        },
    }


def _route(claim: Claim, findings: dict[str, Finding], run: CheckRun) -> tuple[str, int]:
    """The queue and priority the findings call for (used when intake opens the case)."""
    d = claim.dispute
    queue = get_claim_type(d.claim_type).default_queue
    suspicious = (
        findings[CheckCode.EVIDENCE_REUSED].outcome == CheckOutcome.FAIL
        or findings[CheckCode.SELLER_VELOCITY].outcome == CheckOutcome.FAIL
    )
    seller = d.seller
    if suspicious:
        queue = FRAUD_QUEUE
    elif seller.claims_decided >= MANY_DECIDED and seller.denied_share > MOSTLY_INVALID:
        queue = SENIOR_QUEUE
    priority = d.priority
    at_risk = d.seller.health_state in (HealthState.AT_RISK, HealthState.RESTRICTED)
    high_value = run.amount is not None and (
        Money(run.amount, run.currency).in_usd() > HIGH_VALUE_USD
    )
    if at_risk or high_value:
        priority = max(priority, Priority.HIGH)
    return queue, priority


def build_report(dispute: Dispute, *, trigger: str) -> Report:
    """Run every check on the case and work out what follows from them; writes nothing."""
    claim = Claim(dispute=dispute, policy=get_active_policy(claim_type=dispute.claim_type))
    findings = {code: _run_one(code, claim) for code in CHECKS}
    run = CheckRun(dispute=dispute, trigger=trigger)
    _proposal(claim, findings, run)
    cause, detail, confidence, ids = _root_cause(claim, findings)
    run.root_cause, run.root_cause_detail = cause, detail
    run.root_cause_confidence, run.root_cause_record_ids = confidence, ids
    queue, priority = _route(claim, findings, run)
    return Report(findings=findings, run=run, queue=queue, priority=priority)


def store_report(report: Report) -> dict:
    """Write the run and one row per check; returns the fields the case copies from it."""
    run = report.run
    run.save()
    CheckResult.objects.bulk_create(
        CheckResult(
            run=run,
            code=code,
            result=finding.outcome,
            text=finding.text,
            params=finding.params,
            record_ids=finding.record_ids,
        )
        for code, finding in report.findings.items()
    )
    return {
        "latest_check_run": run,
        "eligible_quantity": run.eligible_quantity,
        "failed_checks": len(report.failed),
    }


def summary(report: Report) -> dict:
    """What the timeline keeps of a run."""
    return {
        "check_run": report.run.pk,
        "failed": report.failed,
        "eligible_quantity": report.run.eligible_quantity,
        "root_cause": report.run.root_cause,
    }


@transaction.atomic
def recheck_dispute(*, dispute: Dispute, trigger: str, by=None) -> CheckRun | None:
    """Run the checks again on a case being worked; a finished or not yet opened one is left."""
    lock_dispute(dispute)
    if dispute.status in TERMINAL or dispute.status == Status.SUBMITTED:
        return None  # intake runs the first report; a finished case changes no more
    report = build_report(dispute, trigger=trigger)
    copied = store_report(report)
    touch(dispute, kind=CaseEvent.Kind.CHECKS_RUN, by=by, data=summary(report), **copied)
    return report.run
