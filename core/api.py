"""The API's one error shape: {"error": {"code", "message", "fields"}} for every failure."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for name, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    fields[f"{name}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, msgs in _flatten(item).items():
                        fields[f"{name}[{index}].{sub}"] = msgs
            else:
                fields[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return fields
    return {}


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {
                "error": {
                    "code": "too_large",
                    "message": "The request body is too large; send fewer records per request.",
                    "fields": {},
                }
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DomainError):
        return Response({"error": exc.as_dict()}, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {}
        non_field = fields.pop("non_field_errors", None)
        if isinstance(exc.detail, list):
            message = " ".join(str(m) for m in exc.detail)
        elif non_field:
            message = " ".join(non_field)
        else:
            message = "Some fields are not valid: see fields."
        body = {"code": "invalid_input", "message": message, "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {"code": str(code), "message": str(detail), "fields": {}}
    response.data = {"error": body}
    return response


def _no_such_endpoint() -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "not_found", "message": "No such endpoint.", "fields": {}}},
        status=404,
    )


def api_not_found(request, exception=None):
    """404 for unknown URLs: JSON under /api/, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return _no_such_endpoint()
    return page_not_found(request, exception)


@csrf_exempt  # it changes nothing: a POST to it needs no CSRF token, and gets the JSON 404
def api_unknown_url(request):
    """The last route under /api/: an unknown API URL answers the error shape even with DEBUG
    on, where Django would show its HTML page. A GET that only lacks the trailing slash is sent
    on to the endpoint, as CommonMiddleware's APPEND_SLASH would (this route hides it)."""
    path = request.path_info
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_unknown_url:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _no_such_endpoint()


def api_server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": {
                    "code": "server_error",
                    "message": "Something went wrong on our side; it has been logged.",
                    "fields": {},
                }
            },
            status=500,
        )
    return server_error(request)
