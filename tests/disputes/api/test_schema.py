"""Schemathesis against our own OpenAPI schema: no server error, no schema violation."""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.factories import DisputeFactory, MembershipFactory, SkuFactory, StaffFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
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


@pytest.fixture(params=["seller", "staff", "service"])
def token(request, db):
    if request.param == "seller":
        membership = MembershipFactory()
        SkuFactory(seller=membership.seller, sku="SKU-1")
        DisputeFactory(seller=membership.seller, reference="DSP-2026-000001")
        user = membership.user
    elif request.param == "staff":
        user = StaffFactory(role="Team Lead")
        DisputeFactory(reference="DSP-2026-000002")
    else:
        user = StaffFactory(role="Specialist")
        user.user_permissions.add(Permission.objects.get(codename="import_records"))
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
