"""Schemathesis against our own OpenAPI schema: no server error, and every response (status,
content type, body) as the schema documents it, for a seller's, a staff and a service token.

Three parts: generated requests over every operation (on real objects: the path's reference is
often a case every token may read); every read on real objects with every token; and the
hostile inputs found before: tampered page cursors and JSON nested 100,000 levels deep.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core.pagination import encode_cursor
from disputes import services
from disputes.filters import ORDERINGS
from disputes.models import Message
from disputes.status import Status
from evidence.models import EvidenceFile
from reimbursements.models import Reimbursement
from reimbursements.services import reject_reimbursement
from tests.factories import MembershipFactory, SkuFactory, StaffFactory, in_status, png_bytes
from tests.reimbursements.common import a_unit_turns_up

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Every response is checked against the schema: its status, its content type and its body.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PAID = "DSP-2026-000001"  # paid, then partly taken back (a completed reversal)
SENT_BACK = "DSP-2026-000002"  # its payout sent back by a team lead ("rejected")


def _unsigned(*items) -> str:
    """A cursor as an attacker writes it: base64 of JSON, items of their choosing."""
    payload = json.dumps({"v": list(items), "b": False}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


TAMPERED_CURSORS = [
    _unsigned(["dec", "x"], ["v", 1]),
    _unsigned(["v", None], ["v", 1]),
    _unsigned(["dt", "garbage"], ["v", 1]),
    _unsigned(["v", [1, 2]], ["v", {"a": 1}]),
    base64.urlsafe_b64encode(b'["dec","x"]').decode(),
    "not-a-cursor",
    "%00",
    "A" * 3000,
    # Signed by us, but made for another ordering (the oldest-first list of disputes).
    encode_cursor([date(2026, 1, 1), 1], backwards=False, ordering=ORDERINGS["age"]),
]
DEPTH = 100_000
DEEP_JSON = [
    ("[" * DEPTH + "]" * DEPTH).encode(),
    ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode(),
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly, whose request signals would close the
    connection holding the test's transaction; Django's own test client unhooks them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _decided(seller, maker, *, reference: str, sku: str, amount: str | None = None):
    SkuFactory(seller=seller, sku=sku, reference_value=Decimal("10.00"))
    dispute = in_status(
        Status.IN_REVIEW,
        reference=reference,
        seller=seller,
        claim_type="warehouse_lost",
        sku=sku,
        quantity=3,
        assignee=maker,
    )
    services.recheck_dispute(dispute=dispute, trigger="manual", by=maker)
    extra = {"amount": Decimal(amount), "amount_change_reason": "Invoice"} if amount else {}
    services.decide_dispute(
        dispute=dispute,
        by=maker,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=3,
        **extra,
    )
    return Reimbursement.objects.get(dispute=dispute)


@pytest.fixture
def users(db):
    """A seller's user, a team lead and a records service, and cases with everything a
    response can carry: a check report, payouts (one sent back), a completed reversal,
    messages from both sides and a file."""
    membership = MembershipFactory()
    seller = membership.seller
    maker = StaffFactory(role="Specialist")
    lead = StaffFactory(role="Team Lead")
    paid = _decided(seller, maker, reference=PAID, sku="SKU-1")
    a_unit_turns_up(seller=seller, sku="SKU-1", record_id="L-SCHEMA-1", by=maker)
    sent_back = _decided(seller, maker, reference=SENT_BACK, sku="SKU-2", amount="41.00")
    reject_reimbursement(reimbursement=sent_back, by=lead, reason="Use the catalog value")
    Message.objects.create(dispute=paid.dispute, side=Message.Side.STAFF, author=maker, body="Hi")
    Message.objects.create(dispute=paid.dispute, side=Message.Side.SELLER, body="Thanks")
    picture = png_bytes(3)
    EvidenceFile.objects.create(
        dispute=paid.dispute,
        uploaded_by=membership.user,
        file=ContentFile(picture, name="box.png"),
        original_name="box.png",
        content_type="image/png",
        size=len(picture),
        sha256="1" * 64,
        kind="photo",
    )
    service = StaffFactory(role="Specialist")
    service.user_permissions.add(Permission.objects.get(codename="import_records"))
    return {"seller": membership.user, "staff": lead, "service": service}


@pytest.fixture
def tokens(users) -> Iterator[str]:
    """A seller's, staff's and a service's token, in turn: each generated request goes out
    with the next (all three for every request would triple the time, not the findings; every
    read with every token is the next test's)."""
    return itertools.cycle([Token.objects.create(user=user).key for user in users.values()])


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


# --- generated requests -------------------------------------------------------------------------


def _known_reference(ctx, path_parameters):
    """Half the generated paths name a real case, so real objects meet the schema too."""
    if not path_parameters or "reference" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from(
        [
            path_parameters,
            {**path_parameters, "reference": PAID},
            {**path_parameters, "reference": SENT_BACK},
        ]
    )


def _tampered_cursor(ctx, query):
    """Lists also get the cursors an attacker would send."""
    if "cursor" not in {p.name for p in ctx.operation.query}:
        return st.just(query)
    return st.one_of(
        st.just(query),
        st.sampled_from(TAMPERED_CURSORS).map(lambda c: {**(query or {}), "cursor": c}),
    )


@pytest.mark.django_db
@schema.hooks.apply(_known_reference, name="flatmap_path_parameters")
@schema.hooks.apply(_tampered_cursor, name="flatmap_query")
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, tokens):
    case.call_and_validate(headers=_auth(next(tokens)), checks=CHECKS)


