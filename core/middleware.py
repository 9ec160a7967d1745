"""Request guards and benchmark support."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than any request Arbiter can accept, before a
    byte of it is read: Django's own limits count form fields and files one by one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.ARBITER["MAX_REQUEST_BYTES"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= limit:
            return self.get_response(request)
        message = _("The request is larger than %(mb)s MB; send fewer or smaller files.") % {
            "mb": limit // (1024 * 1024)
        }
        if request.path.startswith("/api/"):
            body = {"error": {"code": "request_too_large", "message": message, "fields": {}}}
            return JsonResponse(body, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class QueryCountHeaderMiddleware:
    """Adds X-Query-Count to every response. Enabled by ARBITER_QUERY_COUNT_HEADER=1."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
