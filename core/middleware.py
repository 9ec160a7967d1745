"""Benchmark support: report how many SQL queries a request ran (only when enabled)."""

from __future__ import annotations

from django.db import connection


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
