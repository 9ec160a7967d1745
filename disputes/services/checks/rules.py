"""The checks themselves: each reads a bounded set of records and gives one Finding.

A finding's sentence is an English msgid (marked with gettext_noop) and its values, so each
reader sees it in their own language. Quantities follow DESIGN.md's claim-type table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_noop

from disputes.check_codes import CheckCode, CheckOutcome
from disputes.claim_types import CLAIM_TYPES
from disputes.models import Dispute
from disputes.selectors.cases import list_duplicates_of
from evidence.models import CarrierScan, CustomerReturn, EvidenceFile, LedgerEvent
from evidence.selectors import (
    find_reused_files,
    latest_ledger_event,
    list_carrier_scans,
    list_removal_lines,
    list_returns,
    list_shipment_lines,
    sum_ledger_units,
)
from reimbursements.models import ReimbursementPolicy
from reimbursements.selectors import count_units_reimbursed, fee_for_sku

PASS, WARN, FAIL, NA = (
    CheckOutcome.PASS,
    CheckOutcome.WARN,
    CheckOutcome.FAIL,
    CheckOutcome.NOT_APPLICABLE,
)
E = LedgerEvent.EventType
D = CustomerReturn.Disposition
# Return dispositions that support each returns claim.
DAMAGED = (D.CUSTOMER_DAMAGED, D.WAREHOUSE_DAMAGED, D.CARRIER_DAMAGED, D.DEFECTIVE)
# The ledger events a warehouse claim is about, whose date starts its window when none is given.
LEDGER_EVENTS = {"warehouse_lost": (E.LOST,), "warehouse_damaged": (E.DAMAGED_WAREHOUSE,)}
MATCHING_DISPOSITIONS = {"return_damaged": DAMAGED, "return_wrong_item": (D.WRONG_ITEM,)}
VELOCITY_DAYS = 30
BASELINE_DAYS = 180
PHOTO_DAYS_BEFORE_EVENT = 30
USUAL_FLOOR = 5  # disputes in 30 days that are never a burst, whatever the history


@dataclass
class Finding:
    outcome: str
    text: str
    params: dict = field(default_factory=dict)
    record_ids: list[str] = field(default_factory=list)
    eligible: int | None = None  # quantity_records: the units payable on this case
    supported: int | None = None  # quantity_records: the units the records support in all
    overcharge: Decimal | None = None  # fee_table: what was charged a unit above the table


@dataclass
class Claim:
    """The case under check, with the reads several checks share (made once, when needed)."""

    dispute: Dispute
    policy: ReimbursementPolicy
    today: date = field(default_factory=timezone.localdate)

    @property
    def claimed(self) -> int:
        return self.dispute.quantity or 0

    @property
    def filed_on(self) -> date:
        created = self.dispute.created_at
        return timezone.localdate(created) if created else self.today

    @cached_property
    def reimbursed(self) -> tuple[int, list[str]]:
        """Units other cases paid for the same units (reimbursements.selectors.source_key_of)."""
        return count_units_reimbursed(dispute=self.dispute)

    @cached_property
    def returns(self) -> list[CustomerReturn]:
        """The claim's order's returns of its SKU, read once for every check that needs them."""
        d = self.dispute
        return list_returns(seller_id=d.seller_id, order_id=d.order_id, sku=d.sku)

    @cached_property
    def evidence(self) -> list[EvidenceFile]:
        return list(EvidenceFile.objects.filter(dispute=self.dispute).order_by("id")[:50])


# --- filing_window -----------------------------------------------------------------------------


def window_anchor(claim: Claim) -> tuple[date | None, list[str]]:
    """The date the window counts from, and the record that gives it."""
    d = claim.dispute
    if d.claim_type == "inbound_shortage" and d.shipment_id:
        lines = list_shipment_lines(seller_id=d.seller_id, shipment_id=d.shipment_id)
        closed = [ln for ln in lines if ln.closed_date]
        if closed:
            first = min(closed, key=lambda ln: ln.closed_date)
            return first.closed_date, [first.record_id]
        return None, []
    if d.claim_type == "return_not_received" and d.order_id:
        if claim.returns:
            first = min(claim.returns, key=lambda r: r.refund_date)
            return first.refund_date, [first.record_id]
        return None, []
    if d.event_date is None and d.claim_type in LEDGER_EVENTS and d.sku:
        return latest_ledger_event(
            seller_id=d.seller_id,
            sku=d.sku,
            event_types=LEDGER_EVENTS[d.claim_type],
            fulfillment_center=d.fulfillment_center,
        )
    return d.event_date, []


def check_filing_window(claim: Claim) -> Finding:
    anchor, record_ids = window_anchor(claim)
    window, opens = claim.policy.filing_window_days, claim.policy.opens_after_days
    if anchor is None:
        return Finding(
            WARN, gettext_noop("Neither the claim nor the records give the date of the event.")
        )
    filed = claim.filed_on
    params = {"days": (filed - anchor).days, "window": window, "anchor": anchor.isoformat()}
    if filed < anchor + timedelta(days=opens):
        eligible_from = (anchor + timedelta(days=opens)).isoformat()
        return Finding(
            WARN,
            gettext_noop(
                "Not yet eligible: claims of this kind open %(opens)s days after %(anchor)s, "
                "on %(from)s."
            ),
            {**params, "opens": opens, "from": eligible_from},
            record_ids,
        )
    if filed > anchor + timedelta(days=window):
        return Finding(
            FAIL,
            gettext_noop("Filed %(days)s days after %(anchor)s: the window is %(window)s days."),
            params,
            record_ids,
        )
    return Finding(
        PASS,
        gettext_noop("Filed %(days)s days after %(anchor)s, within the %(window)s-day window."),
        params,
        record_ids,
    )


# --- quantity_records --------------------------------------------------------------------------


def _verdict(claim: Claim, supported: int, record_ids: list[str], what: str) -> Finding:
    """Compare the units the records support (after what other cases paid) with the claim."""
    paid, _refs = claim.reimbursed
    eligible = max(0, supported - paid)
    if claim.claimed:
        eligible = min(eligible, claim.claimed)
    params = {"claimed": claim.claimed, "supported": supported, "paid": paid, "what": what}
    if eligible == 0:
        outcome = FAIL
        text = gettext_noop(
            "The records support no units: %(what)s %(supported)s, already reimbursed "
            "%(paid)s, claimed %(claimed)s."
        )
    elif claim.claimed and eligible < claim.claimed:
        outcome = WARN
        text = gettext_noop(
            "The records support %(eligible)s of the %(claimed)s units claimed: %(what)s "
            "%(supported)s, already reimbursed %(paid)s."
        )
    else:
        outcome = PASS
        text = gettext_noop(
            "The records support the %(eligible)s units claimed: %(what)s %(supported)s, "
            "already reimbursed %(paid)s."
        )
    return Finding(
        outcome, text, {**params, "eligible": eligible}, record_ids, eligible, supported=supported
    )


def _ledger(claim: Claim, counted: tuple[str, ...]):
    d = claim.dispute
    return sum_ledger_units(
        seller_id=d.seller_id,
        sku=d.sku,
        event_types=counted,
        fulfillment_center=d.fulfillment_center,
    )


def quantity_warehouse_lost(claim: Claim) -> Finding:
    totals, _centres, ids = _ledger(claim, (E.LOST, E.FOUND))
    supported = max(0, totals[E.LOST] - totals[E.FOUND])
    return _verdict(claim, supported, ids, gettext_noop("lost minus found"))


def quantity_warehouse_damaged(claim: Claim) -> Finding:
    totals, _centres, ids = _ledger(claim, (E.DAMAGED_WAREHOUSE,))
    return _verdict(
        claim, totals[E.DAMAGED_WAREHOUSE], ids, gettext_noop("damaged in the warehouse")
    )


def quantity_inbound_shortage(claim: Claim) -> Finding:
    d = claim.dispute
    lines = list_shipment_lines(seller_id=d.seller_id, shipment_id=d.shipment_id, sku=d.sku)
    supported = sum(max(0, ln.quantity_shipped - ln.quantity_received) for ln in lines)
    return _verdict(
        claim, supported, [ln.record_id for ln in lines], gettext_noop("shipped minus received")
    )


def quantity_removal_lost(claim: Claim) -> Finding:
    d = claim.dispute
    lines = list_removal_lines(
        seller_id=d.seller_id, removal_order_id=d.removal_order_id, sku=d.sku
    )
    supported = sum(max(0, ln.quantity_shipped - ln.quantity_delivered) for ln in lines)
    return _verdict(
        claim, supported, [ln.record_id for ln in lines], gettext_noop("shipped minus delivered")
    )


def quantity_return_not_received(claim: Claim) -> Finding:
    returns = claim.returns
    missing = [r for r in returns if r.received_date is None]
    supported = sum(r.quantity for r in missing)
    return _verdict(
        claim,
        supported,
        [r.record_id for r in returns],
        gettext_noop("refunded and never received"),
    )


def quantity_return_condition(claim: Claim) -> Finding:
    returns = claim.returns
    wanted = MATCHING_DISPOSITIONS[claim.dispute.claim_type]
    matching = [r for r in returns if r.received_date and r.disposition in wanted]
    supported = sum(r.quantity for r in matching)
    return _verdict(
        claim,
        supported,
        [r.record_id for r in returns],
        gettext_noop("received with a matching disposition"),
    )


def quantity_carrier_damaged(claim: Claim) -> Finding:
    d = claim.dispute
    scans = list_carrier_scans(seller_id=d.seller_id, tracking_id=d.tracking_id)
    ids = [s.record_id for s in scans]
    trouble = [s for s in scans if s.event in (CarrierScan.Event.EXCEPTION, CarrierScan.Event.LOST)]
    if not scans:
        return _verdict(claim, 0, ids, gettext_noop("carrier scans with an exception or loss"))
    if trouble:
        supported = claim.claimed or 1
        return _verdict(
            claim, supported, ids, gettext_noop("carrier scans with an exception or loss")
        )
    return Finding(
        FAIL,
        gettext_noop(
            "The carrier scanned a clean delivery and no exception or loss (%(n)s scans)."
        ),
        {"n": len(scans)},
        ids,
        0,
    )


QUANTITY_RULES = {
    "warehouse_lost": quantity_warehouse_lost,
    "warehouse_damaged": quantity_warehouse_damaged,
    "inbound_shortage": quantity_inbound_shortage,
    "removal_lost": quantity_removal_lost,
    "return_not_received": quantity_return_not_received,
    "return_damaged": quantity_return_condition,
    "return_wrong_item": quantity_return_condition,
    "carrier_damaged": quantity_carrier_damaged,
}


def check_quantity_records(claim: Claim) -> Finding:
    rule = QUANTITY_RULES.get(claim.dispute.claim_type)
    if rule is None:
        return Finding(
            NA, gettext_noop("This kind of claim is not counted in units of the records.")
        )
    return rule(claim)


# --- already_reimbursed, duplicate_claim -------------------------------------------------------


def check_already_reimbursed(claim: Claim) -> Finding:
    if claim.dispute.claim_type not in QUANTITY_RULES:
        return Finding(NA, gettext_noop("This kind of claim is not paid per unit."))
    paid, references = claim.reimbursed
    params = {"paid": paid, "claimed": claim.claimed, "references": ", ".join(references)}
    if paid == 0:
        return Finding(PASS, gettext_noop("No other case was paid for these units."), params)
    if claim.claimed and paid >= claim.claimed:
        return Finding(
            FAIL,
            gettext_noop("%(paid)s units were already reimbursed on other cases (%(references)s)."),
            params,
            references,
        )
    return Finding(
        WARN,
        gettext_noop("%(paid)s units were already reimbursed on other cases (%(references)s)."),
        params,
        references,
    )


def check_duplicate_claim(claim: Claim) -> Finding:
    duplicates = list_duplicates_of(claim.dispute)
    if duplicates is None:
        return Finding(NA, gettext_noop("The claim names nothing another claim could repeat."))
    references = [d.reference for d in duplicates]
    if references:
        return Finding(
            FAIL,
            gettext_noop("The same claim was filed as %(references)s: merge this one into it."),
            {"references": ", ".join(references)},
            references,
        )
    return Finding(PASS, gettext_noop("No other claim of this seller names the same ids."))


# --- evidence ----------------------------------------------------------------------------------


def check_evidence_required(claim: Claim) -> Finding:
    required = CLAIM_TYPES[claim.dispute.claim_type].evidence_kinds
    if not required:
        return Finding(NA, gettext_noop("This kind of claim needs no evidence from the seller."))
    given = sorted({f.kind for f in claim.evidence} & set(required))
    if given:
        return Finding(
            PASS,
            gettext_noop("The required evidence is attached (%(kinds)s)."),
            {"kinds": ", ".join(given)},
        )
    return Finding(
        FAIL,
        gettext_noop("Evidence of one of these kinds is missing: %(kinds)s."),
        {"kinds": ", ".join(required)},
    )


def check_evidence_reused(claim: Claim) -> Finding:
    hashes = [f.sha256 for f in claim.evidence]
    if not hashes:
        return Finding(NA, gettext_noop("No files to compare."))
    others, own = find_reused_files(
        dispute=claim.dispute,
        sha256s=hashes,
        perceptual_hashes=[f.perceptual_hash for f in claim.evidence if f.perceptual_hash],
    )
    if others:
        return Finding(
            FAIL,
            gettext_noop("The same file is in another seller's dispute: %(references)s."),
            {"references": ", ".join(others)},
            others,
        )
    if len(own) > 1:
        return Finding(
            WARN,
            gettext_noop(
                "The same file is in %(n)s other disputes of this seller: %(references)s."
            ),
            {"n": len(own), "references": ", ".join(own)},
            own,
        )
    return Finding(PASS, gettext_noop("No file was seen in another dispute."))


# --- seller_velocity ---------------------------------------------------------------------------


def check_seller_velocity(claim: Claim) -> Finding:
    d = claim.dispute
    now = timezone.now()
    # Two counts over the seller's newest-first index (no row read), and the score kept on
    # the seller: bounded whatever the seller's size.
    filed = Dispute.objects.filter(seller_id=d.seller_id).exclude(pk=d.pk)
    recent = filed.filter(created_at__gte=now - timedelta(days=VELOCITY_DAYS)).count()
    before = filed.filter(
        created_at__lt=now - timedelta(days=VELOCITY_DAYS),
        created_at__gte=now - timedelta(days=VELOCITY_DAYS + BASELINE_DAYS),
    ).count()
    seller = d.seller
    baseline = before * VELOCITY_DAYS / BASELINE_DAYS
    params = {
        "recent": recent,
        "baseline": round(baseline, 1),
        "denied": round(seller.denied_share * 100),
    }
    # A seller new to disputes is measured against a floor, not against nothing.
    usual = max(baseline, USUAL_FLOOR)
    if recent > 5 * usual:
        return Finding(
            FAIL,
            gettext_noop(
                "A burst: %(recent)s disputes in 30 days against %(baseline)s usually; "
                "%(denied)s%% of decided claims denied."
            ),
            params,
        )
    if recent > 3 * usual or (seller.claims_decided >= 10 and seller.denied_share > 0.5):
        return Finding(
            WARN,
            gettext_noop(
                "%(recent)s disputes in 30 days against %(baseline)s usually; %(denied)s%% of "
                "decided claims denied."
            ),
            params,
        )
    return Finding(
        PASS,
        gettext_noop(
            "%(recent)s disputes in 30 days against %(baseline)s usually; %(denied)s%% of decided "
            "claims denied."
        ),
        params,
    )


# --- not yet measurable ------------------------------------------------------------------------


def check_photo_dates(claim: Claim) -> Finding:
    dated = [f for f in claim.evidence if f.kind == "photo" and f.taken_at]
    if not dated:
        return Finding(NA, gettext_noop("No photo carries the date it was taken."))
    filed = claim.dispute.created_at or timezone.now()
    later = [f for f in dated if f.taken_at > filed]
    if later:
        return Finding(
            FAIL,
            gettext_noop("%(n)s photos were taken after the claim was filed (%(names)s)."),
            {"n": len(later), "names": ", ".join(f.original_name for f in later)},
        )
    event = claim.dispute.event_date
    early = [
        f
        for f in dated
        if event and f.taken_at.date() < event - timedelta(days=PHOTO_DAYS_BEFORE_EVENT)
    ]
    if early:
        return Finding(
            WARN,
            gettext_noop(
                "%(n)s photos were taken more than %(days)s days before the incident (%(names)s)."
            ),
            {
                "n": len(early),
                "days": PHOTO_DAYS_BEFORE_EVENT,
                "names": ", ".join(f.original_name for f in early),
            },
        )
    return Finding(
        PASS,
        gettext_noop("The %(n)s dated photos were taken around the incident, before filing."),
        {"n": len(dated)},
    )


def check_fee_table(claim: Claim) -> Finding:
    d = claim.dispute
    if d.claim_type != "fee_overcharge":
        return Finding(NA, gettext_noop("Only fee claims are compared with the fee table."))
    found = fee_for_sku(seller_id=d.seller_id, sku=d.sku, currency=d.currency)
    if found is None:
        return Finding(
            WARN,
            gettext_noop(
                "The catalog has no size and weight for %(sku)s, or no fee table is in "
                "%(currency)s: compare the fee by hand."
            ),
            {"sku": d.sku, "currency": d.currency},
        )
    params = {
        "charged": str(d.amount),
        "fee": str(found.fee),
        "tier": found.tier,
        "currency": d.currency,
        "version": found.table_version,
    }
    if d.amount is None:
        return Finding(
            WARN,
            gettext_noop(
                "The claim does not say the fee charged; the table asks %(fee)s %(currency)s "
                "(%(tier)s)."
            ),
            params,
        )
    if d.amount > found.fee:
        return Finding(
            PASS,
            gettext_noop(
                "Charged %(charged)s %(currency)s a unit where the %(tier)s fee is %(fee)s "
                "%(currency)s (fee table version %(version)s)."
            ),
            params,
            overcharge=d.amount - found.fee,
        )
    return Finding(
        FAIL,
        gettext_noop(
            "Charged %(charged)s %(currency)s a unit: the %(tier)s fee is %(fee)s %(currency)s, "
            "so nothing was overcharged."
        ),
        params,
        overcharge=Decimal("0"),
    )


CHECKS = {
    CheckCode.FILING_WINDOW: check_filing_window,
    CheckCode.QUANTITY_RECORDS: check_quantity_records,
    CheckCode.ALREADY_REIMBURSED: check_already_reimbursed,
    CheckCode.DUPLICATE_CLAIM: check_duplicate_claim,
    CheckCode.EVIDENCE_REQUIRED: check_evidence_required,
    CheckCode.EVIDENCE_REUSED: check_evidence_reused,
    CheckCode.PHOTO_DATES: check_photo_dates,
    CheckCode.SELLER_VELOCITY: check_seller_velocity,
    CheckCode.FEE_TABLE: check_fee_table,
}
