"""The root-cause checks on small record sets: each check's pass, warn, fail and not applicable,
the quantity rule of every claim type that has records, the proposal, root cause and route."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.errors import InvalidInput
from disputes import services
from disputes.check_codes import CheckCode, CheckOutcome, RootCause
from disputes.models import CaseEvent, CheckResult, CheckRun, Dispute
from disputes.services.checks import CHECKS, Claim, build_report
from disputes.services.checks import rules as check_rules
from disputes.status import Priority, Status
from evidence.models import CarrierScan, CustomerReturn, LedgerEvent, RemovalOrderLine, ShipmentLine
from evidence.services import attach_evidence, import_records
from reimbursements.models import Reimbursement
from reimbursements.selectors import get_active_policy
from sellers.models import HealthState, Sku
from tests.factories import MembershipFactory, SellerFactory, SkuFactory, in_status, png_bytes

pytestmark = pytest.mark.django_db

PASS, WARN, FAIL, NA = "pass", "warn", "fail", "not_applicable"
_ids = itertools.count(1)


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def ledger(seller, event_type, quantity, *, sku="SKU-1", fc="PHX7", days=10):
    return LedgerEvent.objects.create(
        record_id=f"L-{next(_ids)}",
        seller=seller,
        event_date=days_ago(days),
        sku=sku,
        fulfillment_center=fc,
        event_type=event_type,
        quantity=quantity,
    )


def ret(seller, *, received=True, disposition="", quantity=1, refund_days=50, order="O-1"):
    return CustomerReturn.objects.create(
        record_id=f"R-{next(_ids)}",
        seller=seller,
        order_id=order,
        sku="SKU-1",
        quantity=quantity,
        refund_date=days_ago(refund_days),
        received_date=days_ago(refund_days - 5) if received else None,
        disposition=disposition,
    )


def scan(seller, event, *, tracking="T-1"):
    return CarrierScan.objects.create(
        record_id=f"C-{next(_ids)}",
        seller=seller,
        tracking_id=tracking,
        carrier="UPS",
        event=event,
        event_time=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def seller(db):
    seller = SellerFactory()
    SkuFactory(seller=seller, sku="SKU-1", reference_value=Decimal("10.00"))
    return seller


def claim(seller, claim_type="warehouse_lost", **fields) -> Dispute:
    defaults = {"sku": "SKU-1", "quantity": 3, "event_date": days_ago(10)}
    return in_status(
        Status.IN_REVIEW, seller=seller, claim_type=claim_type, **{**defaults, **fields}
    )


def run(code: str, dispute: Dispute):
    policy = get_active_policy(claim_type=dispute.claim_type)
    return CHECKS[code](Claim(dispute=dispute, policy=policy))


def pay_on_another_case(seller, units: int, specialist, **fields):
    other = claim(seller, quantity=units, assignee=specialist, **fields)
    services.decide_dispute(
        dispute=other,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=units,
    )
    return other


# --- quantity_records: DESIGN.md's rule for every claim type with records ----------------------


@pytest.mark.parametrize(
    ("claim_type", "records", "claimed", "outcome", "eligible"),
    [
        ("warehouse_lost", [("lost", 4), ("found", 1)], 3, PASS, 3),
        ("warehouse_lost", [("lost", 4), ("found", 1)], 5, WARN, 3),
        ("warehouse_lost", [("lost", 2), ("found", 2)], 2, FAIL, 0),
        ("warehouse_lost", [], 2, FAIL, 0),
        ("warehouse_damaged", [("damaged_warehouse", 2)], 2, PASS, 2),
        ("warehouse_damaged", [("lost", 5)], 2, FAIL, 0),
    ],
)
def test_the_ledger_counts_lost_minus_found_or_damaged(
    seller, claim_type, records, claimed, outcome, eligible
):
    for event_type, quantity in records:
        ledger(seller, event_type, quantity)
    finding = run(CheckCode.QUANTITY_RECORDS, claim(seller, claim_type, quantity=claimed))
    assert (finding.outcome, finding.eligible) == (outcome, eligible)
    counted = {"warehouse_lost": {"lost", "found"}, "warehouse_damaged": {"damaged_warehouse"}}
    assert len(finding.record_ids) == len([r for r in records if r[0] in counted[claim_type]])


def test_a_loss_booked_as_a_negative_movement_counts_the_same(seller):
    ledger(seller, "lost", -3)
    finding = run(CheckCode.QUANTITY_RECORDS, claim(seller, quantity=3))
    assert (finding.outcome, finding.eligible) == (PASS, 3)


def test_only_the_claims_fulfilment_centre_counts_when_it_names_one(seller):
    ledger(seller, "lost", 3, fc="PHX7")
    ledger(seller, "lost", 5, fc="LGB8")
    finding = run(CheckCode.QUANTITY_RECORDS, claim(seller, quantity=8, fulfillment_center="PHX7"))
    assert (finding.outcome, finding.eligible) == (WARN, 3)


def test_units_another_case_paid_for_are_not_eligible_again(seller, specialist):
    """The session's example: 999 claimed, the ledger shows 4 lost, all 4 already reimbursed."""
    ledger(seller, "lost", 4)
    pay_on_another_case(seller, 4, specialist)
    finding = run(CheckCode.QUANTITY_RECORDS, claim(seller, quantity=999))
    assert (finding.outcome, finding.eligible) == (FAIL, 0)
    assert finding.params["paid"] == 4


