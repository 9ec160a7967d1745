"""The REST API through DRF's client: every endpoint by role, one error shape."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from disputes import services
from disputes.models import Dispute
from disputes.status import Status
from evidence.models import LedgerEvent
from tests.clients import client_for
from tests.factories import DisputeFactory, MessageFactory, SkuFactory, UserFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))


@pytest.fixture
def integration(db):
    user = UserFactory(username="integration")
    user.user_permissions.add(Permission.objects.get(codename="import_records"))
    return user


def _file(api, **fields):
    return api.post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 2, **fields},
        format="json",
    )


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_anonymous_requests_are_refused_in_the_error_shape(client):
    assert_error(APIClient().get("/api/v1/disputes/"), 401)


def test_a_seller_files_a_dispute_and_a_retry_returns_the_same(seller_a_user, catalog):
    api = client_for(seller_a_user)
    first = api.post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-123",
    )
    assert first.status_code == 201, first.content
    again = api.post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-123",
    )
    assert again.json()["reference"] == first.json()["reference"]
    assert Dispute.objects.count() == 1
    body = first.json()
    assert body["status"] == Status.SUBMITTED  # intake runs after commit, in the worker
    assert body["channel"] == "api"
    # A seller reads the portal's shape: no check report, nothing supported until decided.
    assert "checks" not in body and "proposal" not in body
    assert body["eligible_quantity"] is None and body["outcome"] is None


def test_a_repeated_idempotency_key_with_another_body_answers_422(seller_a_user, catalog):
    api = client_for(seller_a_user)
    first = api.post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-9",
    )
    assert first.status_code == 201
    refused = api.post(
        "/api/v1/disputes/",
        {"claim_type": "warehouse_damaged", "sku": "MUG-1", "quantity": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc-9",
    )
    assert_error(refused, 422, "idempotency_key_reused")
    assert Dispute.objects.count() == 1


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"sku": "NOT-MINE"}, "sku"),
        ({"event_date": "2999-01-01"}, "event_date"),
        ({"colour": "red"}, "colour"),
        ({"claim_type": "nonsense"}, "claim_type"),
    ],
)
def test_bad_input_answers_400_with_field_errors_and_writes_nothing(
    seller_a_user, catalog, payload, field
):
    response = _file(client_for(seller_a_user), **payload)
    error = assert_error(response, 400)
    assert field in error["fields"]
    assert Dispute.objects.count() == 0


def test_a_currency_mismatch_is_refused(seller_a_user, seller_a):
    response = client_for(seller_a_user).post(
        "/api/v1/disputes/",
        {"claim_type": "fee_overcharge", "sku": "X", "amount": "3.00", "currency": "JPY"},
        format="json",
    )
    assert "currency" in assert_error(response, 400)["fields"]


def test_sellers_see_only_their_own_disputes(seller_a_user, seller_b, seller_b_user, catalog):
    mine = DisputeFactory(seller=seller_a_user.seller_memberships.get().seller)
    theirs = DisputeFactory(seller=seller_b)
    api = client_for(seller_a_user)
    listed = [d["reference"] for d in api.get("/api/v1/disputes/").json()["results"]]
    assert listed == [mine.reference]
    assert_error(api.get(f"/api/v1/disputes/{theirs.reference}/"), 404)
    assert_error(api.get(f"/api/v1/disputes/{theirs.reference}/messages/"), 404)
    assert_error(api.post(f"/api/v1/disputes/{theirs.reference}/withdraw/", {}, format="json"), 404)


def test_sellers_are_refused_staff_endpoints(seller_a_user, seller_a):
    dispute = DisputeFactory(seller=seller_a)
    api = client_for(seller_a_user)
    assert_error(api.get(f"/api/v1/disputes/{dispute.reference}/events/"), 403)
    assert_error(
        api.post(
            f"/api/v1/disputes/{dispute.reference}/decide/",
            {"outcome": "denied", "reason_code": "other"},
            format="json",
        ),
        403,
    )
    assert_error(api.get("/api/v1/sellers/"), 403)
    assert_error(api.post("/api/v1/records/ledger/", [], format="json"), 403)


def test_staff_work_a_dispute_through_the_actions(specialist, seller_a, seller_a_user, catalog):
    dispute = DisputeFactory(seller=seller_a, sku="MUG-1", quantity=4)
    api = client_for(specialist)
    ref = dispute.reference
    assert (
        api.post(f"/api/v1/disputes/{ref}/assign/", {}, format="json").json()["assignee"]
        == specialist.username
    )
    body = api.post(
        f"/api/v1/disputes/{ref}/request-info/", {"body": "Photos?"}, format="json"
    ).json()
    assert body["status"] == "awaiting_seller" and body["sla"]["state"] == "paused"
    conflict = api.post(
        f"/api/v1/disputes/{ref}/decide/",
        {"outcome": "approved", "reason_code": "records_confirm_loss", "approved_quantity": 4},
        format="json",
    )
    assert_error(conflict, 409, "transition_not_allowed")
    answer = client_for(seller_a_user).post(
        f"/api/v1/disputes/{ref}/messages/", {"body": "Photos attached"}, format="json"
    )
    assert answer.status_code == 201
    decided = api.post(
        f"/api/v1/disputes/{ref}/decide/",
        {"outcome": "approved", "reason_code": "records_confirm_loss", "approved_quantity": 4},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["reimbursements"][0]["amount"] == "50.00"
    events = api.get(f"/api/v1/disputes/{ref}/events/").json()
    assert [e["kind"] for e in events][-2:] == ["decided", "reimbursement_proposed"]


def test_a_stale_version_answers_409(specialist, seller_a):
    dispute = DisputeFactory(seller=seller_a)
    response = client_for(specialist).post(
        f"/api/v1/disputes/{dispute.reference}/assign/",
        {"version": dispute.version + 5},
        format="json",
    )
    assert_error(response, 409, "stale")


def test_messages_hide_internal_notes_from_sellers(seller_a_user, specialist, seller_a):
    dispute = DisputeFactory(seller=seller_a, assignee=specialist, status="in_review")
    MessageFactory(dispute=dispute, body="public")
    staff = client_for(specialist)
    note = staff.post(
        f"/api/v1/disputes/{dispute.reference}/messages/",
        {"body": "secret", "internal": True},
        format="json",
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    seller = client_for(seller_a_user)
    bodies = [
        m["body"] for m in seller.get(f"/api/v1/disputes/{dispute.reference}/messages/").json()
    ]
    assert bodies == ["public"]
    refused = seller.post(
        f"/api/v1/disputes/{dispute.reference}/messages/",
        {"body": "x", "internal": True},
        format="json",
    )
    assert "internal" in assert_error(refused, 400)["fields"]


def test_evidence_upload_checks_the_content(seller_a_user, seller_a):
    dispute = DisputeFactory(seller=seller_a)
    api = client_for(seller_a_user)
    url = f"/api/v1/disputes/{dispute.reference}/evidence/"
    ok = api.post(
        url,
        {
            "kind": "photo",
            "file": SimpleUploadedFile("p.png", png_bytes(1), content_type="image/png"),
        },
        format="multipart",
    )
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"
    bad = api.post(
        url,
        {
            "kind": "photo",
            "file": SimpleUploadedFile("p.png", b"\x00\x01binary junk", content_type="image/png"),
        },
        format="multipart",
    )
    assert_error(bad, 400)
    assert len(api.get(url).json()) == 1


def test_record_import_is_all_or_nothing_and_idempotent(integration, seller_a):
    api = client_for(integration)
    rows = [
        {
            "record_id": f"L-{i}",
            "seller_id": seller_a.seller_id,
            "event_date": "2026-10-01",
            "sku": "MUG-1",
            "fulfillment_center": "PHX7",
            "event_type": "lost",
            "quantity": 2,
        }
        for i in range(3)
    ]
    bad = [*rows, {**rows[0], "record_id": "L-bad", "quantity": "many"}]
    error = assert_error(api.post("/api/v1/records/ledger/", bad, format="json"), 400)
    assert "rows[3].quantity" in error["fields"]
    assert LedgerEvent.objects.count() == 0
    first = api.post("/api/v1/records/ledger/", rows, format="json")
    assert first.json() == {"received": 3, "created": 3, "skipped": 0}
    again = api.post("/api/v1/records/ledger/", rows, format="json")
    assert again.json() == {"received": 3, "created": 0, "skipped": 3}


def test_record_import_accepts_csv_and_refuses_bad_encodings(integration, seller_a):
    api = client_for(integration)
    csv_text = (
        "record_id,seller_id,tracking_id,carrier,event,event_time,exception_code\n"
        f"S-1,{seller_a.seller_id},TRK1,UPS,delivered,2026-10-01T10:00:00Z,\n"
    )
    ok = api.post(
        "/api/v1/records/carrier-scans/",
        {"file": SimpleUploadedFile("scans.csv", csv_text.encode(), content_type="text/csv")},
        format="multipart",
    )
    assert ok.status_code == 201, ok.content
    bad = api.post(
        "/api/v1/records/carrier-scans/",
        {
            "file": SimpleUploadedFile(
                "scans.csv", csv_text.encode("utf-16"), content_type="text/csv"
            )
        },
        format="multipart",
    )
    assert_error(bad, 400)
    assert_error(api.post("/api/v1/records/nonsense/", [], format="json"), 404)


def test_sellers_endpoint_counts_disputes(lead, seller_a):
    DisputeFactory(seller=seller_a)
    rows = client_for(lead).get("/api/v1/sellers/").json()
    row = next(r for r in rows if r["seller_id"] == seller_a.seller_id)
    assert row["total_disputes"] == 1 and row["open_disputes"] == 1


def test_reimbursements_list_and_finance_export(
    lead, specialist, seller_a, seller_a_user, seller_b, catalog
):
    dispute = DisputeFactory(
        seller=seller_a, sku="MUG-1", quantity=2, assignee=specialist, status="in_review"
    )
    services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    listed = client_for(lead).get("/api/v1/reimbursements/").json()["results"]
    assert [r["amount"] for r in listed] == ["25.00"]
    assert client_for(seller_a_user).get("/api/v1/reimbursements/").json()["results"]
    export = client_for(lead).get("/api/v1/reimbursements/export/")
    text = b"".join(export.streaming_content).decode()
    assert text.splitlines()[0].startswith("kind,reference,dispute,seller_id")
    assert dispute.reference not in text  # approved, not paid yet: finance exports what it paid
    assert_error(client_for(specialist).get("/api/v1/reimbursements/export/"), 403)


@pytest.mark.parametrize("rows", [2, 20])
def test_dispute_list_query_count_is_constant(lead, rows, django_assert_max_num_queries):
    for _ in range(rows):
        DisputeFactory()
    api = client_for(lead)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/disputes/", {"status": "open"})
    assert len(response.json()["results"]) == rows


def test_unknown_api_urls_answer_in_the_error_shape(lead):
    assert_error(client_for(lead).get("/api/v1/nothing-here/"), 404)


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/disputes/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
