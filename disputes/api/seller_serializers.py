"""What a seller's token reads: the portal's fields in the portal's words, nothing more.

The staff shapes (serializers.py) carry the case's internals: who works it, in which queue at
which priority, the team's clock, the check report, the maker-checker steps of a payout. The
portal shows a seller none of these, so neither does the API; the schema marks these shapes
closed (additionalProperties: false), so a field that leaks into one fails the schema tests.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import OptionalChoiceField
from core.money import CURRENCY_CHOICES
from disputes.claim_types import CLAIM_FIELDS, DefectKind
from disputes.models import Dispute, Message
from disputes.status import Outcome, ReasonCode
from reimbursements.status import SellerPayoutState


class SellerReimbursementSummarySerializer(serializers.Serializer):
    """A payout on the dispute as the portal shows it: its state in the seller's words, and
    its amount once a team lead stands by it."""

    reference = serializers.CharField()
    status = serializers.SerializerMethodField()
    quantity_cash = serializers.IntegerField()
    quantity_replaced = serializers.IntegerField()
    unit_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    rate = serializers.DecimalField(max_digits=4, decimal_places=2)
    amount = serializers.SerializerMethodField()
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    policy_version = serializers.IntegerField()
    paid_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=SellerPayoutState.choices))
    def get_status(self, reimbursement) -> str:
        return SellerPayoutState.of(reimbursement.status).value

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_amount(self, reimbursement) -> str | None:
        if not SellerPayoutState.of(reimbursement.status).shows_amount:
            return None
        return str(reimbursement.amount)


class SellerReversalSummarySerializer(serializers.Serializer):
    """Money taken back because the units turned up: completed reversals only."""

    reference = serializers.CharField()
    reimbursement = serializers.CharField(source="reimbursement.reference")
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    resolved_at = serializers.DateTimeField(allow_null=True)


SELLER_LIST_FIELDS = [
    "reference",
    "seller_id",
    "claim_type",
    "status",
    "outcome",
    "reason_code",
    *CLAIM_FIELDS,
    "language",
    "channel",
    "created_at",
    "last_activity_at",
    "seller_response_due_at",
    "appeal_deadline_at",
]


class SellerDisputeListSerializer(serializers.ModelSerializer):
    """A seller's dispute as a row of the portal's list."""

    seller_id = serializers.CharField(source="seller.seller_id", read_only=True)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True
    )
    outcome = OptionalChoiceField(choices=Outcome.choices)
    reason_code = OptionalChoiceField(choices=ReasonCode.choices)
    defect_kind = OptionalChoiceField(choices=DefectKind.choices)

    class Meta:
        model = Dispute
        fields = SELLER_LIST_FIELDS
        read_only_fields = fields


class SellerDisputeSerializer(SellerDisputeListSerializer):
    """A seller's dispute as the portal's case page shows it: the claim, the decision, what
    the records support once decided, the payouts and what was taken back."""

    decided_at = serializers.DateTimeField(allow_null=True, read_only=True)
    approved_quantity = serializers.IntegerField(allow_null=True, read_only=True)
    eligible_quantity = serializers.SerializerMethodField(
        help_text="The units our records support, shown once the dispute is decided."
    )
    explanation = serializers.SerializerMethodField(
        help_text="How the records and the policy led to the eligible quantity, once decided."
    )
    appeal_count = serializers.IntegerField(read_only=True)
    reimbursements = SellerReimbursementSummarySerializer(many=True, read_only=True)
    reversals = serializers.SerializerMethodField()

    class Meta(SellerDisputeListSerializer.Meta):
        fields = [
            *SELLER_LIST_FIELDS,
            "decided_at",
            "approved_quantity",
            "eligible_quantity",
            "explanation",
            "appeal_count",
            "reimbursements",
            "reversals",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_eligible_quantity(self, dispute: Dispute) -> int | None:
        return dispute.eligible_quantity if dispute.decided_at else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_explanation(self, dispute: Dispute) -> str | None:
        run = dispute.latest_check_run
        if not dispute.decided_at or run is None:
            return None
        return run.explanation_text

    @extend_schema_field(SellerReversalSummarySerializer(many=True))
    def get_reversals(self, dispute: Dispute) -> list:
        """A pending reversal is not yet the seller's business, nor a cancelled one."""
        rows = [r for r in dispute.reversals.all() if r.status == "completed"]
        return SellerReversalSummarySerializer(rows, many=True).data


class SellerMessageSerializer(serializers.ModelSerializer):
    """A public message: from the seller's side or the disputes team, never a person's name."""

    class Meta:
        model = Message
        fields = ["id", "side", "body", "created_at"]
        read_only_fields = fields


class SellerEvidenceFileSerializer(serializers.Serializer):
    """A file on the seller's dispute, as the portal lists it."""

    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    kind = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, evidence) -> str:
        return reverse("evidence:file", args=[evidence.pk])
