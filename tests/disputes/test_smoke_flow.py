"""The whole life of one dispute through the services, end to end."""

from decimal import Decimal

import pytest

from disputes import services
from disputes.models import CaseEvent
from disputes.status import Status
from reimbursements.models import Reimbursement
from tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_a_dispute_goes_from_filing_to_closing(
    seller_a, seller_a_user, specialist, lead, django_capture_on_commit_callbacks, mailoutbox
):
    SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 4},
        )
    dispute.refresh_from_db()
    assert dispute.reference.startswith("DSP-")
    assert dispute.status == Status.OPEN
    assert dispute.queue.slug == "inventory"
    assert [m.subject for m in mailoutbox] == [f"We received your dispute {dispute.reference}"]

    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.request_information(dispute=dispute, by=specialist, body="Photos please")
    assert dispute.status == Status.AWAITING_SELLER
    assert dispute.sla_paused_at is not None
    services.post_seller_message(dispute=dispute, by=seller_a_user, body="Attached.")
    assert dispute.status == Status.IN_REVIEW
    assert dispute.sla_paused_at is None

    decision = services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="partially_approved",
        reason_code="records_confirm_part",
        approved_quantity=2,
    )
    assert decision.amount == Decimal("25.00")
    reimbursement = Reimbursement.objects.get(dispute=dispute)
    assert reimbursement.status == Reimbursement.Status.APPROVED
    assert dispute.status == Status.DECIDED

    kinds = list(dispute.events.values_list("kind", flat=True))
    assert kinds[0] == CaseEvent.Kind.SUBMITTED
    assert set(kinds[1:3]) == {CaseEvent.Kind.CHECKS_COMPLETED, CaseEvent.Kind.NOTIFICATION_SENT}
    assert CaseEvent.Kind.DECIDED in kinds
