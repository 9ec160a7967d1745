"""The disputes API: viewsets whose actions each call one service."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
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
from disputes.api import serializers as s
from disputes.filters import ORDERINGS, DisputeFilterSet
from disputes.models import Dispute, Message
from disputes.status import Channel, Status
from evidence.services import attach_evidence
from sellers.models import Seller

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


class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Disputes: a seller token sees its own seller's, a staff token all of them."""

    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = DisputeFilterSet
    serializer_class = s.DisputeSerializer

    def get_queryset(self):
        queryset = selectors.list_disputes_for(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("reimbursements").select_related("merged_into")
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
        return Response(s.DisputeSerializer(self.get_object()).data)

    @extend_schema(
        request=s.DisputeCreateInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string (e.g. a UUID); a retry with the same key answers "
                "with the dispute the first request created.",
            )
        ],
        responses={201: s.DisputeSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        payload = s.DisputeCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        seller = self._seller_for(payload.validated_data.get("seller_id"))
        dispute = services.submit_dispute(
            seller=seller,
            submitted_by=request.user,
            claim_type=payload.validated_data["claim_type"],
            fields=payload.claim_fields(),
            channel=Channel.INTERNAL if request.user.is_staff else Channel.API,
            submission_key=request.headers.get("Idempotency-Key", ""),
        )
        return Response(s.DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)

    def _seller_for(self, seller_id: str | None) -> Seller:
        user = self.request.user
        if user.is_staff:
            if not seller_id:
                raise InvalidInput(
                    "Say which seller the dispute is for.",
                    fields={"seller_id": ["Required for staff."]},
                )
            seller = Seller.objects.filter(seller_id=seller_id).first()
        else:
            sellers = Seller.objects.filter(memberships__user=user)
            if seller_id:
                sellers = sellers.filter(seller_id=seller_id)
            found = list(sellers[:2])
            if len(found) > 1:
                raise InvalidInput(
                    "This token acts for several sellers: say which one.",
                    fields={"seller_id": ["Required."]},
                )
            seller = found[0] if found else None
        if seller is None:
            raise InvalidInput(
                "No seller account with this id that you may file for.",
                fields={"seller_id": ["Unknown seller."]},
            )
        return seller

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
            messages = Message.objects.filter(dispute=dispute).select_related("author")
            if not request.user.is_staff:
                messages = messages.filter(visibility=Message.Visibility.PUBLIC)
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
            files = dispute.evidence.select_related("uploaded_by")
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
        events = dispute.events.select_related("actor")
        return Response(s.CaseEventSerializer(events, many=True).data)

    # --- transitions ----------------------------------------------------------------------

    def _done(self, dispute: Dispute) -> Response:
        dispute = self.get_queryset().prefetch_related("reimbursements").get(pk=dispute.pk)
        return Response(s.DisputeSerializer(dispute).data)

    @extend_schema(
        request=s.AssignInputSerializer, responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def assign(self, request, reference=None):
        dispute = self.get_object()
        payload = s.AssignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        username = payload.validated_data.get("assignee")
        assignee = request.user
        if username:
            assignee = get_user_model().objects.filter(username=username).first()
            if assignee is None:
                raise InvalidInput(
                    "No user with this username.", fields={"assignee": ["Unknown user."]}
                )
        services.assign_dispute(
            dispute=dispute,
            assignee=assignee,
            by=request.user,
            expected_version=payload.validated_data.get("version"),
        )
        return self._done(dispute)

    @extend_schema(
        request=s.RequestInfoInputSerializer,
        responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="request-info", permission_classes=[IsStaff])
    def request_info(self, request, reference=None):
        dispute = self.get_object()
        payload = s.RequestInfoInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.request_information(
            dispute=dispute,
            by=request.user,
            body=payload.validated_data["body"],
            expected_version=payload.validated_data.get("version"),
        )
        return self._done(dispute)

    @extend_schema(
        request=s.EscalateInputSerializer,
        responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def escalate(self, request, reference=None):
        dispute = self.get_object()
        payload = s.EscalateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.escalate_dispute(
            dispute=dispute,
            by=request.user,
            **{k: v for k, v in payload.validated_data.items() if k != "version"},
            expected_version=payload.validated_data.get("version"),
        )
        return self._done(dispute)

    @extend_schema(
        request=s.ResolveEscalationInputSerializer,
        responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT},
    )
    @action(
        detail=True, methods=["post"], url_path="resolve-escalation", permission_classes=[IsStaff]
    )
    def resolve_escalation(self, request, reference=None):
        dispute = self.get_object()
        payload = s.ResolveEscalationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.resolve_escalation(
            dispute=dispute, by=request.user, answer=payload.validated_data["answer"]
        )
        return self._done(dispute)

    @extend_schema(
        request=s.DecideInputSerializer, responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def decide(self, request, reference=None):
        dispute = self.get_object()
        payload = s.DecideInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        services.decide_dispute(dispute=dispute, by=request.user, expected_version=version, **data)
        return self._done(dispute)

    @extend_schema(
        request=s.ReasonInputSerializer, responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request, reference=None):
        dispute = self.get_object()
        payload = s.ReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.appeal_dispute(
            dispute=dispute, by=request.user, reason=payload.validated_data["reason"]
        )
        return self._done(dispute)

    @extend_schema(
        request=s.OptionalReasonInputSerializer,
        responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        dispute = self.get_object()
        payload = s.OptionalReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.withdraw_dispute(
            dispute=dispute, by=request.user, reason=payload.validated_data["reason"]
        )
        return self._done(dispute)

    @extend_schema(
        request=s.OptionalReasonInputSerializer,
        responses={200: s.DisputeSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def close(self, request, reference=None):
        dispute = self.get_object()
        payload = s.OptionalReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.close_dispute(
            dispute=dispute, by=request.user, reason=payload.validated_data["reason"]
        )
        return self._done(dispute)


class SellerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sellers with their account health and dispute counts (staff only)."""

    permission_classes = [IsStaff]
    serializer_class = s.SellerSerializer
    pagination_class = None

    def get_queryset(self):
        finished = [Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.DECIDED]
        return Seller.objects.annotate(
            total_disputes=Count("disputes"),
            open_disputes=Count("disputes", filter=~Q(disputes__status__in=finished)),
        ).order_by("name")
