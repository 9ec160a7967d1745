"""The API's one error shape, {"error": {"code", "message", "fields"}}, for every failure."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions

from core.api import exception_handler
from core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    TransitionNotAllowed,
)
from tests.clients import client_for

CONTEXT = {"view": None, "args": (), "kwargs": {}, "request": None}


def render(exc):
    response = exception_handler(exc, dict(CONTEXT))
    assert response is not None
    assert set(response.data) == {"error"}
    assert set(response.data["error"]) == {"code", "message", "fields"}
    return response.status_code, response.data["error"]


@pytest.mark.parametrize(
    ("error_class", "status", "code"),
    [
        (InvalidInput, 400, "invalid_input"),
        (NotAllowed, 403, "not_allowed"),
        (NotFound, 404, "not_found"),
        (TransitionNotAllowed, 409, "transition_not_allowed"),
        (Conflict, 409, "conflict"),
        (DomainError, 400, "invalid"),
    ],
)
def test_domain_errors_render_with_their_status_code_message_and_fields(error_class, status, code):
    exc = error_class("Something is off.", fields={"quantity": ["Too many."]})
    assert render(exc) == (
        status,
        {"code": code, "message": "Something is off.", "fields": {"quantity": ["Too many."]}},
    )


def test_a_domain_error_keeps_its_specific_code():
    exc = NotAllowed("No.", code="maker_cannot_approve")
    assert render(exc) == (403, {"code": "maker_cannot_approve", "message": "No.", "fields": {}})


def test_a_drf_validation_error_names_the_fields():
    exc = exceptions.ValidationError({"quantity": ["Enter a whole number."], "sku": ["Required."]})
    status, body = render(exc)
    assert status == 400
    assert body["code"] == "invalid_input"
    assert body["fields"] == {"quantity": ["Enter a whole number."], "sku": ["Required."]}
    assert body["message"]


def test_a_nested_validation_error_is_flattened_to_dotted_names():
    exc = exceptions.ValidationError(
        {"rows": [{}, {"quantity": ["Must be positive."]}], "address": {"city": ["Required."]}}
    )
    status, body = render(exc)
    assert status == 400
    assert body["fields"] == {
        "rows[1].quantity": ["Must be positive."],
        "address.city": ["Required."],
    }


def test_non_field_errors_become_the_message():
    exc = exceptions.ValidationError({"non_field_errors": ["Pick one of the two."]})
    assert render(exc) == (
        400,
        {"code": "invalid_input", "message": "Pick one of the two.", "fields": {}},
    )


def test_a_list_validation_error_becomes_the_message():
    status, body = render(exceptions.ValidationError(["Send a JSON object."]))
    assert (status, body["message"], body["fields"]) == (400, "Send a JSON object.", {})


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (PermissionDenied(), 403, "permission_denied"),
        (Http404(), 404, "not_found"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.Throttled(wait=3), 429, "throttled"),
    ],
)
def test_framework_errors_render_in_the_same_shape(exc, status, code):
    rendered_status, body = render(exc)
    assert (rendered_status, body["code"], body["fields"]) == (status, code, {})
    assert body["message"]


def test_an_unexpected_exception_is_left_to_the_server_error_handler():
    assert exception_handler(RuntimeError("boom"), dict(CONTEXT)) is None


@pytest.mark.django_db
def test_the_api_answers_when_the_cache_is_down(seller_a_user, cache_down):
    """The rate limit fails open: a Redis outage must not turn requests into 500s."""
    assert client_for(seller_a_user).get("/api/v1/disputes/").status_code == 200


UNKNOWN_API_URLS = [
    ("get", "/api/v1/nothing-here/"),
    ("get", "/api/nothing"),
    ("get", "/api/"),
    ("get", "/api/v2/disputes/"),
    ("get", "/api/v1/disputes/DSP-2026-000001/nothing/"),
    ("get", "/api/v1/disputes/%00/"),
    ("post", "/api/v1/nothing-here/"),
    ("post", "/api/v1/disputes"),  # a POST is never redirected: its body would be lost
    ("delete", "/api/v1/records/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(("method", "url"), UNKNOWN_API_URLS)
def test_an_unknown_api_url_answers_404_in_the_error_shape_not_a_page(
    settings, lead, debug, method, url
):
    settings.DEBUG = debug  # with DEBUG on, Django would answer its HTML "Page not found"
    response = getattr(client_for(lead), method)(url)
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}
    }


@pytest.mark.django_db
def test_an_api_get_without_its_trailing_slash_is_sent_to_the_endpoint(lead):
    response = client_for(lead).get("/api/v1/disputes?status=open")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/disputes/?status=open"