@pytest.mark.parametrize(
    ("shipped", "received", "claimed", "outcome", "eligible"),
    [(10, 7, 3, PASS, 3), (10, 7, 5, WARN, 3), (10, 10, 1, FAIL, 0)],
)
def test_an_inbound_shortage_is_shipped_minus_received(
    seller, shipped, received, claimed, outcome, eligible
):
    line = ShipmentLine.objects.create(
        record_id="S-1",
        seller=seller,
        shipment_id="FBA1",
        sku="SKU-1",
        quantity_shipped=shipped,
        quantity_received=received,
        closed_date=days_ago(20),
    )
    dispute = claim(seller, "inbound_shortage", shipment_id="FBA1", quantity=claimed)
    finding = run(CheckCode.QUANTITY_RECORDS, dispute)
    assert (finding.outcome, finding.eligible, finding.record_ids) == (
        outcome,
        eligible,
        [line.record_id],
    )


@pytest.mark.parametrize(("shipped", "delivered", "outcome"), [(5, 2, WARN), (5, 5, FAIL)])
def test_a_removal_is_shipped_minus_delivered(seller, shipped, delivered, outcome):
    RemovalOrderLine.objects.create(
        record_id="RM-1",
        seller=seller,
        removal_order_id="RMV-1",
        sku="SKU-1",
        quantity_shipped=shipped,
        quantity_delivered=delivered,
        shipped_date=days_ago(15),
    )
    dispute = claim(seller, "removal_lost", removal_order_id="RMV-1", quantity=5)
    assert run(CheckCode.QUANTITY_RECORDS, dispute).outcome == outcome


@pytest.mark.parametrize(
    ("claim_type", "received", "disposition", "outcome"),
    [
        ("return_not_received", False, "", PASS),
        ("return_not_received", True, "sellable", FAIL),
        ("return_damaged", True, "customer_damaged", PASS),
        ("return_damaged", True, "warehouse_damaged", PASS),
        ("return_damaged", True, "sellable", FAIL),
        ("return_damaged", False, "", FAIL),
        ("return_wrong_item", True, "wrong_item", PASS),
        ("return_wrong_item", True, "defective", FAIL),
    ],
)
def test_a_return_claim_needs_the_matching_return_record(
    seller, claim_type, received, disposition, outcome
):
    ret(seller, received=received, disposition=disposition)
    dispute = claim(seller, claim_type, order_id="O-1", quantity=1)
    assert run(CheckCode.QUANTITY_RECORDS, dispute).outcome == outcome


