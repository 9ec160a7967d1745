"""The product's front door and administration in a real browser."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_signs_in_and_sees_the_disputes_admin(page):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    page.goto("/")
    assert page.get_by_role("heading", name="Arbiter").is_visible()
    page.get_by_role("link", name="Administration").click()
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Disputes").first.wait_for()
    assert "/admin/" in page.url
