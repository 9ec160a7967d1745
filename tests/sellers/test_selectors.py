"""Reads of seller accounts: which seller an API filing is for."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from sellers.selectors import get_seller_to_file_for, list_sellers_for
from tests.factories import MembershipFactory, SellerFactory

pytestmark = pytest.mark.django_db


def test_a_one_seller_user_files_for_their_seller_without_naming_it(seller_a, seller_a_user):
    assert get_seller_to_file_for(user=seller_a_user, seller_id=None) == seller_a


def test_a_user_of_several_sellers_must_say_which(seller_a, seller_a_user):
    other = SellerFactory()
    MembershipFactory(user=seller_a_user, seller=other)
    with pytest.raises(InvalidInput) as refused:
        get_seller_to_file_for(user=seller_a_user, seller_id=None)
    assert refused.value.fields == {"seller_id": ["Required."]}
    assert get_seller_to_file_for(user=seller_a_user, seller_id=other.seller_id) == other
    assert list_sellers_for(user=seller_a_user) == sorted([seller_a, other], key=lambda s: s.name)


def test_a_seller_user_cannot_name_another_seller(seller_a_user, seller_b):
    with pytest.raises(InvalidInput) as refused:
        get_seller_to_file_for(user=seller_a_user, seller_id=seller_b.seller_id)
    assert refused.value.fields == {"seller_id": ["Unknown seller."]}


def test_staff_name_the_seller_they_file_for(specialist, seller_b):
    with pytest.raises(InvalidInput) as refused:
        get_seller_to_file_for(user=specialist, seller_id=None)
    assert refused.value.fields == {"seller_id": ["Required for staff."]}
    assert get_seller_to_file_for(user=specialist, seller_id=seller_b.seller_id) == seller_b
