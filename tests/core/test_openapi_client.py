"""The schema an integrator can trust: a valid OpenAPI document, and a client generated from it
(openapi-python-client, as an integrator would) that files, lists, reads and decides a dispute
against a live server, parsing every answer into its typed models."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
import typing
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from django.test import Client
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token

from tests.factories import MembershipFactory, SkuFactory, StaffFactory

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "arbiter_client"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_a_valid_openapi_document(schema):
    validate(schema)  # raises on a reference to nothing, a bad type, a malformed operation…


def test_every_list_answers_one_page_object_not_an_array_of_pages(schema):
    components = schema["components"]["schemas"]
    lists = ["/api/v1/disputes/", "/api/v1/reimbursements/", "/api/v1/reversals/"]
    for path in [*lists, "/api/v1/payout-batches/"]:
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = components[answer["schema"]["$ref"].rsplit("/", 1)[-1]]
        assert page["type"] == "object", path
        assert set(page["properties"]) == {"next", "previous", "results"}, path
        assert page["properties"]["results"]["type"] == "array", path


def test_no_choice_offers_a_blank_value_an_absent_one_is_null(schema):
    enums = {
        name: component["enum"]
        for name, component in schema["components"]["schemas"].items()
        if "enum" in component
    }
    assert "OutcomeEnum" in enums and "NullEnum" in enums
    assert all("" not in values for values in enums.values()), enums
    outcome = schema["components"]["schemas"]["Dispute"]["properties"]["outcome"]
    assert outcome["nullable"] is True


def test_request_bodies_are_json_and_multipart_only_where_a_file_is_sent(schema):
    uploads = {"/api/v1/disputes/{reference}/evidence/", "/api/v1/records/{kind}/"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            media = set(operation["requestBody"]["content"])
            if path in uploads:
                assert "multipart/form-data" in media, path
                assert "application/x-www-form-urlencoded" not in media, path
            else:
                assert media == {"application/json"}, (method, path, media)


# --- a generated client ------------------------------------------------------------------------


def _generate(schema: dict, where: Path) -> types.ModuleType:
    """Runs openapi-python-client offline (a proxy that answers nothing: any attempt to reach
    the network fails) and imports the package it wrote."""
    (where / "schema.json").write_text(json.dumps(schema))
    (where / "config.yaml").write_text(
        f"project_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\npost_hooks: []\n"
    )
    offline = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(where / "schema.json"),
            "--config",
            str(where / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(where / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=offline,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    return importlib.import_module(PACKAGE)


@pytest.fixture
def client_package(schema, tmp_path):
    package = _generate(schema, tmp_path)
    yield package
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _assert_typed(value, hint, models: dict) -> None:
    """`value` is what the annotation `hint` of the generated model says: an enum member, not a
    string the client let through; a nested model; None only where the schema allows null."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(hint):
            try:
                _assert_typed(value, option, models)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{value!r} is none of {hint}: {errors}")
    if origin is list:
        assert isinstance(value, list), f"{value!r} is not a list"
        for item in value:
            _assert_typed(item, typing.get_args(hint)[0], models)
        return
    if hint is type(None):
        assert value is None, f"{value!r} is not null"
        return
    if isinstance(hint, type) and attrs.has(hint):
        assert isinstance(value, hint), f"{value!r} is not a {hint.__name__}"
        _assert_model(value, models)
        return
    if isinstance(hint, type):
        assert isinstance(value, hint), f"{value!r} is not a {hint.__name__}"


def _assert_model(model, models: dict) -> None:
    module = sys.modules[type(model).__module__]
    hints = typing.get_type_hints(type(model), vars(module), models)
    for field in attrs.fields(type(model)):
        if field.name != "additional_properties":
            _assert_typed(getattr(model, field.name), hints[field.name], models)


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_files_lists_reads_and_decides_a_dispute(client_package, live_server):
    models = importlib.import_module(f"{PACKAGE}.models")
    known = {**vars(models), "Unset": importlib.import_module(f"{PACKAGE}.types").Unset}

    def endpoint(name: str) -> types.ModuleType:
        return importlib.import_module(f"{PACKAGE}.api.v1.{name}")

    membership = MembershipFactory(user__username="integrator-seller")
    SkuFactory(seller=membership.seller, sku="MUG-1", reference_value=Decimal("12.50"))
    lead = StaffFactory(username="integrator-lead", role="Team Lead")

    def client_for(user):
        key = Token.objects.create(user=user).key
        return client_package.AuthenticatedClient(
            base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
        )

    seller, staff = client_for(membership.user), client_for(lead)

    filed = endpoint("v1_disputes_create").sync_detailed(
        client=seller,
        body=models.DisputeCreateInputRequest(
            claim_type=models.ClaimTypeEnum.WAREHOUSE_DAMAGED, sku="MUG-1", quantity=2
        ),
        idempotency_key="integrator-1",
    )
    assert filed.status_code == 201, filed.content
    assert isinstance(filed.parsed, models.SellerDispute)  # a seller reads the portal's shape
    _assert_model(filed.parsed, known)
    assert filed.parsed.outcome is None and filed.parsed.status == models.StatusEnum.SUBMITTED
    reference = filed.parsed.reference

    page = endpoint("v1_disputes_list").sync(client=seller)
    assert isinstance(page, models.PaginatedDisputeRowForRequesterList)
    _assert_model(page, known)
    assert [row.reference for row in page.results] == [reference]
    assert isinstance(page.results[0], models.SellerDisputeList)

    case = endpoint("v1_disputes_retrieve").sync(reference=reference, client=staff)
    assert isinstance(case, models.Dispute)  # staff read the case with its internals
    _assert_model(case, known)
    assert case.status == models.StatusEnum.OPEN  # intake ran once the filing was committed
    assert case.checks and case.proposal is not None

    assigned = endpoint("v1_disputes_assign_create").sync(
        reference=reference, client=staff, body=models.AssignInputRequest()
    )
    assert isinstance(assigned, models.Dispute) and assigned.assignee == "integrator-lead"
    decided = endpoint("v1_disputes_decide_create").sync(
        reference=reference,
        client=staff,
        body=models.DecideInputRequest(
            outcome=models.OutcomeEnum.APPROVED,
            reason_code=models.ReasonCodeEnum.RECORDS_CONFIRM_LOSS,
            approved_quantity=2,
            version=assigned.version,
        ),
    )
    assert isinstance(decided, models.Dispute)
    _assert_model(decided, known)
    assert (decided.status, decided.outcome) == (
        models.StatusEnum.DECIDED,
        models.OutcomeEnum.APPROVED,
    )
    [payout] = decided.reimbursements
    assert (payout.status, payout.amount) == (models.ReimbursementStatusEnum.APPROVED, "25.00")

    mine = endpoint("v1_disputes_retrieve").sync(reference=reference, client=seller)
    assert isinstance(mine, models.SellerDispute)
    _assert_model(mine, known)
    assert mine.outcome == models.OutcomeEnum.APPROVED
    assert mine.reimbursements[0].status == models.SellerPayoutStateEnum.APPROVED
    statement = endpoint("v1_reimbursements_list").sync(client=seller)
    _assert_model(statement, known)
    assert isinstance(statement.results[0], models.SellerReimbursement)
