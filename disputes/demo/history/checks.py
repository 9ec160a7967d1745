"""Intake of a played case: the check report (in the checks' own msgids and values), the route
and the clocks it starts, and the case opens."""

from __future__ import annotations

from decimal import Decimal

from core.money import Money
from disputes.check_codes import RootCause
from disputes.claim_types import CLAIM_TYPES
from disputes.demo.history.base import Kind, Timer
from disputes.models import CheckResult, CheckRun
from disputes.selectors.cases import duplicate_query
from disputes.services.checks.rules import QUANTITY_RULES
from disputes.status import Priority, Status
from reimbursements.models import ReimbursementPolicy

# The root cause the checks suggest for each claim type (checks/report.py, records that agree).
ROOT_CAUSES = {
    "warehouse_lost": RootCause.WAREHOUSE_HANDLING,
    "warehouse_damaged": RootCause.WAREHOUSE_HANDLING,
    "removal_lost": RootCause.WAREHOUSE_HANDLING,
    "inbound_shortage": RootCause.INBOUND_RECEIVING,
    "carrier_damaged": RootCause.CARRIER,
    "buyer_claim": RootCause.CARRIER,
    "return_not_received": RootCause.BUYER_RETURN_ABUSE,
    "return_wrong_item": RootCause.BUYER_RETURN_ABUSE,
    "return_damaged": RootCause.WAREHOUSE_HANDLING,
}
# What a specialist puts a denial down to, when the records do not bear the claim out.
DENIAL_CAUSES = (RootCause.SELLER_PREP, RootCause.POLICY_MISUNDERSTANDING)


# What the quantity check compares, and its verdicts (disputes.services.checks.rules).
QUANTITY_WORDS = {
    "warehouse_lost": "lost minus found",
    "warehouse_damaged": "damaged in the warehouse",
    "inbound_shortage": "shipped minus received",
    "removal_lost": "shipped minus delivered",
    "return_not_received": "refunded and never received",
    "return_damaged": "received with a matching disposition",
    "return_wrong_item": "received with a matching disposition",
    "carrier_damaged": "carrier scans with an exception or loss",
}
QUANTITY_TEXTS = {
    "pass": (
        "The records support the %(eligible)s units claimed: %(what)s %(supported)s, "
        "already reimbursed %(paid)s."
    ),
    "fail": (
        "The records support no units: %(what)s %(supported)s, already reimbursed "
        "%(paid)s, claimed %(claimed)s."
    ),
}


