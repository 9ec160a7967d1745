"""Reimbursements for staff and for the seller they belong to, and the finance export."""

from __future__ import annotations

import csv

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotAllowed
from core.pagination import KeysetPagination, keyset_response_schema
from reimbursements.filters import ReimbursementFilterSet
from reimbursements.models import Reimbursement
from reimbursements.selectors import EXPORT_COLUMNS, export_rows, list_reimbursements_for


class ReimbursementSerializer(serializers.ModelSerializer):
    dispute = serializers.CharField(source="dispute.reference")
    seller_id = serializers.CharField(source="seller.seller_id")
    maker = serializers.CharField(source="maker.username")
    approver = serializers.CharField(source="approver.username", allow_null=True, default=None)

    class Meta:
        model = Reimbursement
        # The export's columns, and when it was paid.
        fields = [*EXPORT_COLUMNS, "paid_at"]
        read_only_fields = fields


class _Echo:
    def write(self, value):
        return value


class ReimbursementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Staff see every reimbursement; a seller token its own seller's."""

    serializer_class = ReimbursementSerializer
    filterset_class = ReimbursementFilterSet

    def get_queryset(self):
        return list_reimbursements_for(user=self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: keyset_response_schema({"$ref": "#/components/schemas/Reimbursement"})},
    )
    def list(self, request, *args, **kwargs):
        paginator = KeysetPagination()
        page = paginator.paginate(
            self.filter_queryset(self.get_queryset()), request, ordering=("-created_at", "-id")
        )
        return Response(paginator.response_data(ReimbursementSerializer(page.rows, many=True).data))

    @extend_schema(responses={(200, "text/csv"): {"type": "string"}})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """All matching reimbursements as CSV, streamed (constant memory) for finance."""
        if not (
            request.user.is_staff and request.user.has_perm("reimbursements.export_reimbursement")
        ):
            raise NotAllowed("Only finance exporters and team leads can export.")
        writer = csv.writer(_Echo())
        rows = export_rows(self.filter_queryset(self.get_queryset()))
        lines = (writer.writerow(row) for row in rows)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reimbursements.csv"'
        return response
