"""Finance pays approved payouts in batches (idempotently, once); goods that turn up after a
payout open one pending reversal that a specialist completes or cancels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from core.errors import Conflict, InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services as dispute_services
from disputes.models import CaseEvent, Notification
from disputes.notifications import send_notification
from evidence.services import import_records
from reimbursements.models import PayoutBatch, PayoutSource, Reimbursement, Reversal
from reimbursements.selectors import paid_on_case
from reimbursements.services import (
    cancel_reversal,
    complete_reversal,
    create_payout_batch,
    mark_batch_paid,
    revise_reimbursement,
)
from tests.factories import StaffFactory
from tests.reimbursements.common import dispute_for

pytestmark = pytest.mark.django_db
R = Reimbursement.Status


@pytest.fixture
def finance(db):
    return StaffFactory(username="finance", role="Finance")


def _paying(specialist, *, claim_type="warehouse_lost", units=3, **fields):
    dispute = dispute_for(currency="USD", value="10.00", quantity=units, assignee=specialist)
    dispute.claim_type = claim_type
    for name, value in fields.items():
        setattr(dispute, name, value)
    dispute.save()
    dispute_services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=units,
    )
    return Reimbursement.objects.get(dispute=dispute)


# --- payout batches -----------------------------------------------------------------------------


def test_finance_batches_the_approved_payouts_and_marks_them_paid_once(specialist, finance):
    first, second = _paying(specialist), _paying(specialist)
    batch, created = create_payout_batch(by=finance, currency="USD", idempotency_key="k-1")
    assert (batch.item_count, batch.total, created) == (2, Decimal("60.00"), True)
    assert create_payout_batch(by=finance, currency="USD", idempotency_key="k-1") == (batch, False)

    paid = mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-77")
    assert (paid.status, paid.payment_reference) == (PayoutBatch.Status.PAID, "BANK-77")
    for payout in (first, second):
        payout.refresh_from_db()
        assert (payout.status, payout.batch) == (R.PAID, batch)
        assert payout.paid_at == paid.paid_at
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.REIMBURSEMENT_PAID)
    assert events.count() == 2

    again = mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-77")
    assert again.paid_at == paid.paid_at
    assert events.count() == 2
    assert Notification.objects.filter(kind="reimbursed").count() == 2
    with pytest.raises(Conflict):
        mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-78")


def test_a_batch_needs_something_to_pay_and_a_finance_user(specialist, finance, lead):
    with pytest.raises(InvalidInput):
        create_payout_batch(by=finance, currency="USD")
    _paying(specialist)
    with pytest.raises(NotAllowed):
        create_payout_batch(by=lead, currency="USD")
    assert create_payout_batch(by=finance, currency="USD")[0].item_count == 1
    with pytest.raises(InvalidInput):  # every approved payout is in a batch now
        create_payout_batch(by=finance, currency="USD")


def test_a_paid_payout_cannot_change(specialist, finance):
    payout = _paying(specialist)
    batch, _created = create_payout_batch(by=finance, currency="USD")
    mark_batch_paid(batch=batch, by=finance, payment_reference="BANK-1")
    payout.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        revise_reimbursement(reimbursement=payout, by=specialist, amount="1.00", reason="x")
    assert Reimbursement.objects.get(pk=payout.pk).amount == Decimal("30.00")


# --- the reversal watch -------------------------------------------------------------------------


def _found(payout, *, record_id="L-FOUND-1", quantity=2):
    return import_records(
        kind="ledger",
        rows=[
            {
                "record_id": record_id,
                "seller_id": payout.seller.seller_id,
                "event_date": date.today().isoformat(),
                "sku": payout.sku,
                "fulfillment_center": "PHX7",
                "event_type": "found",
                "quantity": quantity,
            }
        ],
    )


def test_units_found_after_a_payout_open_exactly_one_pending_reversal(specialist):
    payout = _paying(specialist)
    _found(payout)
    _found(payout)  # the same file imported again

    reversal = Reversal.objects.get()
    assert (reversal.status, reversal.quantity, reversal.amount, reversal.record_id) == (
        Reversal.Status.PENDING,
        2,
        Decimal("-20.00"),
        "L-FOUND-1",
    )
    assert reversal.reimbursement == payout
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REVERSAL_OPENED).count() == 1
    # A pending reversal holds the case open; it does not count as money back yet.
    assert paid_on_case(dispute=payout.dispute).amount == Decimal("30.00")


def test_more_units_found_than_were_paid_reverse_only_what_was_paid(specialist):
    payout = _paying(specialist, units=2)
    _found(payout, quantity=5)
    assert Reversal.objects.get().quantity == 2


def test_a_return_received_after_a_not_received_payout_opens_a_reversal(specialist):
    payout = _paying(specialist, claim_type="return_not_received", order_id="111-2")
    import_records(
        kind="returns",
        rows=[
            {
                "record_id": "RET-9",
                "seller_id": payout.seller.seller_id,
                "order_id": "111-2",
                "sku": payout.sku,
                "quantity": 1,
                "refund_date": "2026-11-01",
                "received_date": "2026-11-20",
                "disposition": "sellable",
            }
        ],
    )
    reversal = Reversal.objects.get()
    assert (reversal.quantity, reversal.amount, reversal.record_kind) == (
        1,
        Decimal("-10.00"),
        "returns",
    )


def test_completing_a_reversal_takes_the_money_back_and_tells_the_seller(specialist):
    payout = _paying(specialist)
    _found(payout)
    reversal = complete_reversal(reversal=Reversal.objects.get(), by=specialist)

    assert reversal.status == Reversal.Status.COMPLETED
    assert paid_on_case(dispute=payout.dispute).amount == Decimal("10.00")
    assert PayoutSource.objects.get(key=payout.source_key).units_paid == 1
    notification = Notification.objects.get(kind="reversed")
    send_notification(notification_id=notification.pk)
    assert reversal.reference in mail.outbox[-1].body
    assert "-20.00 USD" in mail.outbox[-1].body
    with pytest.raises(TransitionNotAllowed):
        complete_reversal(reversal=reversal, by=specialist)


def test_a_reversal_is_cancelled_only_with_a_reason(specialist, qa):
    payout = _paying(specialist)
    _found(payout)
    reversal = Reversal.objects.get()
    with pytest.raises(InvalidInput):
        cancel_reversal(reversal=reversal, by=specialist, reason=" ")
    with pytest.raises(NotAllowed):
        cancel_reversal(reversal=reversal, by=qa, reason="Another batch")
    cancelled = cancel_reversal(reversal=reversal, by=specialist, reason="Another batch")
    assert (cancelled.status, cancelled.cancel_reason) == (
        Reversal.Status.CANCELLED,
        "Another batch",
    )
    assert paid_on_case(dispute=payout.dispute).amount == Decimal("30.00")


def test_a_pending_reversal_holds_the_case_open(specialist, lead):
    payout = _paying(specialist)
    _found(payout)
    with pytest.raises(TransitionNotAllowed):
        dispute_services.close_dispute(dispute=payout.dispute, by=lead, reason="done")
