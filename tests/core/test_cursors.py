"""Page cursors are signed: a tampered or foreign cursor is a 400 in the API and the first page
on a web page, never a server error."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import signing

from core.pagination import CURSOR_SALT
from tests.clients import client_for
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db


def _unsigned(items) -> str:
    """A cursor in the old, unsigned shape, with whatever items an attacker chose."""
    payload = json.dumps({"v": items, "b": False}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


TAMPERED = [
    _unsigned([["dec", "x"], ["v", 1]]),
    _unsigned([["v", None], ["v", 1]]),
    _unsigned([["dt", "garbage"], ["v", 1]]),
    _unsigned([["v", [1, 2]], ["v", {"a": 1}]]),
    "not-a-cursor",
    "",
    "%00",
    # Correctly signed, but for another list's ordering.
    signing.dumps({"v": [["v", "x"]], "b": False, "o": ["-other"]}, salt=CURSOR_SALT),
    # Correctly signed values of the wrong type for the ordering's fields.
    signing.dumps(
        {"v": [["v", "x"], ["v", "y"], ["v", "z"]], "b": False, "o": ["x"]}, salt=CURSOR_SALT
    ),
]


@pytest.mark.parametrize("cursor", TAMPERED)
@pytest.mark.parametrize("url", ["/api/v1/disputes/", "/api/v1/reimbursements/"])
def test_a_tampered_cursor_is_a_400_in_the_api(lead, url, cursor):
    response = client_for(lead).get(url, {"cursor": cursor})
    if cursor == "":
        assert response.status_code == 200  # no cursor: the first page
    else:
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("cursor", [c for c in TAMPERED if c])
def test_a_tampered_cursor_shows_the_first_page_on_web_pages(
    client, lead, seller_a, seller_a_user, cursor
):
    DisputeFactory(seller=seller_a)
    client.force_login(lead)
    workspace = client.get("/workspace/cases/", {"cursor": cursor}, follow=True)
    assert workspace.status_code == 200
    client.force_login(seller_a_user)
    portal = client.get("/portal/", {"cursor": cursor}, follow=True)
    assert portal.status_code == 200


def test_a_real_cursor_still_pages(lead):
    for _ in range(3):
        DisputeFactory()
    api = client_for(lead)
    first = api.get("/api/v1/disputes/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
