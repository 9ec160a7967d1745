"""Filing a dispute: validation, idempotent submission, what is queued after commit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput, NotAllowed, Unprocessable
from disputes import services
from disputes.claim_types import CLAIM_TYPES
from disputes.models import (
    CaseEvent,
    Dispute,
    Notification,
    ReferenceSequence,
)
from disputes.notifications import message_id, send_notification
from disputes.status import Status
from tests.disputes.services.common import (
    last_event,
)
from tests.factories import SkuFactory, in_status

pytestmark = pytest.mark.django_db


# --- submit_dispute ----------------------------------------------------------------------------

VALID_FIELDS = {"sku": "MUG-1", "quantity": 4}
FUTURE = date.today() + timedelta(days=2)
LONG_AGO = date.today() - timedelta(days=200)


def _counts() -> tuple[int, int, int, int]:
    return (
        Dispute.objects.count(),
        CaseEvent.objects.count(),
        Notification.objects.count(),
        ReferenceSequence.objects.count(),
    )


def test_submit_dispute_files_a_submitted_dispute_with_an_event_by_the_seller(
    seller_a, seller_a_user
):
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields={"sku": " MUG-1 ", "quantity": "4", "description": "Crushed box"},
    )
    stored = Dispute.objects.get(pk=dispute.pk)
    assert stored.status == Status.SUBMITTED
    assert (stored.sku, stored.quantity, stored.currency) == ("MUG-1", 4, "USD")
    assert stored.created_by == seller_a_user
    event = last_event(dispute)
    assert (event.kind, event.actor, event.to_status) == (
        CaseEvent.Kind.SUBMITTED,
        seller_a_user,
        Status.SUBMITTED,
    )


@pytest.mark.parametrize("claim_type", sorted(CLAIM_TYPES))
def test_submit_dispute_names_every_missing_required_field_and_writes_nothing(
    claim_type, seller_a, seller_a_user
):
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        services.submit_dispute(
            seller=seller_a, submitted_by=seller_a_user, claim_type=claim_type, fields={}
        )
    assert refused.value.http_status == 400
    assert set(refused.value.fields) == set(CLAIM_TYPES[claim_type].required_fields)
    assert _counts() == before


@pytest.mark.parametrize(
    ("claim_type", "fields", "bad"),
    [
        ("warehouse_damaged", {**VALID_FIELDS, "colour": "red"}, {"colour"}),
        ("warehouse_damaged", {"sku": "MUG-1", "quantity": 0}, {"quantity"}),
        ("warehouse_damaged", {"sku": "MUG-1", "quantity": -3}, {"quantity"}),
        ("warehouse_damaged", {"sku": "MUG-1", "quantity": 5_000_000}, {"quantity"}),
        ("warehouse_damaged", {"sku": "MUG-1", "quantity": "many"}, {"quantity"}),
        ("warehouse_damaged", {**VALID_FIELDS, "event_date": FUTURE}, {"event_date"}),
        ("warehouse_damaged", {"sku": "NOT-OURS", "quantity": 1}, {"sku"}),
        ("fee_overcharge", {"sku": "MUG-1", "amount": "3.20", "currency": "EUR"}, {"currency"}),
        (
            "warehouse_damaged",
            {"sku": "MUG-1", "quantity": 0, "event_date": FUTURE, "colour": "red"},
            {"quantity", "event_date", "colour"},
        ),
        ("teleported_away", VALID_FIELDS, {"claim_type"}),
    ],
    ids=[
        "unknown-field",
        "quantity-zero",
        "quantity-negative",
        "quantity-absurd",
        "quantity-not-a-number",
        "event-date-in-future",
        "sku-not-in-catalog",
        "currency-mismatch",
        "several-at-once",
        "unknown-claim-type",
    ],
)
def test_submit_dispute_refuses_bad_fields_by_name_and_writes_nothing(
    claim_type, fields, bad, seller_a, seller_a_user
):
    SkuFactory(seller=seller_a, sku="MUG-1")
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        services.submit_dispute(
            seller=seller_a, submitted_by=seller_a_user, claim_type=claim_type, fields=fields
        )
    assert set(refused.value.fields) == bad
    assert all(refused.value.fields[name] for name in bad)
    assert _counts() == before


def test_submit_dispute_refuses_a_foreign_currency_even_without_an_amount(seller_a, seller_a_user):
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={**VALID_FIELDS, "currency": "EUR"},
        )
    assert set(refused.value.fields) == {"currency"}
    assert _counts() == before


def test_submit_dispute_refuses_a_seller_filing_for_another_seller(seller_b, seller_a_user):
    before = _counts()
    with pytest.raises(NotAllowed):
        services.submit_dispute(
            seller=seller_b,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=VALID_FIELDS,
        )
    assert _counts() == before


def test_staff_who_work_disputes_can_file_for_a_seller_but_qa_cannot(seller_a, specialist, qa):
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=specialist,
        claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
    )
    assert dispute.seller == seller_a
    with pytest.raises(NotAllowed):
        services.submit_dispute(
            seller=seller_a, submitted_by=qa, claim_type="warehouse_damaged", fields=VALID_FIELDS
        )


def test_submit_dispute_with_the_same_submission_key_returns_the_same_dispute(
    seller_a, seller_a_user, seller_b, seller_b_user
):
    first = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
        submission_key="form-123",
    )
    again = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
        submission_key="form-123",
    )
    assert again.pk == first.pk
    assert Dispute.objects.filter(seller=seller_a).count() == 1
    assert CaseEvent.objects.filter(dispute=first, kind=CaseEvent.Kind.SUBMITTED).count() == 1
    assert Notification.objects.filter(dispute=first).count() == 1
    # The key is the seller's own: another seller's identical key files their own dispute.
    theirs = services.submit_dispute(
        seller=seller_b,
        submitted_by=seller_b_user,
        claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
        submission_key="form-123",
    )
    assert theirs.pk != first.pk


def test_submit_dispute_runs_intake_and_sends_the_received_email_once_after_commit(
    seller_a, seller_a_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=VALID_FIELDS,
        )
        # Nothing happens before the transaction commits.
        assert Dispute.objects.get(pk=dispute.pk).status == Status.SUBMITTED
        assert mailoutbox == []
    # One message to the broker: the intake task sends the receipt too.
    assert len(callbacks) == 1
    dispute.refresh_from_db()
    assert dispute.status == Status.OPEN
    assert dispute.queue.slug == "inventory"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [seller_a.contact_email]
    assert mailoutbox[0].subject == f"We received your dispute {dispute.reference}"
    notification = Notification.objects.get(dispute=dispute)
    assert notification.sent_at is not None
    # A retried task finds the row sent and sends nothing.
    assert send_notification(notification_id=notification.pk) is False
    assert len(mailoutbox) == 1


def test_a_notification_task_run_twice_sends_once(
    seller_a, seller_a_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=VALID_FIELDS,
        )
    notification = Notification.objects.get(dispute=dispute, kind="received")
    assert notification.sent_at is None

    assert send_notification(notification_id=notification.pk) is True
    assert send_notification(notification_id=notification.pk) is False

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert (
        CaseEvent.objects.filter(dispute=dispute, kind=CaseEvent.Kind.NOTIFICATION_SENT).count()
        == 1
    )


# --- correct_claim -----------------------------------------------------------------------------


def test_correct_claim_writes_only_the_changed_fields_with_before_and_after(seller_a, admin_user):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, sku="MUG-1", quantity=2)
    # A service moved the case after the administrator opened the page: its status must stay.
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.AWAITING_SELLER, version=7)
    stale_page = Dispute.objects.get(pk=dispute.pk)
    stale_page.status = Status.IN_REVIEW
    services.correct_claim(dispute=stale_page, by=admin_user, changes={"quantity": 3})
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.quantity, stored.status, stored.version) == (3, Status.AWAITING_SELLER, 8)
    event = last_event(dispute)
    assert (event.kind, event.actor, event.data) == (
        CaseEvent.Kind.CLAIM_CORRECTED,
        admin_user,
        {"before": {"quantity": "2"}, "after": {"quantity": "3"}},
    )


def test_correct_claim_without_changes_writes_nothing(seller_a, admin_user):
    dispute = in_status(Status.OPEN, seller=seller_a)
    services.correct_claim(dispute=dispute, by=admin_user, changes={})
    assert Dispute.objects.get(pk=dispute.pk).version == dispute.version
    assert last_event(dispute) is None


def test_a_claim_outside_its_window_is_filed_with_a_warning_before_and_a_failed_check_after(
    seller_a, seller_a_user, django_capture_on_commit_callbacks
):
    """The seller may still file: the precheck warns, the specialist sees the failed check."""
    SkuFactory(seller=seller_a, sku="MUG-1")
    fields = {**VALID_FIELDS, "event_date": LONG_AGO}
    [warning] = services.precheck_filing(
        seller=seller_a, submitted_by=seller_a_user, claim_type="warehouse_damaged", fields=fields
    )
    assert (warning["code"], warning["field"]) == ("filing_window", "event_date")
    assert Dispute.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=fields,
        )
    stored = Dispute.objects.get(pk=dispute.pk)
    window = stored.latest_check_run.results.get(code="filing_window")
    assert (stored.status, window.result) == (Status.OPEN, "fail")


def test_the_same_submission_key_with_another_body_is_refused_with_422(seller_a, seller_a_user):
    first = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
        submission_key="retry-1",
    )
    with pytest.raises(Unprocessable) as refused:
        services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={**VALID_FIELDS, "quantity": 9},
            submission_key="retry-1",
        )
    assert refused.value.http_status == 422 and first.reference in refused.value.message
    assert Dispute.objects.filter(seller=seller_a).count() == 1


def test_long_submission_keys_are_kept_whole(seller_a, seller_a_user):
    shared = "k" * 80
    made = [
        services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=VALID_FIELDS,
            submission_key=shared + tail,
        )
        for tail in ("-first", "-second")
    ]
    assert made[0].pk != made[1].pk  # the same first 80 characters, two keys


def test_an_attempt_within_the_lease_is_not_sent_again_and_a_resend_keeps_its_message_id(
    seller_a, seller_a_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields=VALID_FIELDS,
        )
    notification = Notification.objects.get(dispute=dispute, kind="received")
    # A worker began sending a minute ago and died before recording it: the catch-up waits.
    Notification.objects.filter(pk=notification.pk).update(
        attempted_at=timezone.now() - timedelta(minutes=1)
    )
    assert send_notification(notification_id=notification.pk) is False
    assert mailoutbox == []
    # Once the lease has run out it is sent, recognisably the same e-mail.
    Notification.objects.filter(pk=notification.pk).update(
        attempted_at=timezone.now() - timedelta(hours=1)
    )
    assert send_notification(notification_id=notification.pk) is True
    assert mailoutbox[0].extra_headers["Message-ID"] == message_id(notification)


def test_a_send_that_fails_can_be_retried_at_once(seller_a, seller_a_user, monkeypatch):
    dispute = services.submit_dispute(
        seller=seller_a, submitted_by=seller_a_user, claim_type="warehouse_damaged",
        fields=VALID_FIELDS,
    )  # fmt: skip
    notification = Notification.objects.get(dispute=dispute, kind="received")
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)

    def refuse(self):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        send_notification(notification_id=notification.pk)
    assert Notification.objects.get(pk=notification.pk).attempted_at is None