@pytest.mark.parametrize(
    ("events", "outcome"),
    [
        (["picked_up", "exception"], PASS),
        (["picked_up", "lost"], PASS),
        (["delivered"], FAIL),
        ([], FAIL),
    ],
)
def test_carrier_damage_needs_an_exception_or_a_loss_scan(seller, events, outcome):
    for event in events:
        scan(seller, event)
    dispute = claim(seller, "carrier_damaged", tracking_id="T-1", quantity=1)
    assert run(CheckCode.QUANTITY_RECORDS, dispute).outcome == outcome


@pytest.mark.parametrize(
    "claim_type",
    ["fee_overcharge", "reimbursement_amount", "payment_issue", "order_defect_appeal"],
)
def test_claims_not_counted_in_units_are_not_applicable(seller, claim_type):
    assert run(CheckCode.QUANTITY_RECORDS, claim(seller, claim_type)).outcome == NA


# --- filing_window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({"event_date": days_ago(10)}, PASS),
        ({"event_date": days_ago(75)}, FAIL),  # 60-day window
        ({"event_date": None}, WARN),  # no date anywhere
    ],
)
def test_the_filing_window_counts_from_the_event(seller, fields, outcome):
    assert run(CheckCode.FILING_WINDOW, claim(seller, **fields)).outcome == outcome


@pytest.mark.parametrize(("refund_days", "outcome"), [(10, WARN), (50, PASS), (120, FAIL)])
def test_a_return_not_received_opens_on_day_45_and_closes_on_day_105(seller, refund_days, outcome):
    record = ret(seller, received=False, refund_days=refund_days)
    dispute = claim(seller, "return_not_received", order_id="O-1", event_date=None)
    finding = run(CheckCode.FILING_WINDOW, dispute)
    assert (finding.outcome, finding.record_ids) == (outcome, [record.record_id])
    if outcome == WARN:  # not yet eligible says from when
        assert finding.params["from"] == (record.refund_date + timedelta(days=45)).isoformat()


# --- already_reimbursed, duplicate_claim ------------------------------------------------------


def test_already_reimbursed_passes_warns_and_fails_by_the_units_paid(seller, specialist):
    assert run(CheckCode.ALREADY_REIMBURSED, claim(seller, quantity=3)).outcome == PASS
    pay_on_another_case(seller, 2, specialist)
    assert run(CheckCode.ALREADY_REIMBURSED, claim(seller, quantity=3)).outcome == WARN
    finding = run(CheckCode.ALREADY_REIMBURSED, claim(seller, quantity=2))
    assert finding.outcome == FAIL
    assert finding.record_ids and finding.record_ids[0].startswith("RMB-")
    assert run(CheckCode.ALREADY_REIMBURSED, claim(seller, "fee_overcharge")).outcome == NA


def test_the_same_order_filed_twice_is_a_duplicate_naming_the_first(seller):
    first = claim(seller, "return_damaged", order_id="O-9")
    second = claim(seller, "return_damaged", order_id="O-9")
    finding = run(CheckCode.DUPLICATE_CLAIM, second)
    assert (finding.outcome, finding.record_ids) == (FAIL, [first.reference])
    other_seller = claim(SellerFactory(), "return_damaged", order_id="O-9")
    assert run(CheckCode.DUPLICATE_CLAIM, other_seller).outcome == PASS


def test_a_claim_naming_nothing_repeatable_is_not_checked_for_duplicates(seller):
    dispute = claim(seller, "payment_issue", sku="", event_date=None)
    assert run(CheckCode.DUPLICATE_CLAIM, dispute).outcome == NA


# --- evidence ----------------------------------------------------------------------------------


def _photo(dispute, by, seed=1):
    upload = SimpleUploadedFile(f"p{seed}.png", png_bytes(seed), content_type="image/png")
    return attach_evidence(dispute=dispute, uploaded_by=by, upload=upload, kind="photo")


