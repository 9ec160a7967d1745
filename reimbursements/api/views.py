"""Reimbursements for staff and for the seller they belong to, and the finance export."""

from __future__ import annotations

import csv

import django_filters
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import NotAllowed
from core.pagination import KeysetPagination, keyset_response_schema
from disputes.permissions import seller_ids_for
from reimbursements.models import Reimbursement


class ReimbursementFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Reimbursement.Status.choices)
    seller = django_filters.CharFilter(field_name="seller__seller_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Reimbursement
        fields: list[str] = []


class ReimbursementSerializer(serializers.ModelSerializer):
    dispute = serializers.CharField(source="dispute.reference")
    seller_id = serializers.CharField(source="seller.seller_id")
    maker = serializers.CharField(source="maker.username")
    approver = serializers.CharField(source="approver.username", allow_null=True, default=None)

    class Meta:
        model = Reimbursement
        fields = [
            "reference",
            "dispute",
            "seller_id",
            "sku",
            "quantity_cash",
            "quantity_replaced",
            "unit_value",
            "amount",
            "currency",
            "status",
            "policy_version",
            "maker",
            "approver",
            "approved_at",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields


EXPORT_COLUMNS = [
    "reference",
    "dispute",
    "seller_id",
    "sku",
    "quantity_cash",
    "quantity_replaced",
    "unit_value",
    "amount",
    "currency",
    "status",
    "policy_version",
    "maker",
    "approver",
    "approved_at",
    "created_at",
]


class _Echo:
    def write(self, value):
        return value


class ReimbursementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Staff see every reimbursement; a seller token its own seller's."""

    serializer_class = ReimbursementSerializer
    filterset_class = ReimbursementFilterSet

    def get_queryset(self):
        rows = Reimbursement.objects.select_related("dispute", "seller", "maker", "approver")
        user = self.request.user
        if user.is_staff and user.has_perm("reimbursements.view_reimbursement"):
            return rows
        return rows.filter(seller_id__in=seller_ids_for(user))

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
        rows = self.filter_queryset(self.get_queryset()).order_by("created_at", "id")
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(EXPORT_COLUMNS)
            for r in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        r.reference,
                        r.dispute.reference,
                        r.seller.seller_id,
                        r.sku,
                        r.quantity_cash,
                        r.quantity_replaced,
                        r.unit_value,
                        r.amount,
                        r.currency,
                        r.status,
                        r.policy_version,
                        r.maker.username,
                        r.approver.username if r.approver_id else "",
                        r.approved_at.isoformat() if r.approved_at else "",
                        r.created_at.isoformat(),
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="reimbursements.csv"'
        return response
