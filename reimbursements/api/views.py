"""Reimbursements and reversals for staff and for the seller they belong to; payout batches
and the finance export for finance and its payments system."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_fields import OptionalChoiceField
from core.csv_stream import csv_response
from core.errors import InvalidInput, NotAllowed
from core.pagination import KeysetPagination
from reimbursements import selectors
from reimbursements.filters import FinanceExportForm, ReimbursementFilterSet
from reimbursements.models import PayoutBatch, Reimbursement, Reversal
from reimbursements.services import create_payout_batch, mark_batch_paid
from reimbursements.status import SellerPayoutState


def _is_staff(request) -> bool:
    return request.user.is_staff and request.user.has_perm("reimbursements.view_reimbursement")


def _for_requester(name: str, staff, seller) -> PolymorphicProxySerializer:
    """A row in one of two shapes: staff's, or the seller portal's (closed, so a row matches
    exactly one of them)."""
    return PolymorphicProxySerializer(
        component_name=name, serializers=[staff, seller], resource_type_field_name=None
    )


class ReimbursementSerializer(serializers.ModelSerializer):
    """A payout as staff and finance see it, with its maker-checker steps."""

    dispute = serializers.CharField(source="dispute.reference")
    seller_id = serializers.CharField(source="seller.seller_id")
    maker = serializers.CharField(source="maker.username")
    approver = serializers.CharField(source="approver.username", allow_null=True, default=None)
    batch = serializers.CharField(source="batch.reference", allow_null=True, default=None)
    # "" means no second approval was needed: null, like every absent choice.
    approval_reason = OptionalChoiceField(
        choices=[c for c in Reimbursement.ApprovalReason.choices if c[0]]
    )

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
            "rate",
            "amount",
            "proposed_amount",
            "currency",
            "status",
            "approval_reason",
            "policy_version",
            "maker",
            "approver",
            "approved_at",
            "batch",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields


class SellerReimbursementSerializer(serializers.ModelSerializer):
    """What the seller's portal shows: their words for the status, the amount once approved."""

    dispute = serializers.CharField(source="dispute.reference")
    status = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()

    class Meta:
        model = Reimbursement
        fields = [
            "reference",
            "dispute",
            "sku",
            "quantity_cash",
            "quantity_replaced",
            "unit_value",
            "rate",
            "amount",
            "currency",
            "status",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SellerPayoutState.choices))
    def get_status(self, reimbursement: Reimbursement) -> str:
        return SellerPayoutState.of(reimbursement.status).value

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_amount(self, reimbursement: Reimbursement) -> str | None:
        state = SellerPayoutState.of(reimbursement.status)
        return str(reimbursement.amount) if state.shows_amount else None


class ReversalSerializer(serializers.ModelSerializer):
    """A reversal as staff see it: the record that revealed it, and why it was cancelled."""

    dispute = serializers.CharField(source="dispute.reference")
    reimbursement = serializers.CharField(source="reimbursement.reference")

    class Meta:
        model = Reversal
        fields = [
            "reference",
            "dispute",
            "reimbursement",
            "status",
            "quantity",
            "unit_value",
            "amount",
            "currency",
            "record_kind",
            "record_id",
            "created_at",
            "resolved_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class SellerReversalSerializer(serializers.ModelSerializer):
    """Money taken back, as the portal's statement shows it: completed reversals only, in the
    seller's words ("reversed"), without the record that revealed it."""

    dispute = serializers.CharField(source="dispute.reference")
    reimbursement = serializers.CharField(source="reimbursement.reference")
    status = serializers.SerializerMethodField()

    class Meta:
        model = Reversal
        fields = [
            "reference",
            "dispute",
            "reimbursement",
            "status",
            "quantity",
            "unit_value",
            "amount",
            "currency",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SellerPayoutState.choices))
    def get_status(self, reversal: Reversal) -> str:
        return SellerPayoutState.of("reversed").value


class ReimbursementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Staff see every reimbursement; a seller token its own seller's, in the portal's words.
    Newest first, one keyset page at a time."""

    filterset_class = ReimbursementFilterSet
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.list_reimbursements_for(user=self.request.user).select_related("batch")

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):  # the schema documents both shapes
            return ReimbursementSerializer
        return ReimbursementSerializer if _is_staff(self.request) else SellerReimbursementSerializer

    @extend_schema(
        responses={
            200: _for_requester(
                "ReimbursementForRequester", ReimbursementSerializer, SellerReimbursementSerializer
            )
        }
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, description="Paid (or reversed) on or after"),
            OpenApiParameter("date_to", str, description="Paid (or reversed) before"),
            OpenApiParameter("marketplace", str),
            OpenApiParameter("currency", str),
        ],
        responses={(200, "text/csv"): {"type": "string"}},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """Paid reimbursements and completed reversals by date, marketplace and currency, with
        a total per currency; streamed (constant memory) for finance."""
        if not (
            request.user.is_staff and request.user.has_perm("reimbursements.export_reimbursement")
        ):
            raise NotAllowed("Only finance exporters and team leads can export.")
        form = FinanceExportForm(request.query_params)
        if not form.is_valid():
            raise InvalidInput(
                "The export's filters are not valid.",
                fields={name: list(errors) for name, errors in form.errors.items()},
            )
        return csv_response(selectors.finance_rows(**form.cleaned_data), "finance-export.csv")


class ReversalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Staff see every reversal; a seller token its own seller's completed ones. Newest first,
    one keyset page at a time."""

    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.list_reversals_for(user=self.request.user)

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):  # the schema documents both shapes
            return ReversalSerializer
        return ReversalSerializer if _is_staff(self.request) else SellerReversalSerializer

    @extend_schema(
        responses={
            200: _for_requester(
                "ReversalForRequester", ReversalSerializer, SellerReversalSerializer
            )
        }
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class PayoutBatchSerializer(serializers.ModelSerializer):
    reimbursements = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = PayoutBatch
        fields = [
            "reference",
            "currency",
            "marketplace",
            "status",
            "item_count",
            "total",
            "created_at",
            "paid_at",
            "payment_reference",
            "reimbursements",
        ]
        read_only_fields = fields


class CreateBatchSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=3)
    marketplace = serializers.CharField(max_length=8, required=False, allow_blank=True)


class MarkPaidSerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=80)


class PayoutBatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Finance, or its payments system: gather approved payouts into a batch, then mark the
    batch paid. Both are idempotent: a retry returns what the first call did."""

    serializer_class = PayoutBatchSerializer
    pagination_class = KeysetPagination
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not (
            request.user.is_staff and request.user.has_perm("reimbursements.pay_reimbursement")
        ):
            raise NotAllowed("Only finance can see and pay payout batches.")

    def get_queryset(self):
        return selectors.list_batches().prefetch_related("reimbursements")

    @extend_schema(
        request=CreateBatchSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={201: PayoutBatchSerializer, 200: PayoutBatchSerializer},
    )
    def create(self, request):
        """Every approved payout of the currency (and marketplace) not yet in a batch."""
        data = CreateBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or None
        batch, created = create_payout_batch(
            by=request.user, idempotency_key=key, **data.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PayoutBatchSerializer(batch).data, status=code)

    @extend_schema(request=MarkPaidSerializer, responses={200: PayoutBatchSerializer})
    @action(detail=True, methods=["post"])
    def paid(self, request, reference=None):
        """The payments system paid the batch; the same call again changes nothing."""
        data = MarkPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = selectors.get_batch(reference=reference)
        batch = mark_batch_paid(batch=batch, by=request.user, **data.validated_data)
        return Response(PayoutBatchSerializer(batch).data)
