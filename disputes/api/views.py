"""The disputes API: viewsets whose actions each call one service."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api_permissions import IsStaff
from core.errors import InvalidInput, NotFound
from core.pagination import KeysetPagination
from disputes import selectors, services
from disputes.actions import API_ACTIONS, CaseAction
from disputes.api import seller_serializers as ss
from disputes.api import serializers as s
from disputes.filters import ORDERINGS, SELLER_ORDERINGS, DisputeFilterSet
from disputes.models import Dispute
from disputes.permissions import is_staff_user
from disputes.status import Channel, Status
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
# A case's messages, files and events: every one of them, neither filtered nor paged like the
# list of disputes (and so documented without its filters and cursors).
WHOLE_LIST = {"pagination_class": None, "filter_backends": []}


def _for_requester(name: str, staff, seller, *, many: bool | None = None):
    """One response of two shapes: staff tokens get `staff`, sellers' tokens `seller` (the
    portal's fields only). Each shape is closed, so a response matches exactly one of them."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[staff, seller],
        resource_type_field_name=None,
        many=many,
    )


DISPUTE = _for_requester("DisputeForRequester", s.DisputeSerializer, ss.SellerDisputeSerializer)
DISPUTE_ROW = _for_requester(
    "DisputeRowForRequester", s.DisputeListSerializer, ss.SellerDisputeListSerializer
)
MESSAGE = _for_requester("MessageForRequester", s.MessageSerializer, ss.SellerMessageSerializer)
EVIDENCE = _for_requester(
    "EvidenceFileForRequester", s.EvidenceFileSerializer, ss.SellerEvidenceFileSerializer
)


def _seller_view(request) -> bool:
    """Whether the requester reads the portal's shapes (a seller's user) or staff's."""
    return not is_staff_user(request.user)


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
    answer = s.DisputeSerializer if row.staff_only else DISPUTE
    return extend_schema(request=row.api_input, responses={200: answer, **ERRORS, **CONFLICT})(
        endpoint
    )


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
    pagination_class = KeysetPagination
    serializer_class = s.DisputeSerializer

    def get_queryset(self):
        queryset = selectors.list_disputes_for(user=self.request.user)
        # One dispute (read or acted on): with its money and its latest check report.
        if self.action not in ("list", "messages", "evidence", "events"):
            queryset = queryset.prefetch_related(
                "reimbursements", "reversals__reimbursement", "latest_check_run__results"
            ).select_related("merged_into", "latest_check_run")
        return queryset

    def get_serializer_class(self):
        """Staff read the case with its internals; a seller's token the portal's shapes."""
        if getattr(self, "swagger_fake_view", False):  # the schema documents both shapes
            return s.DisputeSerializer
        seller = _seller_view(self.request)
        if self.action == "list":
            return ss.SellerDisputeListSerializer if seller else s.DisputeListSerializer
        if self.action == "messages":
            return ss.SellerMessageSerializer if seller else s.MessageSerializer
        if self.action == "evidence":
            return ss.SellerEvidenceFileSerializer if seller else s.EvidenceFileSerializer
        return ss.SellerDisputeSerializer if seller else s.DisputeSerializer

    def get_keyset_ordering(self) -> tuple[str, ...]:
        """The list's sort (the filter set validated `ordering`), for the keyset paginator; a
        seller's list is never in an order made of the team's fields (SLA, priority)."""
        seller = _seller_view(self.request)
        default = "newest" if seller else "sla"
        key = self.request.query_params.get("ordering", default)
        if key not in ORDERINGS or (seller and key not in SELLER_ORDERINGS):
            key = default
        return ORDERINGS[key]

    def get_object(self) -> Dispute:
        dispute = self.get_queryset().filter(reference=self.kwargs["reference"]).first()
        if dispute is None:
            raise NotFound("No dispute with this reference.", code="dispute_not_found")
        return dispute

    @extend_schema(responses={200: DISPUTE_ROW, **ERRORS})
    def list(self, request, *args, **kwargs):
        """One page of disputes (`next`/`previous` link the pages around it)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: DISPUTE, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

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
            201: DISPUTE,
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
        if dispute.status == Status.SUBMITTED:  # nothing is paid before a decision
            selectors.known_unpaid(dispute)
        return Response(self.get_serializer(dispute).data, status=status.HTTP_201_CREATED)

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

    @extend_schema(
        methods=["GET"],
        responses={
            200: _for_requester(
                "MessageForRequester",
                s.MessageSerializer,
                ss.SellerMessageSerializer,
                many=True,
            ),
            **ERRORS,
        },
    )
    @extend_schema(
        methods=["POST"],
        request=s.MessageCreateInputSerializer,
        responses={201: MESSAGE, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def messages(self, request, reference=None):
        dispute = self.get_object()
        if request.method == "GET":
            messages = selectors.list_messages_for(user=request.user, dispute=dispute)
            return Response(self.get_serializer(messages, many=True).data)
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
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={
            200: _for_requester(
                "EvidenceFileForRequester",
                s.EvidenceFileSerializer,
                ss.SellerEvidenceFileSerializer,
                many=True,
            ),
            **ERRORS,
        },
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.EvidenceUploadInputSerializer},
        responses={201: EVIDENCE, **ERRORS, **CONFLICT},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        **WHOLE_LIST,
    )
    def evidence(self, request, reference=None):
        dispute = self.get_object()
        if request.method == "GET":
            files = selectors.list_evidence_for(dispute=dispute)
            return Response(self.get_serializer(files, many=True).data)
        payload = s.EvidenceUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = attach_evidence(
            dispute=dispute,
            uploaded_by=request.user,
            upload=payload.validated_data["file"],
            kind=payload.validated_data["kind"],
        )
        return Response(self.get_serializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.CaseEventSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], permission_classes=[IsStaff], **WHOLE_LIST)
    def events(self, request, reference=None):
        dispute = self.get_object()
        events = selectors.list_events_for(dispute=dispute)
        return Response(s.CaseEventSerializer(events, many=True).data)

    # --- transitions: one endpoint per row of the action table, added by with_case_actions ---

    def _done(self, dispute: Dispute) -> Response:
        dispute = self.get_queryset().get(pk=dispute.pk)
        return Response(self.get_serializer(dispute).data)


class SellerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sellers with their account health and dispute counts (staff only)."""

    permission_classes = [IsStaff]
    serializer_class = s.SellerSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.list_sellers_with_dispute_counts()
