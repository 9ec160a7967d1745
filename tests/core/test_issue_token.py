"""`manage.py issue_token`: a fresh API key per call, the old one revoked."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue()


def test_issue_token_prints_only_a_key_that_authenticates_the_user(specialist, client):
    printed = issue("spec")
    key = printed.strip()
    assert printed == f"{key}\n"
    assert Token.objects.get(key=key).user == specialist

    response = client.get("/api/v1/disputes/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_reissuing_a_token_replaces_the_old_key(seller_a_user):
    first = issue("seller-a").strip()
    second = issue("seller-a").strip()
    assert first != second
    assert not Token.objects.filter(key=first).exists()
    assert list(Token.objects.filter(user=seller_a_user).values_list("key", flat=True)) == [second]


def test_issue_token_for_an_unknown_user_is_an_error():
    with pytest.raises(CommandError, match='No user "nobody"'):
        issue("nobody")
    assert not Token.objects.exists()


def test_issue_token_for_an_inactive_user_is_an_error():
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        issue("gone")
    assert not Token.objects.exists()
