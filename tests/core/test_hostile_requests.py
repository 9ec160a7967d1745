"""Hostile requests get a refusal, never a server error, a redirect elsewhere or HTML escaping
where none belongs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.csv_stream import csv_response
from core.errors import NotAllowed
from disputes import services
from disputes.models import Notification, ResponseTemplate
from disputes.notifications import queue_notification, send_notification
from disputes.status import Status
from evidence.services import attach_evidence
from tests.clients import client_for
from tests.disputes.services.common import escalate
from tests.evidence.test_services import PDF
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


HOSTILE_BODIES = ["{", "{0}", "{reference!x}", "{reference:>1000000}", "{reference.__class__}"]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_a_template_with_anything_but_known_placeholders_is_refused_when_saved(body):
    template = ResponseTemplate(code="t", name="T", body=f"Hello {{seller_name}}, {body}")
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "body" in refused.value.message_dict


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_a_template_saved_before_the_check_renders_as_written(client, lead, body):
    dispute = in_status(Status.IN_REVIEW, assignee=lead)
    template = ResponseTemplate.objects.create(code="t", name="T", body=f"{{reference}} {body}")
    client.force_login(lead)
    response = client.get(f"/workspace/cases/{dispute.reference}/template/{template.pk}/")
    assert response.status_code == 200
    assert response.content.decode() == f"{dispute.reference} {body}"


def test_a_seller_cannot_tell_a_foreign_seller_id_from_a_wrong_one(seller_a_user, seller_b):
    api = client_for(seller_a_user)
    foreign = api.get("/api/v1/disputes/", {"seller": seller_b.seller_id})
    unknown = api.get("/api/v1/disputes/", {"seller": "NO-SUCH-SELLER"})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text():
    rows = [["sku", "amount"], ['=HYPERLINK("http://evil")', Decimal("-10.00")], ["@cmd", 3]]
    response = csv_response(rows, "x.csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[1:] == ['"\'=HYPERLINK(""http://evil"")",-10.00', "'@cmd,3"]


def test_a_pdf_is_always_a_download_never_shown_inline(client, seller_a, seller_a_user):
    dispute = DisputeFactory(seller=seller_a)
    pdf = SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")
    evidence = attach_evidence(
        dispute=dispute, uploaded_by=seller_a_user, upload=pdf, kind="invoice"
    )
    client.force_login(seller_a_user)
    response = client.get(f"/evidence/{evidence.pk}/?inline=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
