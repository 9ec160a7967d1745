"""Keyset (cursor) pagination: constant cost on any page, stable while rows are added.

The ordering is a tuple of non-null fields ending in a unique one ("id"); the cursor carries the
edge row's values for those fields. Used by the workspace list and the API alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.errors import InvalidInput


def _encode_value(value: Any) -> list:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    return ["v", value]


def _decode_value(item: list) -> Any:
    kind, raw = item
    if kind == "dt":
        return parse_datetime(raw)
    if kind == "d":
        return date.fromisoformat(raw)
    if kind == "dec":
        return Decimal(raw)
    return raw


CURSOR_SALT = "arbiter.pagination.cursor"


def encode_cursor(values: list[Any], *, backwards: bool, ordering: tuple[str, ...]) -> str:
    """The edge row's sort values and their ordering, signed: a cursor changed by hand, or
    carried over to another ordering, is refused before it reaches the database."""
    payload = {"v": [_encode_value(v) for v in values], "b": backwards, "o": list(ordering)}
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str, *, ordering: tuple[str, ...]) -> tuple[list[Any], bool]:
    try:
        payload = signing.loads(cursor, salt=CURSOR_SALT)
        if payload["o"] != list(ordering):
            raise ValueError("the cursor was made for another ordering")
        return [_decode_value(item) for item in payload["v"]], bool(payload["b"])
    except (signing.BadSignature, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "This page link is no longer valid; start from the first page.",
            fields={"cursor": ["Invalid cursor."]},
            code="invalid_cursor",
        ) from exc


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (each field "name" or "-name")."""
    condition = Q()
    equal_so_far = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        condition |= equal_so_far & Q(**{f"{name}__{lookup}": value})
        equal_so_far &= Q(**{name: value})
    # Implied by the above, but a plain range on the first key lets PostgreSQL start an index
    # scan at the cursor instead of filtering every row before it.
    first = ordering[0]
    bound = "lte" if first.startswith("-") else "gte"
    return Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def paginate_keyset(
    queryset: QuerySet, *, ordering: tuple[str, ...], cursor: str | None, page_size: int
) -> KeysetPage:
    """One page of `queryset` after (or before) the cursor, plus the cursors around it."""
    backwards = False
    if cursor:
        values, backwards = decode_cursor(cursor, ordering=ordering)
        if len(values) != len(ordering):
            raise InvalidInput(
                "This page link is no longer valid; start from the first page.",
                code="invalid_cursor",
            )
        order = _reverse(ordering) if backwards else ordering
        queryset = queryset.filter(_after(order, values))
    else:
        order = ordering
    rows = list(queryset.order_by(*order)[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    names = [f.lstrip("-") for f in ordering]

    def values_of(row) -> list[Any]:
        return [getattr(row, name) for name in names]

    next_cursor = previous_cursor = None
    if rows:
        if has_more or backwards:
            next_cursor = encode_cursor(values_of(rows[-1]), backwards=False, ordering=ordering)
        if cursor and (not backwards or has_more):
            previous_cursor = encode_cursor(values_of(rows[0]), backwards=True, ordering=ordering)
    return KeysetPage(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)


class KeysetPagination(BasePagination):
    """DRF pagination on top of `paginate_keyset`. The view names its ordering per request
    (`get_keyset_ordering()`, else newest first); the page is one object, results and cursors,
    and the schema says so (a generated client gets the page type, not a list of pages)."""

    page_size = 50
    max_page_size = 200
    default_ordering: tuple[str, ...] = ("-created_at", "-id")

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        get_ordering = getattr(view, "get_keyset_ordering", None)
        ordering = get_ordering() if get_ordering else self.default_ordering
        return self.paginate(queryset, request, ordering=ordering).rows

    def paginate(self, queryset: QuerySet, request, *, ordering: tuple[str, ...]) -> KeysetPage:
        try:
            size = min(
                int(request.query_params.get("page_size", self.page_size)), self.max_page_size
            )
        except ValueError:
            size = self.page_size
        self.page = paginate_keyset(
            queryset,
            ordering=ordering,
            cursor=request.query_params.get("cursor"),
            page_size=max(size, 1),
        )
        self.request = request
        return self.page

    def _link(self, cursor: str | None) -> str | None:
        if not cursor:
            return None

        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def response_data(self, data: list) -> dict:
        return {
            "next": self._link(self.page.next_cursor),
            "previous": self._link(self.page.previous_cursor),
            "results": data,
        }

    def get_paginated_response(self, data: list) -> Response:
        return Response(self.response_data(data))

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first one",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "From `next` or `previous` of a page",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size})",
                "schema": {"type": "integer"},
            },
        ]
