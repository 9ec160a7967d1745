"""URL converters: a case reference is letters, digits and dashes, so anything else (a NUL
byte, a slash, a quote) is a 404 before it reaches a query."""

from __future__ import annotations


class ReferenceConverter:
    regex = r"[A-Za-z0-9][A-Za-z0-9-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
