"""The action table (disputes/actions.py): each row is an action on the case page and/or an API
endpoint, both calling the same service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from disputes.actions import ACTIONS, API_ACTIONS, PANELS, WORKSPACE_ACTIONS
from disputes.models import CaseEvent, Dispute
from disputes.status import Status
from tests.clients import client_for
from tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db


def test_every_action_is_somewhere_and_names_are_unique():
    assert all(action.form or action.api_input for action in ACTIONS)
    assert len({a.name for a in ACTIONS}) == len(ACTIONS)
    assert len({a.path for a in ACTIONS}) == len(ACTIONS)


# A case where each panel is open to the lead who works it.
PANEL_STATUS = {"resolve_escalation": Status.ESCALATED, "close": Status.DECIDED}


@pytest.mark.parametrize("name", sorted(WORKSPACE_ACTIONS))
def test_each_workspace_action_has_its_url(name):
    dispute = DisputeFactory()
    url = reverse(f"workspace:{name}", kwargs={"reference": dispute.reference})
    assert url == f"/workspace/cases/{dispute.reference}/{WORKSPACE_ACTIONS[name].path}/"


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.name)
def test_each_panel_is_offered_and_fetched_with_its_form(
    panel, client, lead, django_assert_max_num_queries
):
    status = PANEL_STATUS.get(panel.name, Status.IN_REVIEW)
    dispute = DisputeFactory(status=status, assignee=lead)
    client.force_login(lead)
    page = client.get(reverse("workspace:case", kwargs={"reference": dispute.reference}))
    assert panel in page.context["panels"]
    url = reverse("workspace:panel", kwargs={"reference": dispute.reference, "action": panel.name})
    # One small request: the login's user and permissions, the case, and a panel's own list
    # (the reply's templates, the assignees).
    with django_assert_max_num_queries(5):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert isinstance(response.context["form"], panel.form)
    action = reverse(f"workspace:{panel.name}", kwargs={"reference": dispute.reference})
    assert f'action="{action}"' in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment, not a page


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
