"""The status machine: move_status accepts exactly the pairs in ALLOWED and nothing else."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import F

from core.errors import Conflict, TransitionNotAllowed
from disputes.case import move_status
from disputes.models import CaseEvent, Dispute
from disputes.status import ALLOWED, Status
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Status, Status))
ALLOWED_PAIRS = [(src, dst) for src, dst in ALL_PAIRS if dst in ALLOWED[src]]
REFUSED_PAIRS = [(src, dst) for src, dst in ALL_PAIRS if dst not in ALLOWED[src]]


def _pair_id(pair) -> str:
    return f"{pair[0].value}->{pair[1].value}"


# The design's status machine, written out: a change to ALLOWED must change this too.
S = Status
DESIGNED = {
    S.SUBMITTED: {S.OPEN, S.WITHDRAWN, S.MERGED},
    S.OPEN: {S.IN_REVIEW, S.WITHDRAWN, S.MERGED},
    S.IN_REVIEW: {S.AWAITING_SELLER, S.ESCALATED, S.DECIDED, S.WITHDRAWN, S.MERGED},
    S.AWAITING_SELLER: {S.IN_REVIEW, S.CLOSED, S.WITHDRAWN},
    S.ESCALATED: {S.IN_REVIEW, S.WITHDRAWN},
    S.DECIDED: {S.CLOSED, S.APPEALED},
    S.APPEALED: {S.IN_REVIEW},
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
    S.MERGED: set(),
}


def test_the_table_is_the_designed_status_machine():
    assert {status: set(targets) for status, targets in ALLOWED.items()} == DESIGNED


def test_the_table_covers_every_status_and_the_pairs_split_cleanly():
    assert set(ALLOWED) == set(Status)
    assert len(ALLOWED_PAIRS) + len(REFUSED_PAIRS) == len(Status) ** 2
    # Nothing leaves a terminal status, and no status moves to itself.
    for status in (Status.CLOSED, Status.WITHDRAWN, Status.MERGED):
        assert ALLOWED[status] == frozenset()
    assert all(src != dst for src, dst in ALLOWED_PAIRS)


@pytest.mark.parametrize(("src", "dst"), ALLOWED_PAIRS, ids=[_pair_id(p) for p in ALLOWED_PAIRS])
def test_move_status_accepts_an_allowed_pair(src, dst, specialist):
    dispute = DisputeFactory(status=src)
    version = dispute.version

    event = move_status(dispute, to=dst, by=specialist, action="Testing")

    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == dst
    assert stored.version == version + 1
    assert dispute.status == dst and dispute.version == version + 1
    assert list(
        CaseEvent.objects.filter(dispute=dispute).values_list(
            "from_status", "to_status", "actor_id", "kind"
        )
    ) == [(src.value, dst.value, specialist.pk, CaseEvent.Kind.STATUS_CHANGED)]
    assert event.pk is not None


@pytest.mark.parametrize(("src", "dst"), REFUSED_PAIRS, ids=[_pair_id(p) for p in REFUSED_PAIRS])
def test_move_status_refuses_a_pair_not_in_the_table_and_writes_nothing(src, dst, specialist):
    dispute = DisputeFactory(status=src)
    version = dispute.version

    with pytest.raises(TransitionNotAllowed) as refused:
        move_status(dispute, to=dst, by=specialist, action="Testing")

    assert refused.value.http_status == 409
    assert refused.value.code == "transition_not_allowed"
    assert str(src.label) in refused.value.message
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.version) == (src, version)
    assert (dispute.status, dispute.version) == (src, version)
    assert CaseEvent.objects.filter(dispute=dispute).count() == 0


def test_a_stale_copy_gets_a_conflict_and_changes_nothing(specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW)
    stale = Dispute.objects.get(pk=dispute.pk)
    Dispute.objects.filter(pk=dispute.pk).update(version=F("version") + 1)

    with pytest.raises(Conflict) as conflict:
        move_status(stale, to=Status.DECIDED, by=specialist, action="Deciding")

    assert conflict.value.http_status == 409
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.IN_REVIEW
    assert stored.version == dispute.version + 1
    assert CaseEvent.objects.filter(dispute=dispute).count() == 0


def test_a_copy_whose_status_moved_behind_its_back_gets_a_conflict(specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW)
    stale = Dispute.objects.get(pk=dispute.pk)
    move_status(dispute, to=Status.ESCALATED, by=specialist, action="Escalating")

    with pytest.raises(Conflict):
        move_status(stale, to=Status.DECIDED, by=specialist, action="Deciding")

    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.ESCALATED
    assert list(CaseEvent.objects.filter(dispute=dispute).values_list("to_status", flat=True)) == [
        Status.ESCALATED.value
    ]
