"""Bulk import of operational records: JSON arrays or CSV files, all rows or none."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_permissions import CanImportRecords
from core.errors import InvalidInput, NotFound
from core.parsers import JSONParser
from evidence.choices import RecordKind
from evidence.services import import_records


class RecordImportResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Rows whose record_id was imported before.")


class RecordImportView(APIView):
    """Import ledger events, shipment lines, returns, carrier scans or removal orders."""

    permission_classes = [CanImportRecords]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="records_import",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=RecordKind.values)],
        request={
            "application/json": {
                "type": "array",
                "maxItems": settings.ARBITER["RECORD_IMPORT_MAX_ROWS"],
                "items": {"type": "object", "additionalProperties": True},
            },
            "multipart/form-data": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
        },
        responses={
            201: RecordImportResultSerializer,
            400: OpenApiResponse(description="Rows refused: see error.fields"),
            403: OpenApiResponse(description="Token may not import records"),
            404: OpenApiResponse(description="Unknown record kind"),
        },
    )
    def post(self, request, kind: str):
        if kind not in RecordKind.values:
            raise NotFound(f"Unknown record kind {kind!r}.", code="unknown_kind")
        rows = self._rows(request)
        result = import_records(kind=kind, rows=rows, imported_by=request.user)
        return Response(result, status=status.HTTP_201_CREATED)

    def _rows(self, request) -> list[dict]:
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    "The CSV file must be UTF-8 encoded.", fields={"file": ["Not UTF-8."]}
                ) from exc
            try:
                rows = list(csv.DictReader(io.StringIO(text)))
            except csv.Error as exc:  # a NUL byte, a field over the csv module's limit, …
                raise InvalidInput(
                    f"The CSV file could not be read: {exc}.",
                    fields={"file": [str(exc)]},
                ) from exc
        else:
            rows = request.data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InvalidInput(
                "Send a JSON array of records, or a CSV file in `file`.",
                fields={"body": ["Expected an array of objects."]},
            )
        if not rows:
            raise InvalidInput("There are no records to import.", fields={"body": ["Empty."]})
        most = settings.ARBITER["RECORD_IMPORT_MAX_ROWS"]
        if len(rows) > most:
            raise InvalidInput(
                f"Send at most {most} records per request.", fields={"body": ["Too many rows."]}
            )
        return rows
