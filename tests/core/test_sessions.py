"""Sessions are read through the cache and kept in the database: when the cache (Redis) cannot be
reached, signing in, every page and signing out still work from the database."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, username: str):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_signing_in_on_the_login_page_works_with_the_cache_unreachable(
    client, seller_a_user, cache_down
):
    assert client.get("/login/").status_code == 200
    response = _sign_in(client, "seller-a")
    assert response.status_code == 302
    page = client.get("/portal/")
    assert page.status_code == 200
    assert page.wsgi_request.user == seller_a_user
    assert Session.objects.count() == 1  # the database has it, whatever the cache says


def test_staff_pages_load_and_signing_out_works_with_the_cache_unreachable(
    client, specialist, cache_down
):
    _sign_in(client, "spec")
    for url in ("/workspace/", "/workspace/cases/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.wsgi_request.user == specialist
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.exists()
    assert client.get("/workspace/").status_code == 302  # to the login page


def test_a_session_begun_before_the_outage_is_read_from_the_database_during_it(
    client, seller_a_user, request
):
    _sign_in(client, "seller-a")
    request.getfixturevalue("cache_down")  # Redis goes away while the seller is signed in
    page = client.get("/portal/")
    assert page.status_code == 200
    assert page.wsgi_request.user == seller_a_user


def test_sessions_are_read_from_the_cache_while_it_is_up(client, seller_a_user):
    _sign_in(client, "seller-a")
    key = client.cookies["sessionid"].value
    assert cache.get(KEY_PREFIX + key)["_auth_user_id"] == str(seller_a_user.pk)
    # The cached copy alone serves the page: the database row is not read.
    Session.objects.filter(session_key=key).update(session_data="")
    assert client.get("/portal/").wsgi_request.user == seller_a_user