def test_evidence_required_by_the_claim_type(seller, seller_a_user, lead):
    dispute = claim(seller, "return_damaged", order_id="O-1")
    assert run(CheckCode.EVIDENCE_REQUIRED, dispute).outcome == FAIL
    _photo(dispute, lead)
    assert run(CheckCode.EVIDENCE_REQUIRED, dispute).outcome == PASS
    assert run(CheckCode.EVIDENCE_REQUIRED, claim(seller)).outcome == NA


def test_the_same_file_in_another_sellers_dispute_fails(seller, lead):
    dispute = claim(seller, "return_damaged", order_id="O-1")
    assert run(CheckCode.EVIDENCE_REUSED, dispute).outcome == NA
    _photo(dispute, lead, seed=7)
    assert run(CheckCode.EVIDENCE_REUSED, dispute).outcome == PASS
    foreign = claim(SellerFactory(), "return_damaged", order_id="O-2")
    _photo(foreign, lead, seed=7)
    finding = run(CheckCode.EVIDENCE_REUSED, dispute)
    assert (finding.outcome, finding.record_ids) == (FAIL, [foreign.reference])


def test_the_same_file_in_two_other_disputes_of_the_seller_warns(seller, lead):
    disputes = [claim(seller, "return_damaged", order_id=f"O-{n}") for n in range(3)]
    for dispute in disputes:
        _photo(dispute, lead, seed=9)
    assert run(CheckCode.EVIDENCE_REUSED, disputes[0]).outcome == WARN


# --- seller_velocity ---------------------------------------------------------------------------


@pytest.mark.parametrize(("recent", "outcome"), [(1, PASS), (15, PASS), (16, WARN), (26, FAIL)])
def test_a_burst_of_disputes_against_the_sellers_baseline(seller, recent, outcome):
    for _ in range(recent):
        claim(seller)
    assert run(CheckCode.SELLER_VELOCITY, claim(seller)).outcome == outcome


# --- the report: proposal, root cause, route, errors --------------------------------------------


def test_the_proposal_pays_the_eligible_units_not_the_claimed_ones(seller):
    ledger(seller, "lost", 4)
    report = build_report(claim(seller, quantity=999), trigger="manual")
    run_ = report.run
    assert (run_.eligible_quantity, run_.unit_value, run_.amount, run_.rate) == (
        4,
        Decimal("10.00"),
        Decimal("40.00"),
        Decimal("1"),
    )
    assert "4 of 999 units eligible" in run_.explanation_text
    assert (run_.root_cause, run_.root_cause_detail) == (RootCause.WAREHOUSE_HANDLING, "")


def test_a_buyer_damaged_return_is_proposed_at_the_policy_rate(seller):
    ret(seller, disposition="customer_damaged", quantity=2)
    report = build_report(claim(seller, "return_damaged", order_id="O-1", quantity=2), trigger="x")
    assert (report.run.amount, report.run.rate) == (Decimal("10.00"), Decimal("0.50"))
    assert report.run.root_cause == RootCause.BUYER_RETURN_ABUSE


def test_reused_evidence_routes_to_fraud_review_and_an_at_risk_seller_goes_first(seller, lead):
    seller.health_state = HealthState.AT_RISK
    seller.save()
    foreign = claim(SellerFactory(), "return_damaged", order_id="O-5")
    _photo(foreign, lead, seed=3)
    dispute = claim(seller, "return_damaged", order_id="O-6")
    _photo(dispute, lead, seed=3)
    report = build_report(dispute, trigger="x")
    assert (report.queue, report.priority) == ("fraud-review", Priority.HIGH)


def test_a_check_that_breaks_records_an_error_and_the_others_still_run(seller, monkeypatch):
    def broken(claim):
        raise RuntimeError("boom")

    monkeypatch.setitem(check_rules.CHECKS, CheckCode.DUPLICATE_CLAIM, broken)
    report = build_report(claim(seller), trigger="x")
    assert report.findings[CheckCode.DUPLICATE_CLAIM].outcome == CheckOutcome.ERROR
    assert report.findings[CheckCode.FILING_WINDOW].outcome == PASS


