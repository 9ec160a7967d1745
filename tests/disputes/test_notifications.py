"""E-mails about a case: each links to the case's page (absolute, from SITE_URL) and carries what
the specialist wrote (the reply, the request, the decision's explanation, the closing reason)
as written: plain text, never HTML-escaped, in the seller's language."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import Notification
from disputes.notifications import (
    message_id,
    queue_notification,
    queue_staff_notification,
    send_notification,
)
from disputes.status import Status
from evidence.services import import_records
from reimbursements.models import Reimbursement, Reversal
from reimbursements.services import complete_reversal, create_payout_batch, mark_batch_paid
from tests.factories import StaffFactory, in_status
from tests.reimbursements.common import dispute_for

pytestmark = pytest.mark.django_db

SITE = "https://arbiter.example.com"
# What a specialist may well type: markup and entities must reach the seller as typed.
WRITTEN = 'Please send the invoice <b>& the packing list</b>.\nThanks, "Li" O\'Neil'
URL = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def portal_link(dispute) -> str:
    return f"{SITE}/portal/disputes/{dispute.reference}/"


def sent(mailoutbox, dispute, kind: str):
    """The e-mail of the case's one notification of this kind."""
    notification = Notification.objects.get(dispute=dispute, kind=kind)
    [mail] = [m for m in mailoutbox if m.extra_headers["Message-ID"] == message_id(notification)]
    return mail


def assert_links_only_to_its_case(body: str, dispute) -> None:
    assert URL.findall(body) == [portal_link(dispute)]


def assert_not_escaped(body: str) -> None:
    assert WRITTEN in body
    assert "&amp;" not in body and "&lt;" not in body and "&#x27;" not in body


@pytest.fixture
def paying_case(specialist):
    """A case in review: 3 units worth 10.00 USD each lost in the warehouse."""
    dispute = dispute_for(currency="USD", value="10.00", quantity=3, assignee=specialist)
    dispute.claim_type = "warehouse_lost"
    dispute.save(update_fields=["claim_type"])
    return dispute


def test_the_received_mail_links_to_the_case(seller_a, mailoutbox):
    dispute = in_status(Status.OPEN, seller=seller_a)
    other = in_status(Status.OPEN, seller=seller_a)
    queue_notification(dispute, kind="received")
    queue_notification(other, kind="received")
    for notification in Notification.objects.all():
        send_notification(notification_id=notification.pk)

    assert_links_only_to_its_case(sent(mailoutbox, dispute, "received").body, dispute)
    assert_links_only_to_its_case(sent(mailoutbox, other, "received").body, other)


