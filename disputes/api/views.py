"""The disputes API: viewsets whose actions each call one service."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api_permissions import IsStaff
from core.errors import InvalidInput, NotFound
from core.pagination import KeysetPagination, keyset_response_schema
from disputes import selectors, services
from disputes.actions import API_ACTIONS, CaseAction
from disputes.api import serializers as s
from disputes.filters import ORDERINGS, DisputeFilterSet
from disputes.models import Dispute
from disputes.status import Channel
from evidence.services import attach_evidence
from sellers.selectors import get_seller_to_file_for

ERRORS = {
    400: OpenApiResponse(description="Bad input: see error.fields"),
    401: OpenApiResponse(description="Not signed in"),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="No such dispute, or not yours"),
}
CONFLICT = {
    409: OpenApiResponse(
        description="The status does not allow this, or someone changed the dispute meanwhile"
    )
}
PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="From `next` or `previous` of a page"),
    OpenApiParameter("page_size", int, description="Rows per page (at most 200)"),
]


def _case_action_endpoint(row: CaseAction):
    """The POST endpoint of one action of the table: validate the body, call the service."""

    def endpoint(self, request, reference=None):
        dispute = self.get_object()
        payload = row.api_input(data=request.data)
        payload.is_valid(raise_exception=True)
        row.run(dispute, request.user, payload.validated_data)
        return self._done(dispute)

    endpoint.__name__ = row.name
    # A seller's own actions (appeal, withdraw) keep the viewset's default: any signed-in user.
    staff_only = {"permission_classes": [IsStaff]} if row.staff_only else {}
    endpoint = action(detail=True, methods=["post"], url_path=row.path, **staff_only)(endpoint)
    return extend_schema(
        request=row.api_input, responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT}
    )(endpoint)


def with_case_actions(viewset):
    """Add an endpoint per row of the action table (disputes/actions.py) to the viewset."""
    for row in API_ACTIONS:
        setattr(viewset, row.name, _case_action_endpoint(row))
    return viewset


@with_case_actions
class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Disputes: a seller token sees its own seller's, a staff token all of them."""

    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = DisputeFilterSet
    serializer_class = s.DisputeSerializer

    def get_queryset(self):
        queryset = selectors.list_disputes_for(user=self.request.user)
        if self.action != "list":  # one dispute: with its money and its latest check report
            queryset = queryset.prefetch_related(
                "reimbursements", "reversals__reimbursement", "latest_check_run__results"
            ).select_related("merged_into", "latest_check_run")
        return queryset

    def get_serializer_class(self):
        return s.DisputeListSerializer if self.action == "list" else s.DisputeSerializer

    def get_object(self) -> Dispute:
        dispute = self.get_queryset().filter(reference=self.kwargs["reference"]).first()
        if dispute is None:
            raise NotFound("No dispute with this reference.", code="dispute_not_found")
        return dispute

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: keyset_response_schema({"$ref": "#/components/schemas/DisputeList"}),
            **ERRORS,
        },
    )
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        ordering = request.query_params.get("ordering", "sla")
        paginator = KeysetPagination()
        page = paginator.paginate(
            queryset, request, ordering=ORDERINGS.get(ordering, ORDERINGS["sla"])
        )
        data = s.DisputeListSerializer(page.rows, many=True).data
        return Response(paginator.response_data(data))

    @extend_schema(responses={200: s.DisputeSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return Response(s.DisputeSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(
        request=s.DisputeCreateInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string (e.g. a UUID); a retry with the same key and "
                "body answers with the dispute the first request created, the same key with "
                "another body answers 422.",
            )
        ],
        responses={
            201: s.DisputeSerializer,
            **ERRORS,
            422: OpenApiResponse(description="The Idempotency-Key was used for another body"),
        },
    )
    def create(self, request, *args, **kwargs):
        dispute = services.submit_dispute(
            **self._filing(request),
            channel=Channel.INTERNAL if request.user.is_staff else Channel.API,
            submission_key=request.headers.get("Idempotency-Key", ""),
        )
        return Response(
            s.DisputeSerializer(dispute, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def _filing(self, request) -> dict:
        """Who files what for which seller, from a filing's body (create and precheck)."""
        payload = s.DisputeCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return {
            "seller": get_seller_to_file_for(
                user=request.user, seller_id=payload.validated_data.get("seller_id")
            ),
            "submitted_by": request.user,
            "claim_type": payload.validated_data["claim_type"],
            "fields": payload.claim_fields(),
        }

    @extend_schema(
        request=s.DisputeCreateInputSerializer, responses={200: s.PrecheckSerializer, **ERRORS}
    )
    @action(detail=False, methods=["post"])
    def precheck(self, request):
        """Check a filing without filing it: bad fields answer 400 as a filing would, and the
        warnings name the seller's earlier disputes for the same thing (they may still file)."""
        return Response({"warnings": services.precheck_filing(**self._filing(request))})

    # --- messages, evidence, events -------------------------------------------------------

    @extend_schema(methods=["GET"], responses={200: s.MessageSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"],
        request=s.MessageCreateInputSerializer,
        responses={201: s.MessageSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, reference=None):
        dispute = self.get_object()
        if request.method == "GET":
            messages = selectors.list_messages_for(user=request.user, dispute=dispute)
            return Response(s.MessageSerializer(messages, many=True).data)
        payload = s.MessageCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        body, internal = payload.validated_data["body"], payload.validated_data["internal"]
        if not request.user.is_staff:
            if internal:
                raise InvalidInput(
                    "Only staff can write internal notes.",
                    fields={"internal": ["Not allowed for sellers."]},
                )
            message = services.post_seller_message(dispute=dispute, by=request.user, body=body)
        elif internal:
            message = services.add_internal_note(dispute=dispute, by=request.user, body=body)
        else:
            message = services.reply_to_seller(dispute=dispute, by=request.user, body=body)
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: s.EvidenceFileSerializer(many=True), **ERRORS})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.EvidenceUploadInputSerializer},
        responses={201: s.EvidenceFileSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, reference=None):
        dispute = self.get_object()
        if request.method == "GET":
            files = selectors.list_evidence_for(dispute=dispute)
            return Response(s.EvidenceFileSerializer(files, many=True).data)
        payload = s.EvidenceUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = attach_evidence(
            dispute=dispute,
            uploaded_by=request.user,
            upload=payload.validated_data["file"],
            kind=payload.validated_data["kind"],
        )
        return Response(s.EvidenceFileSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.CaseEventSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], permission_classes=[IsStaff])
    def events(self, request, reference=None):
        dispute = self.get_object()
        events = selectors.list_events_for(dispute=dispute)
        return Response(s.CaseEventSerializer(events, many=True).data)

    # --- transitions: one endpoint per row of the action table, added by with_case_actions ---

    def _done(self, dispute: Dispute) -> Response:
        dispute = self.get_queryset().get(pk=dispute.pk)
        return Response(s.DisputeSerializer(dispute, context={"request": self.request}).data)


class SellerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sellers with their account health and dispute counts (staff only)."""

    permission_classes = [IsStaff]
    serializer_class = s.SellerSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.list_sellers_with_dispute_counts()
