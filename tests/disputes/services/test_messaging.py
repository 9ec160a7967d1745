"""Messages on a case: replies, notes, requests for information, the seller's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import InvalidInput, NotAllowed, TransitionNotAllowed
from disputes import services
from disputes.models import (
    CaseEvent,
    Dispute,
    Message,
)
from disputes.status import Status
from evidence.models import EvidenceFile
from tests.disputes.services.common import (
    ALL,
    MONDAY_9,
    TERMINAL,
    decide,
    ids,
    last_event,
    others,
    snapshot,
)
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db


# --- reply_to_seller ---------------------------------------------------------------------------

REPLY_ALLOWED = [
    Status.OPEN,
    Status.IN_REVIEW,
    Status.AWAITING_SELLER,
    Status.ESCALATED,
    Status.DECIDED,
    Status.APPEALED,
]


@pytest.mark.parametrize("status", REPLY_ALLOWED, ids=ids(REPLY_ALLOWED))
def test_reply_to_seller_adds_a_public_message_and_keeps_the_status(status, case, lead):
    dispute = case(status)
    message = services.reply_to_seller(dispute=dispute, by=lead, body="We are looking at it.")
    assert (message.side, message.visibility, message.author) == (
        Message.Side.STAFF,
        Message.Visibility.PUBLIC,
        lead,
    )
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == status
    assert stored.version == dispute.version
    event = last_event(dispute)
    assert (event.kind, event.actor, event.data["message"]) == (
        CaseEvent.Kind.REPLIED,
        lead,
        message.pk,
    )


@pytest.mark.parametrize("status", others(*REPLY_ALLOWED), ids=ids(others(*REPLY_ALLOWED)))
def test_reply_to_seller_refuses_a_submitted_or_finished_dispute(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.reply_to_seller(dispute=dispute, by=lead, body="Hello")
    assert snapshot(dispute) == before


def test_the_first_reply_sets_first_responded_at_and_later_ones_keep_it(
    case, specialist, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.IN_REVIEW)
    services.reply_to_seller(dispute=dispute, by=specialist, body="First")
    time_machine.move_to(MONDAY_9 + timedelta(hours=2), tick=False)
    services.reply_to_seller(dispute=dispute, by=specialist, body="Second")
    assert Dispute.objects.get(pk=dispute.pk).first_responded_at == MONDAY_9


def test_reply_to_seller_refuses_an_empty_body(case, specialist):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    with pytest.raises(InvalidInput) as refused:
        services.reply_to_seller(dispute=dispute, by=specialist, body="   ")
    assert set(refused.value.fields) == {"body"}
    assert snapshot(dispute) == before


# --- add_internal_note -------------------------------------------------------------------------


@pytest.mark.parametrize("status", ALL, ids=ids(ALL))
@pytest.mark.parametrize("actor", ["specialist2", "qa"])
def test_staff_and_qa_add_internal_notes_in_any_status(status, actor, request, case):
    by = request.getfixturevalue(actor)
    dispute = case(status)
    note = services.add_internal_note(dispute=dispute, by=by, body="Bin A-12 was recounted.")
    assert note.visibility == Message.Visibility.INTERNAL
    assert Dispute.objects.get(pk=dispute.pk).status == status
    event = last_event(dispute)
    assert (event.kind, event.actor) == (CaseEvent.Kind.NOTE_ADDED, by)


def test_a_qa_reviewer_can_note_but_not_decide(case, qa):
    dispute = case(Status.IN_REVIEW)
    services.add_internal_note(dispute=dispute, by=qa, body="Check the scan.")
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        decide(dispute, qa)
    assert snapshot(dispute) == before


def test_a_seller_cannot_write_internal_notes(case, seller_a_user):
    dispute = case(Status.IN_REVIEW)
    before = snapshot(dispute)
    with pytest.raises(NotAllowed):
        services.add_internal_note(dispute=dispute, by=seller_a_user, body="Let me in")
    assert snapshot(dispute) == before


# --- request_information and the paused clock --------------------------------------------------


def test_request_information_waits_for_the_seller_and_emails_them(
    case, specialist, time_machine, django_capture_on_commit_callbacks, mailoutbox
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.request_information(
            dispute=dispute, by=specialist, body="Photos, please."
        )
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.AWAITING_SELLER
    assert stored.seller_response_due_at == MONDAY_9 + timedelta(days=14)
    assert stored.sla_paused_at == MONDAY_9
    assert stored.first_responded_at == MONDAY_9
    assert message.visibility == Message.Visibility.PUBLIC
    event = (
        CaseEvent.objects.filter(dispute=dispute)
        .exclude(kind=CaseEvent.Kind.NOTIFICATION_SENT)
        .last()
    )
    assert (event.kind, event.actor, event.to_status) == (
        CaseEvent.Kind.INFO_REQUESTED,
        specialist,
        Status.AWAITING_SELLER,
    )
    assert [m.subject for m in mailoutbox] == [
        f"Information needed for dispute {dispute.reference}"
    ]


@pytest.mark.parametrize("status", others(Status.IN_REVIEW), ids=ids(others(Status.IN_REVIEW)))
def test_request_information_refuses_a_case_not_in_review(status, case, lead):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed):
        services.request_information(dispute=dispute, by=lead, body="Photos, please.")
    assert snapshot(dispute) == before


def test_the_clock_pauses_while_awaiting_the_seller_and_resumes_shifted_by_the_wait(
    case, specialist, seller_a_user, time_machine
):
    time_machine.move_to(MONDAY_9, tick=False)
    dispute = case(Status.SUBMITTED)
    services.complete_intake(dispute=dispute)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    resolution_due = Dispute.objects.get(pk=dispute.pk).resolution_due_at
    assert resolution_due == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # Thursday 09:00

    asked_at = MONDAY_9 + timedelta(hours=1)
    time_machine.move_to(asked_at, tick=False)
    services.request_information(dispute=dispute, by=specialist, body="Photos, please.")
    paused = Dispute.objects.get(pk=dispute.pk)
    assert paused.sla_paused_at == asked_at
    assert paused.sla_next_deadline_at is None
    assert paused.first_responded_at == asked_at

    answered_at = asked_at + timedelta(days=1)  # Tuesday 10:00: a full working day later
    time_machine.move_to(answered_at, tick=False)
    services.post_seller_message(dispute=dispute, by=seller_a_user, body="Attached.")
    resumed = Dispute.objects.get(pk=dispute.pk)
    assert resumed.status == Status.IN_REVIEW
    assert resumed.sla_paused_at is None
    assert resumed.resolution_due_at == resolution_due + (answered_at - asked_at)
    # The seller's message starts the next-response clock: 480 business minutes.
    assert resumed.next_response_due_at == answered_at + timedelta(hours=8)
    assert resumed.sla_next_deadline_at == resumed.next_response_due_at


# --- post_seller_message -----------------------------------------------------------------------

SELLER_MESSAGE_ALLOWED = others(*TERMINAL)


def test_a_seller_answering_a_request_puts_the_case_back_in_review(case, seller_a_user):
    dispute = case(Status.AWAITING_SELLER)
    message = services.post_seller_message(dispute=dispute, by=seller_a_user, body="Attached.")
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.seller_response_due_at) == (Status.IN_REVIEW, None)
    assert message.side == Message.Side.SELLER
    event = last_event(dispute)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        CaseEvent.Kind.SELLER_RESPONDED,
        seller_a_user,
        Status.AWAITING_SELLER,
        Status.IN_REVIEW,
    )


STILL = [s for s in SELLER_MESSAGE_ALLOWED if s != Status.AWAITING_SELLER]


@pytest.mark.parametrize("status", STILL, ids=ids(STILL))
def test_a_seller_message_keeps_the_status_when_nothing_was_asked(status, case, seller_a_user):
    dispute = case(status)
    services.post_seller_message(dispute=dispute, by=seller_a_user, body="Any news?")
    assert Dispute.objects.get(pk=dispute.pk).status == status
    event = last_event(dispute)
    assert (event.kind, event.actor) == (CaseEvent.Kind.SELLER_MESSAGE, seller_a_user)


@pytest.mark.parametrize("status", TERMINAL, ids=ids(TERMINAL))
def test_post_seller_message_refuses_a_finished_dispute(status, case, seller_a_user):
    dispute = case(status)
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.post_seller_message(dispute=dispute, by=seller_a_user, body="Hello?")
    assert refused.value.code == "dispute_closed"
    assert snapshot(dispute) == before


# --- reply_with_evidence -----------------------------------------------------------------------


def _photo(seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"box-{seed}.png", png_bytes(seed), content_type="image/png")


def test_a_seller_answer_with_files_stores_the_files_then_the_message(case, seller_a_user):
    dispute = case(Status.AWAITING_SELLER)
    services.reply_with_evidence(
        dispute=dispute,
        by=seller_a_user,
        body="Photos attached.",
        uploads=[_photo(1), _photo(2)],
        evidence_kind="photo",
    )
    assert Dispute.objects.get(pk=dispute.pk).status == Status.IN_REVIEW
    assert EvidenceFile.objects.filter(dispute=dispute, kind="photo").count() == 2
    kinds = list(CaseEvent.objects.filter(dispute=dispute).values_list("kind", flat=True))
    assert kinds == ["evidence_added", "evidence_added", "seller_responded"]


def test_a_refused_answer_keeps_neither_the_files_nor_their_rows(case, seller_a_user, settings):
    dispute = case(Status.AWAITING_SELLER)
    with pytest.raises(InvalidInput):
        services.reply_with_evidence(
            dispute=dispute, by=seller_a_user, body="   ", uploads=[_photo(3)], evidence_kind=""
        )
    assert not EvidenceFile.objects.filter(dispute=dispute).exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]