# --- every read, on real objects ----------------------------------------------------------------

READS = [op for op in schema.get_all_operations() if op.ok().method.upper() == "GET"]


@pytest.mark.django_db
@pytest.mark.parametrize("reference", [PAID, SENT_BACK])
def test_every_read_of_real_objects_conforms_for_every_token(users, reference):
    """Staff, a seller and a service read each case, its messages, files and events and every
    list: each answer (the seller's in the portal's shapes) is what the schema says."""
    statuses = {}
    for role, user in users.items():
        key = Token.objects.create(user=user).key
        for result in READS:
            operation = result.ok()
            path = {"reference": reference} if "{reference}" in operation.path else {}
            case = operation.Case(path_parameters=path)
            response = case.call(headers=_auth(key))
            case.validate_response(response, checks=CHECKS)
            statuses[role, operation.path] = response.status_code
    assert statuses["seller", "/api/v1/disputes/{reference}/"] == 200
    assert statuses["staff", "/api/v1/disputes/{reference}/"] == 200
    assert statuses["seller", "/api/v1/reimbursements/"] == 200
    assert statuses["staff", "/api/v1/disputes/{reference}/events/"] == 200


# --- hostile input: tampered cursors, deep JSON ------------------------------------------------

LISTS = [
    result.ok()
    for result in schema.get_all_operations()
    if "cursor" in {p.name for p in result.ok().query}
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["seller", "staff"])
@pytest.mark.parametrize("cursor", TAMPERED_CURSORS)
def test_a_tampered_cursor_is_a_documented_400_on_every_list(users, role, cursor):
    key = Token.objects.create(user=users[role]).key
    answered = set()
    for operation in LISTS:
        case = operation.Case(query={"cursor": cursor})
        response = case.call(headers=_auth(key))
        case.validate_response(response, checks=CHECKS)
        answered.add(response.status_code)
        if response.status_code == 400:
            assert response.json()["error"]["code"] == "invalid_cursor"
    assert answered <= {400, 403}  # payout batches are finance's: 403 before any cursor
    assert 400 in answered


JSON_BODIES = [
    result.ok()
    for result in schema.get_all_operations()
    if "application/json" in {body.media_type for body in result.ok().body}
]


@pytest.mark.django_db
@pytest.mark.parametrize("body", DEEP_JSON, ids=["arrays", "objects"])
def test_json_nested_100000_deep_is_a_documented_400_on_every_json_endpoint(users, body):
    staff = users["staff"]
    for codename in ("import_records", "pay_reimbursement"):
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    key = Token.objects.create(user=staff).key
    assert len(JSON_BODIES) >= 10
    for operation in JSON_BODIES:
        path = {"reference": PAID, "kind": "ledger"}
        path = {name: value for name, value in path.items() if f"{{{name}}}" in operation.path}
        case = operation.Case(path_parameters=path, body={}, media_type="application/json")
        response = case.call(headers=_auth(key), data=body)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 400, (operation.label, response.content[:200])
