"""Case search: every identifier, the seller, and words, through the one shared filter."""

from __future__ import annotations

import pytest

from disputes.filters import DisputeFilterSet
from disputes.models import Dispute, Message
from disputes.selectors import list_disputes_for, list_portal_disputes
from tests.factories import DisputeFactory, MembershipFactory, MessageFactory, SellerFactory

pytestmark = pytest.mark.django_db


def found(user, text, *, queryset=None) -> set[str]:
    filterset = DisputeFilterSet(
        {"q": text}, queryset=queryset or list_disputes_for(user=user), user=user
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("reference", flat=True))


@pytest.mark.parametrize(
    "field",
    [
        "order_id",
        "shipment_id",
        "sku",
        "fnsku",
        "tracking_id",
        "removal_order_id",
        "claim_id",
        "transaction_id",
    ],
)
def test_each_identifier_finds_its_case(field, lead):
    wanted = DisputeFactory(**{field: "ID-4711"})
    DisputeFactory(**{field: "ID-4712"})
    assert found(lead, "ID-4711") == {wanted.reference}
    assert found(lead, "  ID-4711 ") == {wanted.reference}  # pasted with spaces


def test_a_reference_is_found_whatever_its_case(lead):
    wanted = DisputeFactory(reference="DSP-2026-004711")
    assert found(lead, "dsp-2026-004711") == {wanted.reference}


def test_the_seller_is_found_by_id_or_part_of_the_name(lead):
    acme = SellerFactory(seller_id="S0004711", name="Acme Kitchenware")
    theirs = {DisputeFactory(seller=acme).reference, DisputeFactory(seller=acme).reference}
    DisputeFactory()
    assert found(lead, "S0004711") == theirs
    assert found(lead, "kitchenware") == theirs


def test_words_of_the_description_or_a_message_find_the_case(lead):
    described = DisputeFactory(description="Pallet crushed by a forklift")
    written = DisputeFactory()
    MessageFactory(dispute=written, body="The forklift driver reported it")
    DisputeFactory(description="Nothing to see")
    assert found(lead, "forklift") == {described.reference, written.reference}


def test_a_seller_never_finds_a_case_by_the_words_of_an_internal_note(lead):
    membership = MembershipFactory()
    dispute = DisputeFactory(seller=membership.seller)
    MessageFactory(
        dispute=dispute,
        side=Message.Side.STAFF,
        visibility=Message.Visibility.INTERNAL,
        body="suspected reseller fraud",
    )
    seller_view = list_portal_disputes(user=membership.user, seller=membership.seller)
    assert found(membership.user, "fraud", queryset=seller_view) == set()
    assert found(lead, "fraud") == {dispute.reference}


def test_a_seller_finds_only_their_own_cases(lead):
    membership = MembershipFactory()
    mine = DisputeFactory(seller=membership.seller, order_id="111-1")
    DisputeFactory(order_id="111-1")  # another seller's case with the same order id
    seller_view = list_portal_disputes(user=membership.user, seller=membership.seller)
    assert found(membership.user, "111-1", queryset=seller_view) == {mine.reference}
    assert Dispute.objects.filter(order_id="111-1").count() == 2
