"""One sign-in throttle for every way in: the login page, the admin and any caller of
Django's authenticate(), per username and per address."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from core.auth import MAX_FAILURES
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client, url: str, username: str, times: int = MAX_FAILURES) -> None:
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong"})


def test_failures_on_the_login_page_lock_the_admin_too(client, lead):
    _fail(client, "/login/", "lead")
    client.post("/admin/login/", {"username": "lead", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_failures_on_the_admin_lock_the_login_page_with_a_clear_message(client, lead):
    _fail(client, "/admin/login/?next=/admin/", "lead")
    response = client.post("/login/", {"username": "lead", "password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_caller_of_authenticate_is_refused_once_locked(client, lead):
    _fail(client, "/login/", "lead")
    request = RequestFactory().post("/anything/")
    assert authenticate(request, username="lead", password=PASSWORD) is None


def test_one_address_trying_many_usernames_is_locked_for_all(client, lead):
    for i in range(MAX_FAILURES * 4):
        client.post("/login/", {"username": f"guess-{i}", "password": "wrong"})
    client.post("/login/", {"username": "lead", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_correct_password_before_the_lock_clears_the_count(client, lead):
    _fail(client, "/login/", "lead", times=MAX_FAILURES - 1)
    client.post("/login/", {"username": "lead", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    client.logout()
    _fail(client, "/login/", "lead", times=MAX_FAILURES - 1)
    client.post("/login/", {"username": "lead", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_the_throttle_lets_people_in_when_the_cache_is_down(lead, cache_down):
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="lead", password="wrong") is None
    assert authenticate(request, username="lead", password=PASSWORD) == lead