def test_a_reply_mail_carries_the_specialists_words_and_the_link_to_answer(
    seller_a, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.reply_to_seller(dispute=dispute, by=specialist, body=WRITTEN)
    # The reply only stores what to send; the worker renders the e-mail.
    assert Notification.objects.get(dispute=dispute).message == message
    assert mailoutbox == []
    for callback in callbacks:
        callback()

    mail = sent(mailoutbox, dispute, "reply")
    assert mail.subject == f"New message on dispute {dispute.reference}"
    assert_not_escaped(mail.body)
    assert_links_only_to_its_case(mail.body, dispute)
    assert "To answer, write on the case in the seller portal:" in mail.body


def test_each_reply_mail_carries_its_own_message(
    seller_a, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reply_to_seller(dispute=dispute, by=specialist, body="First: checking.")
        second = services.reply_to_seller(dispute=dispute, by=specialist, body="Second: found.")

    for mine, other in ((first, second), (second, first)):
        notification = Notification.objects.get(message=mine)
        [mail] = [
            m for m in mailoutbox if m.extra_headers["Message-ID"] == message_id(notification)
        ]
        assert mine.body in mail.body and other.body not in mail.body


def test_the_information_needed_mail_carries_the_request_its_due_date_and_the_link(
    seller_a, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_information(dispute=dispute, by=specialist, body=WRITTEN)

    dispute.refresh_from_db()
    body = sent(mailoutbox, dispute, "info_needed").body
    assert_not_escaped(body)
    assert_links_only_to_its_case(body, dispute)
    due = dispute.seller_response_due_at.date().isoformat()
    assert f"Please answer in the seller portal by {due}" in body


def test_the_decision_mail_carries_the_explanation_and_the_amount_reimbursed(
    paying_case, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dispute(
            dispute=paying_case,
            by=specialist,
            outcome="approved",
            reason_code="records_confirm_loss",
            approved_quantity=3,
            explanation=WRITTEN,
        )

    reimbursement = Reimbursement.objects.get(dispute=paying_case)
    assert reimbursement.status == Reimbursement.Status.APPROVED
    body = sent(mailoutbox, paying_case, "decided").body
    assert_not_escaped(body)
    assert f"To be reimbursed ({reimbursement.reference}): 30.00 USD." in body
    assert_links_only_to_its_case(body, paying_case)


def test_the_decision_mail_shows_no_amount_a_team_lead_has_yet_to_confirm(
    paying_case, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dispute(
            dispute=paying_case,
            by=specialist,
            outcome="approved",
            reason_code="records_confirm_loss",
            approved_quantity=3,
            amount=Decimal("45.00"),
            amount_change_reason="The invoice shows a higher unit cost.",
            explanation=WRITTEN,
        )

    reimbursement = Reimbursement.objects.get(dispute=paying_case)
    assert reimbursement.status == Reimbursement.Status.PENDING_APPROVAL
    body = sent(mailoutbox, paying_case, "decided").body
    assert "45.00" not in body
    assert f"Reimbursement {reimbursement.reference}: a team lead is confirming the amount." in body
    assert_not_escaped(body)


def test_a_denial_mail_carries_the_explanation_and_no_amount(
    seller_a, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dispute(
            dispute=dispute,
            by=specialist,
            outcome="denied",
            reason_code="insufficient_evidence",
            explanation=WRITTEN,
        )

    body = sent(mailoutbox, dispute, "decided").body
    assert f"We decided dispute {dispute.reference}: Denied." in body
    assert_not_escaped(body)
    assert "reimbursed" not in body.lower()
    assert_links_only_to_its_case(body, dispute)


def test_a_decision_mail_in_japanese_keeps_the_explanation_and_the_link(
    seller_a, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    seller_a.preferred_language = "ja"
    seller_a.save()
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist, language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dispute(
            dispute=dispute,
            by=specialist,
            outcome="denied",
            reason_code="insufficient_evidence",
            explanation="記録では商品は見つかっていません。<b>&</b>",
        )

    mail = sent(mailoutbox, dispute, "decided")
    assert mail.subject == f"申し立て{dispute.reference}の決定"
    assert "記録では商品は見つかっていません。<b>&</b>" in mail.body
    assert_links_only_to_its_case(mail.body, dispute)


def test_the_closed_mail_says_why_the_seller_s_silence_closed_it(
    seller_a, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(
        Status.AWAITING_SELLER,
        seller=seller_a,
        seller_response_due_at=timezone.now() - timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close_lapsed_disputes()

    body = sent(mailoutbox, dispute, "closed").body
    assert "because we did not receive the information we asked for in time" in body
    assert_links_only_to_its_case(body, dispute)


def test_a_case_a_team_lead_closes_by_hand_tells_the_seller_the_reason(
    seller_a, lead, django_capture_on_commit_callbacks, mailoutbox
):
    dispute = in_status(Status.AWAITING_SELLER, seller=seller_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_dispute(dispute=dispute, by=lead, reason=WRITTEN)

    mail = sent(mailoutbox, dispute, "closed")
    assert mail.subject == f"Dispute {dispute.reference} was closed"
    assert f"The reason:\n{WRITTEN}" in mail.body
    assert "did not receive the information" not in mail.body
    assert_not_escaped(mail.body)
    assert_links_only_to_its_case(mail.body, dispute)


def test_the_reminder_links_to_the_case_to_answer(seller_a, mailoutbox):
    dispute = in_status(Status.AWAITING_SELLER, seller=seller_a)
    queue_notification(dispute, kind="reminder", key=f"reminder:{dispute.pk}")
    send_notification(notification_id=Notification.objects.get(dispute=dispute).pk)

    assert_links_only_to_its_case(sent(mailoutbox, dispute, "reminder").body, dispute)


def test_the_paid_and_taken_back_mails_link_to_the_case(
    paying_case, specialist, django_capture_on_commit_callbacks, mailoutbox
):
    finance = StaffFactory(username="finance", role="Finance")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_dispute(
            dispute=paying_case,
            by=specialist,
            outcome="approved",
            reason_code="records_confirm_loss",
            approved_quantity=3,
        )
        batch, _created = create_payout_batch(by=finance, currency="USD", idempotency_key="k")
        mark_batch_paid(batch=batch, by=finance, payment_reference="ACH-1")
    with django_capture_on_commit_callbacks(execute=True):
        import_records(
            kind="ledger",
            rows=[
                {
                    "record_id": "L-FOUND-1",
                    "seller_id": paying_case.seller.seller_id,
                    "event_date": date.today().isoformat(),
                    "sku": paying_case.sku,
                    "fulfillment_center": "PHX7",
                    "event_type": "found",
                    "quantity": 1,
                }
            ],
        )
    with django_capture_on_commit_callbacks(execute=True):
        complete_reversal(reversal=Reversal.objects.get(), by=specialist)

    for kind in ("reimbursed", "reversed"):
        assert_links_only_to_its_case(sent(mailoutbox, paying_case, kind).body, paying_case)


def test_an_sla_mail_to_staff_links_to_the_case_in_the_workspace(seller_a, specialist, mailoutbox):
    dispute = in_status(Status.IN_REVIEW, seller=seller_a, assignee=specialist)
    queue_staff_notification(dispute, kind="sla_warning", key="warn:1", user=specialist)
    send_notification(notification_id=Notification.objects.get(dispute=dispute).pk)

    body = sent(mailoutbox, dispute, "sla_warning").body
    assert URL.findall(body) == [f"{SITE}/workspace/cases/{dispute.reference}/"]
