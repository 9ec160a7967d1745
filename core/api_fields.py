"""Serializer fields the API shares: what a generated client can rely on."""

from __future__ import annotations

from rest_framework import serializers


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be absent (a blank model field): `null` in the API, never `""`, which
    is not one of the enum's values. Read-only: the schema declares it nullable."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)
