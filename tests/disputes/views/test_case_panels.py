"""The case page's action panels: offered only to who may use them, fetched when opened."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes import services
from disputes.models import CheckRun, Dispute
from disputes.status import Status
from evidence.services import attach_evidence
from tests.evidence.files import picture
from tests.factories import DisputeFactory, MessageFactory, StaffFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# Every page of the workspace also reads the signed-in user and their permissions (3 queries)
# and the menu's count of reversals waiting (1).
AROUND_THE_PAGE = 4


def _offered(client, dispute) -> list[str]:
    page = client.get(reverse("workspace:case", args=[dispute.reference]))
    assert page.status_code == 200
    return [panel.name for panel in page.context["panels"]]


def _panel(client, dispute, name: str):
    return client.get(reverse("workspace:panel", args=[dispute.reference, name]), headers=HTMX)


def test_a_specialist_is_offered_only_a_note_on_a_case_someone_else_works(
    client, specialist, specialist2
):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist2)
    client.force_login(specialist)
    assert _offered(client, dispute) == ["note"]
    body = client.get(reverse("workspace:case", args=[dispute.reference])).content.decode()
    for name in ("reply", "decide", "merge"):
        assert reverse(f"workspace:{name}", args=[dispute.reference]) not in body
        assert reverse("workspace:panel", args=[dispute.reference, name]) not in body
    # Asking for the form anyway answers 403 with a sentence the panel shows.
    refused = _panel(client, dispute, "decide")
    assert refused.status_code == 403
    assert "not open to you on this case" in refused.content.decode()


def test_the_assignee_is_offered_what_the_status_allows(client, specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    client.force_login(specialist)
    assert _offered(client, dispute) == [
        "reply",
        "request_info",
        "decide",
        "escalate",
        "restrict",
        "merge",
        "priority",
        "note",
    ]
    dispute.status = Status.AWAITING_SELLER
    dispute.save(update_fields=["status"])
    assert _offered(client, dispute) == ["reply", "priority", "note"]


def test_a_lead_may_assign_and_close_a_decided_case(client, lead, specialist):
    dispute = DisputeFactory(status=Status.DECIDED, assignee=specialist)
    client.force_login(lead)
    assert _offered(client, dispute) == ["reply", "priority", "close", "note"]
    working = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    assert "assign" in _offered(client, working)


def test_a_specialist_who_decided_an_appeal_is_not_offered_to_decide_it_again(
    client, specialist, lead
):
    dispute = DisputeFactory(
        status=Status.IN_REVIEW, assignee=specialist, appeal_count=1, decided_by=specialist
    )
    client.force_login(specialist)
    assert "decide" not in _offered(client, dispute)
    assert _panel(client, dispute, "decide").status_code == 403


def test_a_reader_without_work_is_told_so(client):
    finance = StaffFactory(username="fin", role="Finance")
    dispute = DisputeFactory(status=Status.IN_REVIEW)
    client.force_login(finance)
    page = client.get(reverse("workspace:case", args=[dispute.reference]))
    assert page.context["panels"] == []
    assert "data-no-actions" in page.content.decode()


def test_the_reply_opens_by_itself_in_review_and_the_rest_load_when_opened(client, specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    client.force_login(specialist)
    body = client.get(reverse("workspace:case", args=[dispute.reference])).content.decode()
    reply = reverse("workspace:panel", args=[dispute.reference, "reply"])
    decide = reverse("workspace:panel", args=[dispute.reference, "decide"])
    seen = f"?seen={dispute.version}"
    assert f'open hx-get="{reply}{seen}" hx-trigger="load"' in body
    assert f'hx-get="{decide}{seen}" hx-trigger="toggle once"' in body
    assert 'id="decide-form"' not in body and 'id="reply-form"' not in body


def test_without_htmx_the_panel_url_is_the_case_page_with_that_panel_open(client, specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    client.force_login(specialist)
    response = client.get(reverse("workspace:panel", args=[dispute.reference, "decide"]))
    assert response.status_code == 200
    assert response.context["open_panel"] == "decide"
    assert 'id="decide-form"' in response.content.decode()
    assert client.get(
        reverse("workspace:panel", args=[dispute.reference, "bogus"])
    ).status_code == (404)


def test_a_refused_form_comes_back_open_with_what_was_typed(client, specialist):
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    client.force_login(specialist)
    response = client.post(
        reverse("workspace:escalate", args=[dispute.reference]),
        {"team": "", "reason": "Recount bin B-12 please", "version": dispute.version},
    )
    assert response.status_code == 400
    assert response.context["open_panel"] == "escalate"
    body = response.content.decode()
    assert "Recount bin B-12 please" in body
    assert '<details class="panel" data-panel="escalate" open>' in body


@pytest.mark.parametrize("size", [1, 12])
def test_the_case_page_reads_at_most_ten_queries_of_its_own(
    client, specialist, seller_a, size, django_assert_max_num_queries
):
    """A case being worked, with its check report, evidence, messages and two kinds of
    records (the SKU's ledger and the order's returns): the same queries at any size."""
    dispute = DisputeFactory(
        seller=seller_a,
        status=Status.IN_REVIEW,
        assignee=specialist,
        sku="MUG-1",
        order_id="ORD-1",
    )
    for i in range(size):
        MessageFactory(dispute=dispute)
        upload = SimpleUploadedFile(f"p{i}.png", picture(size=16 + i), content_type="image/png")
        attach_evidence(dispute=dispute, uploaded_by=specialist, upload=upload, kind="photo")
    services.recheck_dispute(dispute=dispute, trigger=CheckRun.Trigger.MANUAL, by=specialist)
    client.force_login(specialist)
    with django_assert_max_num_queries(10 + AROUND_THE_PAGE):
        response = client.get(reverse("workspace:case", args=[dispute.reference]))
    case = response.context["case"]
    assert case.check_run is not None and case.checks
    assert len(case.evidence) == size and len(case.messages) == size


def test_a_panel_opened_later_carries_the_version_the_page_showed(client, specialist):
    """Someone changes the case between the page and the panel: the form is stamped with what
    the page showed, so sending it is refused as stale instead of acting on an unseen change."""
    dispute = DisputeFactory(status=Status.IN_REVIEW, assignee=specialist)
    client.force_login(specialist)
    shown = dispute.version
    services.add_internal_note(dispute=dispute, by=specialist, body="Checked the ledger.")
    url = reverse("workspace:panel", args=[dispute.reference, "reply"])
    form = client.get(f"{url}?seen={shown}", headers=HTMX).context["form"]
    assert form["version"].value() == shown != Dispute.objects.get(pk=dispute.pk).version
    response = client.post(
        reverse("workspace:reply", args=[dispute.reference]),
        {"reply-body": "My careful answer", "reply-version": shown},
    )
    assert response.status_code == 409
    assert not dispute.messages.filter(body="My careful answer").exists()
    # Without what the page showed (a link followed by hand), the form is stamped as of now.
    fresh = client.get(url, headers=HTMX).context["form"]
    assert fresh["version"].value() == Dispute.objects.get(pk=dispute.pk).version
