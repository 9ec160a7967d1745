"""The specialist workspace through Django's test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from disputes import services
from disputes.models import CaseEvent, Dispute, Message, ResponseTemplate, SavedView
from disputes.status import Status
from reimbursements.models import Reimbursement
from reimbursements.services import reject_reimbursement
from tests.factories import DisputeFactory, MessageFactory, SkuFactory, in_status

pytestmark = pytest.mark.django_db


def _open_dispute(seller, user, **fields):
    dispute = services.submit_dispute(
        seller=seller,
        submitted_by=user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 4, **fields},
    )
    services.complete_intake(dispute=dispute)
    dispute.refresh_from_db()
    return dispute


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sellers_are_refused_the_workspace(client, seller_a_user):
    client.force_login(seller_a_user)
    assert client.get(reverse("workspace:home")).status_code == 403
    assert client.get(reverse("workspace:cases")).status_code == 403


def test_home_shows_queue_counts(client, specialist, seller_a, seller_a_user, catalog):
    _open_dispute(seller_a, seller_a_user)
    client.force_login(specialist)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    inventory = next(q for q in response.context["queues"] if q["slug"] == "inventory")
    assert inventory["open_count"] == 1


@pytest.mark.parametrize("rows", [2, 20])
def test_case_list_runs_a_constant_number_of_queries(
    client, specialist, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        DisputeFactory()
    client.force_login(specialist)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workspace:cases"), {"status": "open"})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == rows


def test_case_list_filters_by_status_claim_type_and_search(client, specialist):
    damaged = DisputeFactory(claim_type="warehouse_damaged", order_id="")
    lost = DisputeFactory(claim_type="warehouse_lost", order_id="111-222")
    in_status(Status.AWAITING_SELLER, assignee=specialist)
    client.force_login(specialist)

    def refs(**params):
        response = client.get(reverse("workspace:cases"), params)
        return {d.reference for d in response.context["page"].rows}

    assert refs(claim_type="warehouse_lost") == {lost.reference}
    assert refs(q="111-222") == {lost.reference}
    assert refs(q=damaged.reference) == {damaged.reference}
    assert len(refs(status="awaiting_seller", sla="paused")) == 1


def test_search_finds_message_text(client, specialist):
    dispute = DisputeFactory()
    MessageFactory(dispute=dispute, body="The pallet was crushed by a forklift")
    DisputeFactory()
    client.force_login(specialist)
    response = client.get(reverse("workspace:cases"), {"q": "forklift"})
    assert [d.reference for d in response.context["page"].rows] == [dispute.reference]


def test_case_list_pages_with_a_cursor_without_repeating_rows(client, specialist):
    for _ in range(30):
        DisputeFactory()
    client.force_login(specialist)
    first = client.get(reverse("workspace:cases"), {"ordering": "age"})
    page = first.context["page"]
    assert len(page.rows) == 25 and first.context["next_url"]
    second = client.get(reverse("workspace:cases") + first.context["next_url"])
    rest = second.context["page"].rows
    assert len(rest) == 5
    assert not {d.pk for d in page.rows} & {d.pk for d in rest}
    back = client.get(reverse("workspace:cases") + second.context["previous_url"])
    assert [d.pk for d in back.context["page"].rows] == [d.pk for d in page.rows]


def test_an_unknown_sort_is_ignored_with_a_message_instead_of_emptying_the_list(client, specialist):
    cases = [DisputeFactory(status="open") for _ in range(3)]
    DisputeFactory(status="closed")
    client.force_login(specialist)
    response = client.get(reverse("workspace:cases"), {"ordering": "bogus", "status": "open"})
    assert {d.pk for d in response.context["page"].rows} == {d.pk for d in cases}
    assert response.context["filterset"].ordering_key == "sla"
    body = response.content.decode()
    assert "The list cannot be sorted by “bogus”: it is shown in its usual order." in body
    plain = client.get(reverse("workspace:cases"), {"ordering": "age"})
    assert "cannot be sorted" not in plain.content.decode()


def test_a_broken_cursor_sends_back_to_the_first_page(client, specialist):
    client.force_login(specialist)
    response = client.get(reverse("workspace:cases"), {"cursor": "garbage!"})
    assert response.status_code == 302


def test_saved_views_belong_to_their_owner(client, specialist, specialist2):
    client.force_login(specialist)
    client.post(reverse("workspace:save_view"), {"name": "Mine", "query": "assignee=me"})
    assert SavedView.objects.get(owner=specialist).query == "assignee=me"
    client.force_login(specialist2)
    response = client.get(reverse("workspace:home"))
    assert response.context["saved_views"] == []


@pytest.mark.parametrize("messages", [1, 15])
def test_case_page_runs_a_constant_number_of_queries(
    client, specialist, messages, django_assert_max_num_queries
):
    dispute = DisputeFactory(order_id="ORD-1", tracking_id="TRK-1", shipment_id="SHP-1")
    for _ in range(messages):
        MessageFactory(dispute=dispute)
    client.force_login(specialist)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("workspace:case", args=[dispute.reference]))
    assert response.status_code == 200


def test_unknown_case_is_404(client, specialist):
    client.force_login(specialist)
    assert client.get(reverse("workspace:case", args=["DSP-2026-999999"])).status_code == 404


def test_take_reply_request_info_and_decide_through_the_pages(
    client, specialist, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    client.force_login(specialist)
    url = reverse("workspace:case", args=[dispute.reference])

    client.post(reverse("workspace:take", args=[dispute.reference]))
    dispute.refresh_from_db()
    assert dispute.assignee == specialist and dispute.status == Status.IN_REVIEW

    response = client.post(
        reverse("workspace:request_info", args=[dispute.reference]),
        {"info-body": "Please send photos", "info-version": dispute.version},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Status.AWAITING_SELLER and dispute.sla_paused_at is not None
    page = client.get(url).content.decode()
    assert 'data-sla="paused"' in page

    services.post_seller_message(dispute=dispute, by=seller_a_user, body="Here they are")
    dispute.refresh_from_db()
    response = client.post(
        reverse("workspace:decide", args=[dispute.reference]),
        {
            "outcome": "approved",
            "reason_code": "records_confirm_loss",
            "approved_quantity": 4,
            "version": dispute.version,
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Status.DECIDED
    assert dispute.reimbursements.get().amount == Decimal("50.00")
    kinds = set(dispute.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.INFO_REQUESTED, CaseEvent.Kind.DECIDED} <= kinds


def test_a_stale_form_is_refused_and_keeps_what_was_typed(
    client, specialist, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    stale_version = dispute.version
    services.add_internal_note(dispute=dispute, by=specialist, body="someone else acted")
    client.force_login(specialist)
    response = client.post(
        reverse("workspace:reply", args=[dispute.reference]),
        {"reply-body": "My careful answer", "reply-version": stale_version},
    )
    assert response.status_code == 409
    assert "My careful answer" in response.content.decode()
    assert not Message.objects.filter(dispute=dispute, body="My careful answer").exists()


def test_changing_the_proposed_amount_needs_a_reason(
    client, specialist, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    client.force_login(specialist)
    data = {
        "outcome": "approved",
        "reason_code": "records_confirm_loss",
        "approved_quantity": 4,
        "amount": "80.00",
        "version": dispute.version,
    }
    response = client.post(reverse("workspace:decide", args=[dispute.reference]), data)
    assert response.status_code == 400
    assert "say why" in response.content.decode().lower()
    dispute.refresh_from_db()
    assert dispute.status == Status.IN_REVIEW
    data["amount_change_reason"] = "Invoice shows a higher cost"
    client.post(reverse("workspace:decide", args=[dispute.reference]), data)
    dispute.refresh_from_db()
    assert dispute.status == Status.DECIDED
    assert dispute.reimbursements.get().amount == Decimal("80.00")


def test_response_template_falls_back_to_english_visibly(client, specialist):
    dispute = DisputeFactory(
        language="ja", sku="MUG-1", status=Status.IN_REVIEW, assignee=specialist
    )
    ResponseTemplate.objects.create(
        code="ask-photos",
        language="en",
        name="Ask for photos",
        body="Hello {seller_name}, about {reference}: photos?",
    )
    client.force_login(specialist)
    page = client.get(
        reverse("workspace:panel", args=[dispute.reference, "reply"]), headers={"HX-Request": "1"}
    ).content.decode()
    assert "Ask for photos (English — no translation in the seller's language)" in page
    template = ResponseTemplate.objects.get()
    text = client.get(
        reverse("workspace:template_text", args=[dispute.reference, template.pk])
    ).content.decode()
    assert text == f"Hello {dispute.seller.name}, about {dispute.reference}: photos?"


def test_next_case_hands_out_the_most_urgent_case(client, specialist):
    later = DisputeFactory()
    urgent = DisputeFactory()
    Dispute.objects.filter(pk=later.pk).update(sla_next_deadline_at="2030-01-02T00:00:00Z")
    Dispute.objects.filter(pk=urgent.pk).update(sla_next_deadline_at="2030-01-01T00:00:00Z")
    client.force_login(specialist)
    response = client.post(reverse("workspace:next"))
    assert response["Location"] == reverse("workspace:case", args=[urgent.reference])
    urgent.refresh_from_db()
    assert urgent.assignee == specialist


def test_next_case_with_an_empty_queue_says_so(client, specialist):
    client.force_login(specialist)
    response = client.post(reverse("workspace:next"), follow=True)
    assert "No case is waiting" in response.content.decode()


def test_bulk_assign_and_merge_duplicates(client, lead, specialist, seller_a):
    keep, dup1, dup2 = (DisputeFactory(seller=seller_a) for _ in range(3))
    client.force_login(lead)
    client.post(
        reverse("workspace:bulk"),
        {
            "action": "assign",
            "assignee": specialist.username,
            "references": [keep.reference, dup1.reference],
        },
    )
    keep.refresh_from_db()
    assert keep.assignee == specialist and keep.status == Status.IN_REVIEW
    client.post(
        reverse("workspace:bulk"),
        {
            "action": "merge",
            "into": keep.reference,
            "references": [dup1.reference, dup2.reference],
        },
    )
    assert set(Dispute.objects.filter(merged_into=keep).values_list("pk", flat=True)) == {
        dup1.pk,
        dup2.pk,
    }


def test_a_specialist_cannot_bulk_assign_to_others(client, specialist, specialist2):
    dispute = DisputeFactory()
    client.force_login(specialist)
    response = client.post(
        reverse("workspace:bulk"),
        {
            "action": "assign",
            "assignee": specialist2.username,
            "references": [dispute.reference],
        },
        follow=True,
    )
    assert "senior specialist or a team lead" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.assignee is None


def test_an_unknown_seller_id_in_the_filter_is_explained(client, specialist):
    DisputeFactory()
    client.force_login(specialist)
    response = client.get(reverse("workspace:cases"), {"seller": "S-NOBODY"})
    assert response.status_code == 200
    assert "No seller has this ID." in response.content.decode()
    assert response.context["page"].rows == []


def test_the_assignee_revises_a_reimbursement_a_team_lead_sent_back(
    client, seller_a, seller_a_user, specialist, lead
):
    SkuFactory(seller=seller_a, sku="BIG-1", reference_value=Decimal("600.00"))
    dispute = _open_dispute(seller_a, seller_a_user, sku="BIG-1", quantity=2)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    decision = services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    reject_reimbursement(reimbursement=decision.reimbursement, by=lead, reason="Too high")
    client.force_login(specialist)
    page = client.get(reverse("workspace:case", args=[dispute.reference])).content.decode()
    assert "Propose a corrected amount" in page
    url = reverse(
        "workspace:reimbursement_decision",
        args=[dispute.reference, decision.reimbursement.pk, "revise"],
    )

    refused = client.post(url, {"amount": "", "reason": ""}, follow=True).content.decode()
    assert "Enter an amount above zero." in refused

    client.post(url, {"amount": "900.00", "reason": "Paid the invoice value"})
    reimbursement = Reimbursement.objects.get(pk=decision.reimbursement.pk)
    assert (reimbursement.amount, reimbursement.status) == (  # back to a team lead
        Decimal("900.00"),
        Reimbursement.Status.PENDING_APPROVAL,
    )
    timeline = client.get(reverse("workspace:case", args=[dispute.reference])).content.decode()
    assert "1200.00 → 900.00 USD" in timeline and "Paid the invoice value" in timeline
