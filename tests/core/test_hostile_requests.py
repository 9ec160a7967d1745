"""Hostile requests get a refusal, never a server error, a redirect elsewhere or HTML escaping
where none belongs."""

from __future__ import annotations

import pytest
from django.core import mail

from core.errors import NotAllowed
from disputes import services
from disputes.models import Notification
from disputes.notifications import queue_notification, send_notification
from disputes.status import Status
from tests.disputes.services.common import escalate
from tests.factories import DisputeFactory, in_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/workspace/cases/%00/", "/portal/disputes/%00/", "/workspace/cases/a%27b/"]
)
def test_a_reference_with_a_nul_byte_or_a_quote_is_a_404(client, lead, seller_a_user, url):
    client.force_login(lead if url.startswith("/workspace") else seller_a_user)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_bulk_action_never_redirects_off_site(client, lead, back):
    client.force_login(lead)
    response = client.post("/workspace/cases/bulk/", {"back": back, "action": "priority"})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/cases/"


def test_only_the_assignee_or_a_lead_records_a_peer_teams_answer(specialist, specialist2, lead):
    dispute = in_status(Status.IN_REVIEW, assignee=specialist)
    escalate(dispute, specialist)
    with pytest.raises(NotAllowed):
        services.resolve_escalation(dispute=dispute, by=specialist2, answer="Found them.")
    services.resolve_escalation(dispute=dispute, by=lead, answer="Found them.")


def test_plain_text_mail_is_not_html_escaped(seller_a):
    seller_a.name = "O'Brien & Sons <Ltd>"
    seller_a.save()
    dispute = DisputeFactory(seller=seller_a)
    queue_notification(dispute, kind="received")
    send_notification(notification_id=Notification.objects.get(dispute=dispute).pk)
    body = mail.outbox[-1].body
    assert "O'Brien & Sons <Ltd>" in body
    assert "&#x27;" not in body and "&amp;" not in body
