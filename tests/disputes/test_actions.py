"""The action table (disputes/actions.py): each row is an action on the case page and/or an API
endpoint, both calling the same service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disputes.actions import ACTIONS, API_ACTIONS, WORKSPACE_ACTIONS
from disputes.models import CaseEvent, Dispute
from disputes.status import Status
from tests.clients import client_for
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db


def test_every_action_is_somewhere_and_names_are_unique():
    assert all(action.form or action.api_input for action in ACTIONS)
    assert len({a.name for a in ACTIONS}) == len(ACTIONS)
    assert len({a.path for a in ACTIONS}) == len(ACTIONS)


@pytest.mark.parametrize("name", sorted(WORKSPACE_ACTIONS))
def test_each_workspace_action_has_its_url_and_its_form_on_the_case_page(name, client, lead):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=lead)
    row = WORKSPACE_ACTIONS[name]
    url = reverse(f"workspace:{name}", kwargs={"reference": dispute.reference})
    assert url == f"/workspace/cases/{dispute.reference}/{row.path}/"
    client.force_login(lead)
    page = client.get(reverse("workspace:case", kwargs={"reference": dispute.reference}))
    assert isinstance(page.context[row.form_key], row.form)


def test_the_api_schema_has_one_post_endpoint_per_api_action(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for row in API_ACTIONS:
        operation = paths[f"/api/v1/disputes/{{reference}}/{row.path}/"]["post"]
        # A body is described wherever the action takes input (recheck takes none).
        assert ("requestBody" in operation) == bool(row.api_input().fields), row.name


@pytest.mark.parametrize("row", [a for a in API_ACTIONS if a.staff_only], ids=lambda a: a.name)
def test_a_seller_token_cannot_call_a_staff_action(row, seller_a, seller_a_user):
    dispute = DisputeFactory(seller=seller_a, status=Status.IN_REVIEW)
    response = client_for(seller_a_user).post(
        f"/api/v1/disputes/{dispute.reference}/{row.path}/", {}, format="json"
    )
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(dispute=dispute).exists()


def test_the_same_row_runs_for_the_page_and_theclient_for(client, lead, specialist):
    """Escalating from the case page and through the API records the same timeline line."""
    on_page = DisputeFactory(status=Status.IN_REVIEW, assignee=lead)
    by_api = DisputeFactory(status=Status.IN_REVIEW, assignee=lead)
    client.force_login(lead)
    client.post(
        reverse("workspace:escalate", kwargs={"reference": on_page.reference}),
        {"team": "warehouse", "reason": "Recount the bin.", "version": on_page.version},
    )
    client_for(lead).post(
        f"/api/v1/disputes/{by_api.reference}/escalate/",
        {"team": "warehouse", "reason": "Recount the bin.", "version": by_api.version},
        format="json",
    )
    for dispute in (on_page, by_api):
        assert Dispute.objects.get(pk=dispute.pk).status == Status.ESCALATED
        event = CaseEvent.objects.filter(dispute=dispute).latest("id")
        assert (event.kind, event.actor, event.data) == (
            CaseEvent.Kind.ESCALATED,
            lead,
            {"team": "warehouse", "reason": "Recount the bin."},
        )