class Intake:
    """complete_intake, for a Case."""

    def intake(self) -> None:
        """complete_intake: the check report, the route, the clocks, and the case opens."""
        d, plan = self.dispute, self.plan
        policy = self.rules.reimbursement_policies[plan.claim_type]
        self._value(policy)
        # The claim of lost units the ledger shows as found again: the records refute it.
        refuted = plan.claim_type == "warehouse_lost" and plan.final == "deny"
        cause = RootCause.POLICY_MISUNDERSTANDING if refuted else ROOT_CAUSES.get(plan.claim_type)
        if plan.claim_type == "return_damaged" and self.rate != 1:
            cause = RootCause.BUYER_RETURN_ABUSE  # the return came back damaged by the buyer
        run = CheckRun(
            dispute=d,
            trigger=CheckRun.Trigger.SUBMITTED,
            created_at=self.clock,
            currency=d.currency,
            policy_version=policy.version,
            root_cause=cause or RootCause.NOT_DETERMINED,
            root_cause_confidence=Decimal("0.50" if refuted else "0.90" if cause else "0.20"),
            root_cause_detail="" if refuted else self._cause_detail(cause),
            root_cause_record_ids=self._record_ids(),
        )
        self._proposal_of(run, refuted)
        self.run = run
        self._report(policy, refuted)
        failed = [r.code for r in self.results if r.result == "fail"]
        priority = d.priority
        high_value = run.amount is not None and Money(run.amount, d.currency).in_usd() > 1000
        if plan.seller.spec.health != "healthy" or high_value:
            priority = max(priority, Priority.HIGH)
        d.queue_id, d.priority = plan.queue_id, priority
        self._start(Timer.FIRST_RESPONSE)
        self._start(Timer.RESOLUTION)
        self.move(
            Status.OPEN,
            Kind.CHECKS_COMPLETED,
            actor=None,
            data={
                "queue": plan.queue_slug,
                "check_run": run,  # its id once written
                "failed": failed,
                "eligible_quantity": run.eligible_quantity,
                "root_cause": run.root_cause,
            },
            latest_check_run=None,
            eligible_quantity=run.eligible_quantity,
            failed_checks=len(failed),
            **self._mirror(),
            sla_paused_at=None,
        )

    def _value(self, policy: ReimbursementPolicy) -> None:
        """The SKU's reference value, capped per unit, and the payout rate (value_claim)."""
        d, plan = self.dispute, self.plan
        if plan.claim_type == "return_damaged" and any(
            r.get("disposition") == "customer_damaged" for r in plan.records.get("returns", ())
        ):
            self.rate = policy.buyer_damage_rate
        if d.sku:
            value = Money(Decimal(plan.sku.value), d.currency)
            cap = Money.from_usd(policy.max_unit_value_usd, d.currency)
            self.unit = cap if value.amount > cap.amount else value

    def _cause_detail(self, cause: str | None) -> str:
        d = self.dispute
        return {
            RootCause.WAREHOUSE_HANDLING: d.fulfillment_center,
            RootCause.CARRIER: d.carrier,
            RootCause.INBOUND_RECEIVING: d.shipment_id,
        }.get(cause, "")

    def _record_ids(self) -> list[str]:
        return [row["record_id"] for rows in self.plan.records.values() for row in rows]

    def _proposal_of(self, run: CheckRun, refuted: bool) -> None:
        d = self.dispute
        if not d.quantity:
            run.explanation = {"text": "No units are claimed: the amount is decided by hand."}
            return
        eligible = 0 if refuted else d.quantity
        run.eligible_quantity, run.supported_quantity = eligible, eligible
        if self.unit is None:
            return
        run.unit_value, run.rate = self.unit.amount, self.rate
        run.amount = (self.unit * eligible * self.rate).amount
        run.explanation = {
            "text": (
                "%(n)s of %(claimed)s units eligible × %(unit)s %(currency)s × rate %(rate)s "
                "= %(amount)s %(currency)s (policy version %(version)s)."
            ),
            "params": {
                "n": eligible,
                "claimed": d.quantity,
                "unit": str(self.unit.amount),
                "currency": d.currency,
                "rate": str(self.rate),
                "amount": str(run.amount),
                "version": run.policy_version,
            },
        }

    def _report(self, policy: ReimbursementPolicy, refuted: bool) -> None:
        """The check results the intake run found, in the checks' own words (msgids and
        values): the window, the records (which back the claim, or refute a denied loss), no
        earlier payout or duplicate, the evidence attached, the seller's usual pace."""
        d, plan = self.dispute, self.plan
        filed = plan.filed_at.date()
        per_unit = d.claim_type in QUANTITY_RULES
        required = CLAIM_TYPES[d.claim_type].evidence_kinds
        claimed = d.quantity or 0
        results = [
            (
                "filing_window",
                "pass",
                "Filed %(days)s days after %(anchor)s, within the %(window)s-day window.",
                {
                    "days": (filed - d.event_date).days,
                    "window": policy.filing_window_days,
                    "anchor": d.event_date.isoformat(),
                },
            ),
            (
                "already_reimbursed",
                *(
                    ("pass", "No other case was paid for these units.")
                    if per_unit
                    else ("not_applicable", "This kind of claim is not paid per unit.")
                ),
                {"paid": 0, "claimed": claimed, "references": ""} if per_unit else {},
            ),
            (
                "duplicate_claim",
                *(
                    ("not_applicable", "The claim names nothing another claim could repeat.")
                    if duplicate_query(d) is None
                    else ("pass", "No other claim of this seller names the same ids.")
                ),
                {},
            ),
            ("photo_dates", "not_applicable", "No photo carries the date it was taken.", {}),
            ("fee_table", "not_applicable", "Only fee claims are compared with the fee table.", {}),
            (
                "seller_velocity",
                "pass",
                "%(recent)s disputes in 30 days against %(baseline)s usually; %(denied)s%% of "
                "decided claims denied.",
                plan.velocity,
            ),
        ]
        if per_unit:
            what = QUANTITY_WORDS[d.claim_type]
            params = {"claimed": claimed, "supported": 0 if refuted else claimed, "paid": 0}
            params |= {"what": what, "eligible": 0 if refuted else claimed}
            results.append(
                ("quantity_records", "fail", QUANTITY_TEXTS["fail"], params)
                if refuted
                else ("quantity_records", "pass", QUANTITY_TEXTS["pass"], params)
            )
        else:
            results.append(
                (
                    "quantity_records",
                    "not_applicable",
                    "This kind of claim is not counted in units of the records.",
                    {},
                )
            )
        if not required:
            evidence = [
                (
                    "evidence_required",
                    "not_applicable",
                    "This kind of claim needs no evidence from the seller.",
                    {},
                ),
                ("evidence_reused", "not_applicable", "No files to compare.", {}),
            ]
        elif self.evidence:
            evidence = [
                (
                    "evidence_required",
                    "pass",
                    "The required evidence is attached (%(kinds)s).",
                    {"kinds": self.evidence[0][2]},
                ),
                ("evidence_reused", "pass", "No file was seen in another dispute.", {}),
            ]
        else:
            evidence = [
                (
                    "evidence_required",
                    "fail",
                    "Evidence of one of these kinds is missing: %(kinds)s.",
                    {"kinds": ", ".join(required)},
                ),
                ("evidence_reused", "not_applicable", "No files to compare.", {}),
            ]
        record_ids = self._record_ids()
        self.results = [
            CheckResult(
                run=self.run,
                code=code,
                result=result,
                text=text,
                params=params,
                record_ids=record_ids if code == "quantity_records" and per_unit else [],
            )
            for code, result, text, params in [*results, *evidence]
        ]
