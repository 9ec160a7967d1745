"""API shapes of disputes: separate input and output serializers with unique names."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OptionalChoiceField
from core.money import CURRENCY_CHOICES
from disputes.check_codes import OUTCOME_ORDER
from disputes.claim_types import CLAIM_FIELDS, ClaimTypeCode, DefectKind
from disputes.models import CaseEvent, Dispute, Message
from disputes.selectors import get_user_by_username
from disputes.sla import sla_state
from disputes.status import EscalationTeam, Outcome, ReasonCode, Status
from evidence.choices import EvidenceKind
from reimbursements.models import Reimbursement, Reversal
from reimbursements.status import ReimbursementStatus
from sellers.models import Seller

# "" means no approval was needed: null in the API, like every absent choice.
APPROVAL_REASONS = [(v, label) for v, label in Reimbursement.ApprovalReason.choices if v]


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently dropping them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class DisputeCreateInputSerializer(StrictInputSerializer):
    claim_type = serializers.ChoiceField(choices=ClaimTypeCode.choices)
    seller_id = serializers.CharField(
        required=False,
        max_length=32,
        help_text="The seller to file for: required for staff, and for a portal user of "
        "several sellers.",
    )
    sku = serializers.CharField(required=False, allow_blank=True, max_length=64)
    fnsku = serializers.CharField(required=False, allow_blank=True, max_length=32)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    fulfillment_center = serializers.CharField(required=False, allow_blank=True, max_length=16)
    shipment_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    order_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    tracking_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=40)
    removal_order_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    reimbursement_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    transaction_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    defect_kind = serializers.ChoiceField(required=False, choices=DefectKind.choices)
    claim_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    event_date = serializers.DateField(required=False)
    amount = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True
    )
    currency = serializers.CharField(required=False, max_length=3, min_length=3)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def claim_fields(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in CLAIM_FIELDS}


class SlaSerializer(serializers.Serializer):
    state = serializers.CharField()
    next_deadline_at = serializers.DateTimeField(allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    paused_since = serializers.DateTimeField(allow_null=True)


class ReimbursementSummarySerializer(serializers.Serializer):
    """A payout on the dispute, as staff see it (sellers: SellerReimbursementSummarySerializer)."""

    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=ReimbursementStatus.choices)
    quantity_cash = serializers.IntegerField()
    quantity_replaced = serializers.IntegerField()
    unit_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    policy_version = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=4, decimal_places=2)
    proposed_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    approval_reason = OptionalChoiceField(choices=APPROVAL_REASONS)
    paid_at = serializers.DateTimeField(allow_null=True)


class ReversalSummarySerializer(serializers.Serializer):
    """A reversal on the dispute, as staff see it."""

    reference = serializers.CharField()
    reimbursement = serializers.CharField(source="reimbursement.reference")
    status = serializers.ChoiceField(choices=Reversal.Status.choices)
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    record_kind = serializers.CharField()
    record_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class CheckSerializer(serializers.Serializer):
    check = serializers.CharField(source="code")
    result = serializers.ChoiceField(choices=["pass", "warn", "fail", "not_applicable"])
    message = serializers.CharField()
    record_ids = serializers.ListField(child=serializers.CharField())


class ProposalSerializer(serializers.Serializer):
    eligible_quantity = serializers.IntegerField(allow_null=True)
    unit_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    policy_version = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    explanation = serializers.CharField(source="explanation_text")


class RootCauseSerializer(serializers.Serializer):
    cause = serializers.CharField(source="root_cause")
    detail = serializers.CharField(source="root_cause_detail")
    confidence = serializers.DecimalField(
        source="root_cause_confidence", max_digits=3, decimal_places=2
    )
    record_ids = serializers.ListField(
        child=serializers.CharField(), source="root_cause_record_ids"
    )


class DisputeListSerializer(serializers.ModelSerializer):
    """A dispute as a row of a list."""

    seller_id = serializers.CharField(source="seller.seller_id")
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.SerializerMethodField()
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True
    )
    # Blank until decided (or never asked): null, not "", which is none of the choices.
    outcome = OptionalChoiceField(choices=Outcome.choices)
    reason_code = OptionalChoiceField(choices=ReasonCode.choices)
    defect_kind = OptionalChoiceField(choices=DefectKind.choices)

    class Meta:
        model = Dispute
        fields = [
            "reference",
            "seller_id",
            "claim_type",
            "status",
            "priority",
            "queue",
            "assignee",
            "outcome",
            "reason_code",
            *[f for f in CLAIM_FIELDS],
            "language",
            "channel",
            "created_at",
            "updated_at",
            "sla_next_deadline_at",
            "seller_response_due_at",
            "appeal_deadline_at",
            "eligible_quantity",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, dispute: Dispute) -> str | None:
        return dispute.assignee.get_username() if dispute.assignee_id else None


class DisputeSerializer(DisputeListSerializer):
    """A dispute with its clocks, checks, proposal and reimbursement."""

    sla = serializers.SerializerMethodField()
    # The root-cause check report fills these; until checks have run they are empty.
    checks = serializers.SerializerMethodField()
    root_cause = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    reimbursements = ReimbursementSummarySerializer(many=True, read_only=True)
    reversals = serializers.SerializerMethodField()
    approved_quantity = serializers.IntegerField(allow_null=True, read_only=True)
    decided_at = serializers.DateTimeField(allow_null=True, read_only=True)
    appeal_count = serializers.IntegerField(read_only=True)
    merged_into = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(read_only=True)

    class Meta(DisputeListSerializer.Meta):
        fields = [
            *DisputeListSerializer.Meta.fields,
            "approved_quantity",
            "decided_at",
            "appeal_count",
            "merged_into",
            "version",
            "sla",
            "checks",
            "root_cause",
            "proposal",
            "reimbursements",
            "reversals",
        ]
        read_only_fields = fields

    @extend_schema_field(ReversalSummarySerializer(many=True))
    def get_reversals(self, dispute: Dispute) -> list:
        return ReversalSummarySerializer(dispute.reversals.all(), many=True).data

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, dispute: Dispute) -> list:
        run = dispute.latest_check_run
        if run is None:
            return []
        results = sorted(run.results.all(), key=lambda r: OUTCOME_ORDER[r.result])
        return CheckSerializer(results, many=True).data

    @extend_schema_field(RootCauseSerializer(allow_null=True))
    def get_root_cause(self, dispute: Dispute) -> dict | None:
        run = dispute.latest_check_run
        return RootCauseSerializer(run).data if run else None

    @extend_schema_field(ProposalSerializer(allow_null=True))
    def get_proposal(self, dispute: Dispute) -> dict | None:
        run = dispute.latest_check_run
        return ProposalSerializer(run).data if run else None

    @extend_schema_field(SlaSerializer)
    def get_sla(self, dispute: Dispute) -> dict:
        state, _text = sla_state(dispute)
        return {
            "state": state,
            "next_deadline_at": dispute.sla_next_deadline_at,
            "first_response_due_at": dispute.first_response_due_at,
            "first_responded_at": dispute.first_responded_at,
            "resolution_due_at": dispute.resolution_due_at,
            "paused_since": dispute.sla_paused_at,
        }


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "side", "author", "internal", "body", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, message: Message) -> str | None:
        return message.author.get_username() if message.author_id else None

    def get_internal(self, message: Message) -> bool:
        return message.visibility == Message.Visibility.INTERNAL


class MessageCreateInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=10_000)
    internal = serializers.BooleanField(default=False, help_text="Staff only: an internal note.")


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    # Events that change no status (a message, a note) have none: null.
    from_status = OptionalChoiceField(choices=Status.choices)
    to_status = OptionalChoiceField(choices=Status.choices)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "data", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: CaseEvent) -> str | None:
        return event.actor.get_username() if event.actor_id else None


class AssignInputSerializer(StrictInputSerializer):
    assignee = serializers.CharField(
        required=False, max_length=150, help_text="Username; the caller when omitted."
    )
    version = serializers.IntegerField(required=False, min_value=1)

    def validate_assignee(self, username: str):
        return get_user_by_username(username=username, field="assignee")


class RequestInfoInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=10_000)
    version = serializers.IntegerField(required=False, min_value=1)


class EscalateInputSerializer(StrictInputSerializer):
    team = serializers.ChoiceField(choices=EscalationTeam.choices)
    reason = serializers.CharField(max_length=10_000)
    version = serializers.IntegerField(required=False, min_value=1)


class ResolveEscalationInputSerializer(StrictInputSerializer):
    answer = serializers.CharField(max_length=10_000)


class DecideInputSerializer(StrictInputSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices)
    approved_quantity = serializers.IntegerField(
        required=False, min_value=0, max_value=100_000, allow_null=True
    )
    replaced_quantity = serializers.IntegerField(
        required=False, min_value=0, max_value=100_000, allow_null=True
    )
    amount = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0, allow_null=True
    )
    amount_change_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )
    explanation = serializers.CharField(
        required=False, allow_blank=True, max_length=10_000, default=""
    )
    version = serializers.IntegerField(required=False, min_value=1)


class RecheckInputSerializer(StrictInputSerializer):
    """Nothing to send: the checks run again on what the case and the records hold now."""


class ReasonInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=10_000)


class OptionalReasonInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")


class SellerSerializer(serializers.ModelSerializer):
    open_disputes = serializers.IntegerField(read_only=True)
    total_disputes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Seller
        fields = [
            "seller_id",
            "name",
            "marketplace",
            "default_currency",
            "preferred_language",
            "health_state",
            "open_disputes",
            "total_disputes",
        ]
        read_only_fields = fields


class EvidenceFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    kind = serializers.CharField()
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, evidence) -> str:
        return reverse("evidence:file", args=[evidence.pk])


class EvidenceUploadInputSerializer(StrictInputSerializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=EvidenceKind.values)


class FilingWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["duplicate_claim", "filing_window"])
    message = serializers.CharField()
    references = serializers.ListField(child=serializers.CharField())
    field = serializers.CharField(help_text="The claim field the warning is about, if one.")


class PrecheckSerializer(serializers.Serializer):
    warnings = FilingWarningSerializer(many=True)
