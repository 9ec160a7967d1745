"""The check report in the API: checks, root cause and proposal on a dispute; recheck for staff."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import CheckRun, Dispute
from disputes.status import Status
from evidence.models import LedgerEvent
from tests.clients import client_for
from tests.factories import SkuFactory, in_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(seller_a, specialist):
    SkuFactory(seller=seller_a, sku="SKU-1", reference_value=Decimal("12.50"))
    LedgerEvent.objects.create(
        record_id="L-API-1",
        seller=seller_a,
        event_date=timezone.localdate() - timedelta(days=5),
        sku="SKU-1",
        fulfillment_center="PHX7",
        event_type="lost",
        quantity=2,
    )
    dispute = in_status(
        Status.IN_REVIEW,
        seller=seller_a,
        claim_type="warehouse_lost",
        sku="SKU-1",
        quantity=5,
        fulfillment_center="PHX7",
        assignee=specialist,
    )
    services.recheck_dispute(dispute=dispute, trigger="manual", by=specialist)
    return dispute


def test_a_dispute_carries_its_checks_failures_first_with_root_cause_and_proposal(
    checked, specialist
):
    # The check report is staff's: a seller's token reads the portal's shape without it.
    body = client_for(specialist).get(f"/api/v1/disputes/{checked.reference}/").json()
    results = [c["result"] for c in body["checks"]]
    assert results == sorted(results, key=["fail", "error", "warn", "pass", "not_applicable"].index)
    quantity = next(c for c in body["checks"] if c["check"] == "quantity_records")
    assert (quantity["result"], quantity["record_ids"]) == ("warn", ["L-API-1"])
    assert "2 of the 5 units" in quantity["message"]
    assert body["proposal"] == {
        "eligible_quantity": 2,
        "unit_value": "12.50",
        "amount": "25.00",
        "currency": "USD",
        "policy_version": 1,
        "rate": "1.00",
        "explanation": body["proposal"]["explanation"],
    }
    assert body["root_cause"]["cause"] == "warehouse_handling"
    assert body["root_cause"]["detail"] == "PHX7"
    assert body["eligible_quantity"] == 2


def test_staff_run_the_checks_again_and_a_seller_may_not(checked, specialist, seller_a_user):
    refused = client_for(seller_a_user).post(f"/api/v1/disputes/{checked.reference}/recheck/")
    assert refused.status_code == 403
    response = client_for(specialist).post(f"/api/v1/disputes/{checked.reference}/recheck/")
    assert response.status_code == 200
    assert CheckRun.objects.filter(dispute=checked).count() == 2
    assert response.json()["version"] == checked.version + 1


def test_a_dispute_before_its_first_check_has_empty_checks(seller_a, specialist):
    dispute = in_status(Status.SUBMITTED, seller=seller_a)
    body = client_for(specialist).get(f"/api/v1/disputes/{dispute.reference}/").json()
    assert (body["checks"], body["proposal"], body["root_cause"]) == ([], None, None)


def test_a_precheck_warns_of_a_duplicate_and_files_nothing(seller_a, seller_a_user):
    SkuFactory(seller=seller_a, sku="MUG-1")
    api = client_for(seller_a_user)
    body = {"claim_type": "return_damaged", "sku": "MUG-1", "order_id": "111-42"}
    assert api.post("/api/v1/disputes/precheck/", body, format="json").json() == {"warnings": []}
    first = api.post("/api/v1/disputes/", body, format="json").json()
    answer = api.post("/api/v1/disputes/precheck/", body, format="json")
    assert answer.status_code == 200
    [warning] = answer.json()["warnings"]
    assert (warning["code"], warning["references"]) == ("duplicate_claim", [first["reference"]])
    assert Dispute.objects.filter(seller=seller_a).count() == 1
    bad = api.post("/api/v1/disputes/precheck/", {**body, "quantity": 0}, format="json")
    assert bad.status_code == 400