# --- when the checks run ------------------------------------------------------------------------


def test_intake_opens_a_filed_case_with_its_first_report(
    seller, django_capture_on_commit_callbacks
):
    ledger(seller, "lost", 2)
    user = MembershipFactory(seller=seller).user
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.submit_dispute(
            seller=seller,
            submitted_by=user,
            claim_type="warehouse_lost",
            fields={
                "sku": "SKU-1",
                "quantity": 5,
                "fulfillment_center": "PHX7",
                "event_date": days_ago(5),
            },
        )
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.OPEN
    assert (stored.eligible_quantity, stored.latest_check_run.trigger) == (2, "submitted")
    assert stored.failed_checks == 0
    assert CheckResult.objects.filter(run=stored.latest_check_run).count() == len(CHECKS)
    event = CaseEvent.objects.get(dispute=dispute, kind=CaseEvent.Kind.CHECKS_COMPLETED)
    assert (event.data["queue"], event.data["eligible_quantity"]) == ("inventory", 2)


def test_a_found_event_imported_later_re_runs_the_checks_of_the_open_case(
    seller, specialist, django_capture_on_commit_callbacks
):
    ledger(seller, "lost", 3)
    dispute = claim(seller, quantity=3, assignee=specialist)
    services.recheck_dispute(dispute=dispute, trigger="manual", by=specialist)
    assert Dispute.objects.get(pk=dispute.pk).eligible_quantity == 3
    row = {
        "record_id": "WMS-FOUND-1",
        "seller_id": seller.seller_id,
        "event_date": days_ago(1).isoformat(),
        "sku": "SKU-1",
        "fulfillment_center": "PHX7",
        "event_type": "found",
        "quantity": 2,
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_records(kind="ledger", rows=[row])
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.eligible_quantity == 1
    assert stored.latest_check_run.trigger == CheckRun.Trigger.RECORDS
    assert CheckRun.objects.filter(dispute=dispute).count() == 2  # the first stays for audit
    event = CaseEvent.objects.filter(dispute=dispute).latest("id")
    assert (event.kind, event.data["eligible_quantity"]) == (CaseEvent.Kind.CHECKS_RUN, 1)


def test_an_import_of_many_records_queues_one_recheck_per_case(
    seller, specialist, django_capture_on_commit_callbacks
):
    dispute = claim(seller, quantity=3, assignee=specialist)
    claim(seller, quantity=1, assignee=specialist, sku="SKU-OTHER")  # not touched
    rows = [
        {
            "record_id": f"WMS-{n}",
            "seller_id": seller.seller_id,
            "event_date": days_ago(2).isoformat(),
            "sku": "SKU-1",
            "fulfillment_center": "PHX7",
            "event_type": "lost",
            "quantity": 1,
        }
        for n in range(50)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_records(kind="ledger", rows=rows)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        import_records(kind="ledger", rows=[{**rows[0], "record_id": "WMS-X"}])
    assert Dispute.objects.get(pk=dispute.pk).eligible_quantity == 3


def test_finished_and_filed_cases_are_not_rechecked(seller):
    for status in (Status.CLOSED, Status.SUBMITTED):
        assert (
            services.recheck_dispute(dispute=in_status(status, seller=seller), trigger="x") is None
        )


# --- the decision starts from the proposal ------------------------------------------------------


def test_a_decision_keeps_the_suggested_root_cause_unless_corrected(seller, specialist):
    ledger(seller, "lost", 2)
    first = claim(seller, quantity=2, assignee=specialist)
    services.recheck_dispute(dispute=first, trigger="manual", by=specialist)
    decision = services.decide_dispute(
        dispute=first,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    assert decision.root_cause == RootCause.WAREHOUSE_HANDLING
    second = claim(seller, quantity=1, assignee=specialist, sku="SKU-1", fulfillment_center="X")
    decision = services.decide_dispute(
        dispute=second,
        by=specialist,
        outcome="denied",
        reason_code="seller_responsible",
        root_cause=RootCause.SELLER_PREP,
    )
    assert decision.root_cause == RootCause.SELLER_PREP


def test_paying_more_than_the_proposal_waits_for_a_team_lead_whatever_the_amount(
    seller, specialist
):
    dispute = claim(seller, quantity=2, assignee=specialist)
    services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
        amount=Decimal("25.00"),  # the policy proposes 20.00
        amount_change_reason="Invoice shows 12.50 a unit",
    )
    reimbursement = Reimbursement.objects.get(dispute=dispute)
    assert reimbursement.status == Reimbursement.Status.PENDING_APPROVAL


def test_a_warehouse_claim_without_a_date_counts_its_window_from_the_ledger(seller):
    record = ledger(seller, "lost", 2, days=80)
    finding = run(
        CheckCode.FILING_WINDOW, claim(seller, event_date=None, fulfillment_center="PHX7")
    )
    assert (finding.outcome, finding.record_ids) == (FAIL, [record.record_id])


def test_two_live_claims_for_the_same_sku_and_centre_are_duplicates(seller):
    first = claim(seller, fulfillment_center="PHX7", event_date=None)
    second = claim(seller, fulfillment_center="PHX7", event_date=days_ago(3))
    elsewhere = claim(seller, fulfillment_center="LGB8", event_date=days_ago(3))
    assert run(CheckCode.DUPLICATE_CLAIM, second).record_ids == [first.reference]
    assert run(CheckCode.DUPLICATE_CLAIM, elsewhere).outcome == PASS


def test_first_decisions_keep_the_sellers_claim_quality_score(seller, specialist, specialist2):
    for outcome, reason in (("denied", "insufficient_evidence"), ("approved", "other")):
        dispute = claim(seller, "order_defect_appeal", assignee=specialist, quantity=None)
        services.decide_dispute(dispute=dispute, by=specialist, outcome=outcome, reason_code=reason)
    seller.refresh_from_db()
    assert (seller.claims_decided, seller.claims_denied, seller.denied_share) == (2, 1, 0.5)


def test_a_seller_whose_claims_are_mostly_invalid_gets_a_velocity_warning(seller):
    seller.claims_decided, seller.claims_denied = 20, 15
    seller.save()
    finding = run(CheckCode.SELLER_VELOCITY, claim(seller))
    assert (finding.outcome, finding.params["denied"]) == (WARN, 75)


# --- photos: when they were taken, and the same picture re-saved -------------------------------


def jpeg(*, taken: str = "", quality: int = 90, size: int = 96) -> SimpleUploadedFile:
    """A real JPEG with a pattern (and an EXIF date when given), made with Pillow."""
    image = Image.new("RGB", (size, size))
    image.putdata(
        [
            ((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256)
            for y in range(size)
            for x in range(size)
        ]
    )
    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif)
    return SimpleUploadedFile(f"photo-{quality}-{taken[:10]}.jpg", buffer.getvalue(), "image/jpeg")


def _attach(dispute, by, upload):
    return attach_evidence(dispute=dispute, uploaded_by=by, upload=upload, kind="photo")


@pytest.mark.parametrize(
    ("taken_days_before_filing", "outcome"), [(2, PASS), (-3, FAIL), (60, WARN), (None, NA)]
)
def test_photo_dates_against_the_incident_and_the_filing(
    seller, lead, taken_days_before_filing, outcome
):
    dispute = claim(seller, "return_damaged", order_id="O-1", event_date=days_ago(5))
    taken = ""
    if taken_days_before_filing is not None:
        when = timezone.now() - timedelta(days=taken_days_before_filing)
        taken = when.strftime("%Y:%m:%d %H:%M:%S")
    evidence = _attach(dispute, lead, jpeg(taken=taken))
    assert (evidence.taken_at is not None) == bool(taken)
    assert run(CheckCode.PHOTO_DATES, dispute).outcome == outcome


def test_the_same_picture_saved_again_is_found_in_another_sellers_dispute(seller, lead):
    foreign = claim(SellerFactory(), "return_damaged", order_id="O-7")
    _attach(foreign, lead, jpeg(quality=95))
    dispute = claim(seller, "return_damaged", order_id="O-8")
    copy = _attach(dispute, lead, jpeg(quality=70))
    assert copy.sha256 != foreign.evidence.get().sha256  # not the same file …
    finding = run(CheckCode.EVIDENCE_REUSED, dispute)  # … but the same picture
    assert (finding.outcome, finding.record_ids) == (FAIL, [foreign.reference])


# --- fee_table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight_g", "charged", "outcome", "refund"),
    [
        (400, "5.40", PASS, Decimal("4.36")),  # small standard (3.22) charged as large: 2 units
        (400, "3.22", FAIL, Decimal("0.00")),
        (5000, "5.40", FAIL, Decimal("0.00")),  # large standard, charged right
    ],
)
def test_a_fee_claim_is_compared_with_the_fee_table_for_the_measured_size(
    seller, weight_g, charged, outcome, refund
):
    Sku.objects.filter(seller=seller, sku="SKU-1").update(
        length_cm=Decimal("30.0"),
        width_cm=Decimal("20.0"),
        height_cm=Decimal("5.0"),
        weight_g=weight_g,
    )
    dispute = claim(seller, "fee_overcharge", amount=Decimal(charged), quantity=2)
    report = build_report(dispute, trigger="x")
    assert report.findings[CheckCode.FEE_TABLE].outcome == outcome
    assert report.run.amount == refund


def test_a_fee_claim_without_measurements_is_compared_by_hand(seller):
    finding = run(CheckCode.FEE_TABLE, claim(seller, "fee_overcharge", amount=Decimal("5")))
    assert finding.outcome == WARN


def test_an_approval_that_would_pay_nothing_is_refused_with_a_reason(specialist):
    seller = SellerFactory()  # no catalog: no unit value, so no amount can be proposed
    dispute = claim(seller, quantity=2, assignee=specialist)
    with pytest.raises(InvalidInput) as refused:
        services.decide_dispute(
            dispute=dispute,
            by=specialist,
            outcome="approved",
            reason_code="records_confirm_loss",
            approved_quantity=2,
        )
    assert "amount" in refused.value.fields
    assert Dispute.objects.get(pk=dispute.pk).status == Status.IN_REVIEW
    appeal = claim(seller, "order_defect_appeal", quantity=None, assignee=specialist)
    services.decide_dispute(
        dispute=appeal, by=specialist, outcome="approved", reason_code="defect_removed"
    )  # a defect removed pays nothing, and that is right


def test_a_seller_whose_claims_are_mostly_invalid_goes_to_senior_review(seller):
    seller.claims_decided, seller.claims_denied = 12, 9
    seller.save()
    assert build_report(claim(seller), trigger="x").queue == "senior-review"


def test_flat_pictures_are_not_called_the_same_picture(seller, lead):
    """Blank or one-colour images all hash alike; only their bytes can match."""
    flat = [_png_flat((200, 0, 0)), _png_flat((0, 0, 200))]
    foreign = claim(SellerFactory(), "return_damaged", order_id="O-3")
    _attach(foreign, lead, flat[0])
    dispute = claim(seller, "return_damaged", order_id="O-4")
    evidence = _attach(dispute, lead, flat[1])
    assert evidence.perceptual_hash == ""
    assert run(CheckCode.EVIDENCE_REUSED, dispute).outcome == PASS


def _png_flat(colour) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return SimpleUploadedFile(f"flat-{colour[0]}.png", buffer.getvalue(), "image/png")
