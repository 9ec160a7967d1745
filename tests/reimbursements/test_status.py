"""The reimbursement status machine: one transition table, changed only with compare-and-set."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from core.errors import Conflict, TransitionNotAllowed
from reimbursements.models import PayoutBatch, Reimbursement
from reimbursements.services import _move
from reimbursements.status import ALLOWED, ReimbursementStatus
from tests.reimbursements.common import decide_paying

pytestmark = pytest.mark.django_db

R = ReimbursementStatus
# The life of a payout, written out: a change to ALLOWED must change this too.
DESIGNED = {
    R.PENDING_APPROVAL: {R.APPROVED, R.REJECTED},
    R.REJECTED: {R.PENDING_APPROVAL},
    R.APPROVED: {R.PAID},
    R.PAID: set(),
}
PAIRS = list(itertools.product(R, R))


def test_the_table_is_the_designed_one():
    assert {status: set(targets) for status, targets in ALLOWED.items()} == DESIGNED


@pytest.fixture
def reimbursement(lead):
    return decide_paying(currency="USD", value="10.00", units=1, by=lead)


@pytest.fixture
def paid_fields(lead):
    """What a paid payout carries (the database refuses `paid` without them)."""
    batch = PayoutBatch.objects.create(
        reference="PAY-T", currency="USD", status="open", item_count=1, total=0, created_by=lead
    )
    return {"batch": batch, "paid_at": timezone.now()}


@pytest.mark.parametrize("src,dst", PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_a_move_happens_exactly_when_the_table_allows_it(src, dst, reimbursement, paid_fields):
    extra = paid_fields if src == R.PAID else {}
    Reimbursement.objects.filter(pk=reimbursement.pk).update(status=src, **extra)
    reimbursement.status = src
    if dst in ALLOWED[src]:
        _move(reimbursement, to=dst, **(paid_fields if dst == R.PAID else {}))
        assert Reimbursement.objects.get(pk=reimbursement.pk).status == dst
    else:
        with pytest.raises(TransitionNotAllowed):
            _move(reimbursement, to=dst)
        assert Reimbursement.objects.get(pk=reimbursement.pk).status == src


def test_a_move_from_a_status_someone_else_changed_meanwhile_is_a_conflict(reimbursement):
    Reimbursement.objects.filter(pk=reimbursement.pk).update(status=R.PENDING_APPROVAL)
    reimbursement.status = R.PENDING_APPROVAL
    Reimbursement.objects.filter(pk=reimbursement.pk).update(status=R.REJECTED)  # another lead
    with pytest.raises(Conflict):
        _move(reimbursement, to=R.APPROVED)
    assert Reimbursement.objects.get(pk=reimbursement.pk).status == R.REJECTED
