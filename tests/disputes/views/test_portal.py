"""The seller portal through Django's test client: filing, following, and isolation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from disputes import services
from disputes.models import Dispute, Message
from disputes.status import Status
from disputes.tasks import complete_intake_task
from evidence.models import EvidenceFile
from evidence.services import attach_evidence
from reimbursements.services import reject_reimbursement
from tests.factories import PASSWORD, MembershipFactory, SellerFactory, SkuFactory, png_bytes

pytestmark = pytest.mark.django_db


def photo(name: str, seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(seed), content_type="image/png")


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))


@pytest.fixture
def seller_client(client, seller_a_user):
    client.force_login(seller_a_user)
    return client


def _filed(seller, user, **fields):
    dispute = services.submit_dispute(
        seller=seller,
        submitted_by=user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 2, **fields},
    )
    services.complete_intake(dispute=dispute)
    dispute.refresh_from_db()
    return dispute


def test_filing_a_warehouse_damaged_dispute_with_two_photos(seller_client, seller_a, catalog):
    url = reverse("portal:file", args=["warehouse_damaged"])
    form = seller_client.get(url)
    key = form.context["form"].initial["submission_key"]
    data = {
        "submission_key": key,
        "sku": "MUG-1",
        "quantity": "3",
        "event_date": date.today().isoformat(),
        "description": "Crushed box",
        "evidence_kind": "photo",
        "evidence": [photo("a.png", 1), photo("b.png", 2)],
    }
    response = seller_client.post(url, data)
    dispute = Dispute.objects.get(seller=seller_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dispute", args=[dispute.reference])
    assert dispute.evidence.count() == 2
    assert dispute.quantity == 3 and dispute.channel == "portal"
    # A double click or a refresh resends the same key: still one dispute.
    again = seller_client.post(url, {**data, "evidence": [photo("a.png", 1)]})
    assert again["Location"] == response["Location"]
    assert Dispute.objects.filter(seller=seller_a).count() == 1


def test_the_upload_script_gets_the_case_address_and_the_flash_waits_for_it(
    seller_client, seller_a, catalog
):
    url = reverse("portal:file", args=["warehouse_damaged"])
    data = {
        "submission_key": "upload-1",
        "sku": "MUG-1",
        "quantity": "1",
        "event_date": date.today().isoformat(),
        "evidence_kind": "photo",
        "evidence": [photo("a.png", 1)],
    }
    response = seller_client.post(url, data, headers={"X-Upload-Progress": "1"})
    dispute = Dispute.objects.get(seller=seller_a)
    assert response.status_code == 200
    assert response.json() == {"location": reverse("portal:dispute", args=[dispute.reference])}
    page = seller_client.get(response.json()["location"]).content.decode()
    assert f"We received dispute {dispute.reference}" in page


def test_bad_input_is_explained_and_what_was_typed_is_kept(seller_client, seller_a, catalog):
    url = reverse("portal:file", args=["warehouse_damaged"])
    response = seller_client.post(
        url, {"submission_key": "k1", "sku": "NOT-MINE", "quantity": "0", "description": "my words"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "my words" in page and "NOT-MINE" in page
    assert Dispute.objects.count() == 0
    response = seller_client.post(url, {"submission_key": "k2", "sku": "NOT-MINE", "quantity": "2"})
    assert "This SKU is not in your catalog." in response.content.decode()


def test_a_claim_past_its_filing_window_warns_before_filing_and_files_if_the_seller_insists(
    seller_client, seller_a, catalog
):
    url = reverse("portal:file", args=["warehouse_damaged"])
    old = (date.today() - timedelta(days=90)).isoformat()
    data = {"submission_key": "k", "sku": "MUG-1", "quantity": "1", "event_date": old}
    response = seller_client.post(url, data)
    assert response.status_code == 200
    assert "within 60 days" in response.content.decode()
    assert b"data-window-warning" in response.content
    assert Dispute.objects.count() == 0
    assert seller_client.post(url, {**data, "file_anyway": "1"}).status_code == 302
    assert Dispute.objects.count() == 1


def test_evidence_is_required_where_the_claim_type_needs_it(seller_client, seller_a, catalog):
    url = reverse("portal:file", args=["return_damaged"])
    response = seller_client.post(
        url, {"submission_key": "k", "sku": "MUG-1", "order_id": "111-1", "evidence_kind": "photo"}
    )
    assert response.status_code == 400
    assert "needs evidence" in response.content.decode()
    assert Dispute.objects.count() == 0


def test_a_file_that_is_not_an_accepted_type_refuses_the_whole_filing(
    seller_client, seller_a, catalog, settings
):
    url = reverse("portal:file", args=["warehouse_damaged"])
    fake = SimpleUploadedFile(
        "photo.png", b"MZ\x90\x00 not an image at all", content_type="image/png"
    )
    response = seller_client.post(
        url,
        {
            "submission_key": "k",
            "sku": "MUG-1",
            "quantity": "1",
            "evidence_kind": "photo",
            "evidence": [photo("ok.png", 3), fake],
        },
    )
    assert response.status_code == 400
    assert "is not a JPEG, PNG, WebP, PDF or CSV file" in response.content.decode()
    assert Dispute.objects.count() == 0 and EvidenceFile.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_my_disputes_lists_only_the_sellers_own(
    seller_client, seller_a, seller_a_user, seller_b, seller_b_user, catalog
):
    mine = _filed(seller_a, seller_a_user)
    SkuFactory(seller=seller_b, sku="MUG-1")
    theirs = _filed(seller_b, seller_b_user)
    response = seller_client.get(reverse("portal:home"))
    refs = [d.reference for d in response.context["page"].rows]
    assert refs == [mine.reference]
    assert theirs.reference not in response.content.decode()


@pytest.mark.parametrize("rows", [2, 20])
def test_my_disputes_runs_a_constant_number_of_queries(
    seller_client, seller_a, seller_a_user, catalog, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        _filed(seller_a, seller_a_user)
    with django_assert_max_num_queries(10):
        response = seller_client.get(reverse("portal:home"))
    assert len(response.context["page"].rows) == rows


@pytest.mark.parametrize(
    "name,method",
    [
        ("portal:dispute", "get"),
        ("portal:reply", "post"),
        ("portal:evidence", "post"),
        ("portal:appeal", "post"),
        ("portal:withdraw", "post"),
    ],
)
def test_another_sellers_dispute_does_not_exist(
    client, seller_b, seller_b_user, seller_a_user, name, method
):
    SkuFactory(seller=seller_b, sku="MUG-1")
    theirs = _filed(seller_b, seller_b_user)
    client.force_login(seller_a_user)
    response = getattr(client, method)(
        reverse(name, args=[theirs.reference]), {"body": "x", "reason": "x"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN and theirs.messages.count() == 0


def test_another_sellers_evidence_file_does_not_exist(
    client, seller_b, seller_b_user, seller_a_user
):
    SkuFactory(seller=seller_b, sku="MUG-1")
    theirs = _filed(seller_b, seller_b_user)
    evidence = attach_evidence(
        dispute=theirs, uploaded_by=seller_b_user, upload=photo("p.png", 9), kind="photo"
    )
    client.force_login(seller_a_user)
    assert client.get(reverse("evidence:file", args=[evidence.pk])).status_code == 404
    client.force_login(seller_b_user)
    response = client.get(reverse("evidence:file", args=[evidence.pk]) + "?inline=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence.file.open("rb").read()
    assert response["Content-Type"] == "image/png"


def test_sellers_never_see_internal_notes(
    seller_client, seller_a, seller_a_user, specialist, catalog
):
    dispute = _filed(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.add_internal_note(dispute=dispute, by=specialist, body="Seller looks suspicious")
    services.reply_to_seller(dispute=dispute, by=specialist, body="We are checking the ledger")
    page = seller_client.get(reverse("portal:dispute", args=[dispute.reference]))
    html = page.content.decode()
    assert "We are checking the ledger" in html
    assert "suspicious" not in html
    search = seller_client.get(reverse("portal:home"), {"q": "suspicious"})
    assert search.context["page"].rows == []


def test_answering_a_request_for_information_with_a_file(
    seller_client, seller_a, seller_a_user, specialist, catalog
):
    dispute = _filed(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.request_information(dispute=dispute, by=specialist, body="A photo please")
    page = seller_client.get(reverse("portal:dispute", args=[dispute.reference]))
    assert "We need information from you" in page.content.decode()
    response = seller_client.post(
        reverse("portal:reply", args=[dispute.reference]),
        {"body": "Here it is", "evidence_kind": "photo", "evidence": [photo("new.png", 4)]},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Status.IN_REVIEW
    assert dispute.evidence.count() == 1
    assert Message.objects.filter(dispute=dispute, side="seller", body="Here it is").exists()


def test_appeal_once_after_the_decision(
    seller_client, seller_a, seller_a_user, specialist, catalog
):
    dispute = _filed(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.decide_dispute(
        dispute=dispute, by=specialist, outcome="denied", reason_code="insufficient_evidence"
    )
    url = reverse("portal:appeal", args=[dispute.reference])
    assert seller_client.post(url, {"reason": "The ledger shows damage"}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Status.APPEALED and dispute.assignee is None
    response = seller_client.post(url, {"reason": "again"})
    assert response.status_code == 409


def test_withdraw_before_a_decision(seller_client, seller_a, seller_a_user, catalog):
    dispute = _filed(seller_a, seller_a_user)
    seller_client.post(reverse("portal:withdraw", args=[dispute.reference]), {"reason": ""})
    dispute.refresh_from_db()
    assert dispute.status == Status.WITHDRAWN


def test_a_user_of_two_sellers_chooses_one(client, seller_a, seller_a_user):
    other = SellerFactory(name="Second shop")
    MembershipFactory(user=seller_a_user, seller=other)
    client.force_login(seller_a_user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/portal/account/" in response["Location"]
    client.post(reverse("portal:choose_seller"), {"seller": other.pk})
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_link_to_a_case_of_the_users_other_account_switches_to_it(
    client, seller_a, seller_a_user, seller_b, seller_b_user
):
    SkuFactory(seller=seller_b, sku="MUG-1")
    theirs = _filed(seller_b, seller_b_user)
    other = SellerFactory(name="Second shop")
    MembershipFactory(user=seller_a_user, seller=other)
    SkuFactory(seller=other, sku="MUG-1")
    second = _filed(other, seller_a_user)
    client.force_login(seller_a_user)
    client.post(reverse("portal:choose_seller"), {"seller": seller_a.pk})
    url = reverse("portal:dispute", args=[second.reference])
    switched = client.get(url)
    assert switched.status_code == 302 and switched["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and page.context["dispute"] == second
    assert "You are now acting for Second shop." in page.content.decode()
    # Another seller's case stays unknown: no switch, no hint that it exists.
    assert client.get(reverse("portal:dispute", args=[theirs.reference])).status_code == 404


def test_staff_without_a_seller_are_refused_the_portal(client, specialist):
    client.force_login(specialist)
    assert client.get(reverse("portal:home")).status_code == 403


def test_the_portal_speaks_the_sellers_language(client, seller_a, seller_a_user):
    seller_a.preferred_language = "ja"
    seller_a.save()
    client.force_login(seller_a_user)
    response = client.get(reverse("portal:home"))
    assert response.wsgi_request.LANGUAGE_CODE == "ja"
    assert '<html lang="ja">' in response.content.decode()


def test_an_empty_filing_form_names_every_missing_part_the_evidence_too(seller_client, catalog):
    url = reverse("portal:file", args=["carrier_damaged"])  # photos required
    key = seller_client.get(url).context["form"].initial["submission_key"]
    response = seller_client.post(url, {"submission_key": key})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"tracking_id", "quantity", "evidence"}
    body = response.content.decode()
    assert "This kind of claim needs evidence: attach at least one file (Photo)." in body
    assert Dispute.objects.count() == 0
    # A claim type that needs no evidence does not ask for it.
    url = reverse("portal:file", args=["warehouse_damaged"])
    response = seller_client.post(url, {"submission_key": key})
    assert set(response.context["form"].errors) == {"sku", "quantity"}


def test_the_upload_error_is_in_the_sellers_language(client, seller_a, seller_a_user, catalog):
    seller_a.preferred_language = "zh-hans"
    seller_a.save()
    client.force_login(seller_a_user)
    form = client.get(reverse("portal:file", args=["warehouse_damaged"])).content.decode()
    assert 'data-error-text="上传未成功：请检查网络连接后重新提交表单。"' in form
    page = client.get(reverse("portal:dispute", args=[_filed(seller_a, seller_a_user).reference]))
    assert page.content.decode().count('data-error-text="上传未成功') == 2  # reply, evidence
    script = (settings.BASE_DIR / "static" / "js" / "portal.js").read_text()
    assert "Upload failed" not in script  # no words of its own: the page's, translated


def test_sign_in_is_throttled_after_repeated_failures(client, seller_a_user):
    for _ in range(5):
        client.post(reverse("login"), {"username": "seller-a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "seller-a", "password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client, seller_a_user):
    client.post(reverse("password_reset"), {"email": seller_a_user.email})
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body


def test_prevention_advice_shows_the_sellers_own_defects(
    seller_client, seller_a, seller_a_user, catalog
):
    _filed(seller_a, seller_a_user)
    response = seller_client.get(reverse("portal:advice"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["claim_type"] == "warehouse_damaged" and rows[0]["total"] == 1
    assert "packaging" in str(rows[0]["advice"])


def test_uploaded_files_are_stored_under_random_names(seller_client, seller_a, catalog):
    url = reverse("portal:file", args=["warehouse_damaged"])
    seller_client.post(
        url,
        {
            "submission_key": "k",
            "sku": "MUG-1",
            "quantity": "1",
            "evidence_kind": "photo",
            "evidence": [photo("../../etc/passwd.png", 5)],
        },
    )
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == "passwd.png"
    assert "passwd" not in evidence.file.name and ".." not in evidence.file.name


def test_a_broker_outage_does_not_lose_or_fail_a_filing(
    seller_client, seller_a, catalog, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(complete_intake_task, "delay", broker_down)
    url = reverse("portal:file", args=["warehouse_damaged"])
    data = {"submission_key": "k-outage", "sku": "MUG-1", "quantity": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(url, data)
    dispute = Dispute.objects.get(seller=seller_a)
    assert response.status_code == 302
    # Stored and waiting for intake: the catch-up beat task re-sends what the broker refused.
    assert dispute.status == Status.SUBMITTED


def test_a_payout_a_team_lead_sent_back_reads_as_on_hold_for_the_seller(
    seller_client, seller_a, seller_a_user, lead, lead2
):
    SkuFactory(seller=seller_a, sku="BIG-1", reference_value=Decimal("600.00"))
    dispute = _filed(seller_a, seller_a_user, sku="BIG-1")
    services.assign_dispute(dispute=dispute, assignee=lead, by=lead)
    decision = services.decide_dispute(
        dispute=dispute,
        by=lead,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    reject_reimbursement(reimbursement=decision.reimbursement, by=lead2, reason="Check the value")
    page = seller_client.get(reverse("portal:dispute", args=[dispute.reference])).content.decode()
    assert "On hold: we are checking the amount" in page
    assert "Rejected" not in page and "Check the value" not in page


def test_filing_the_same_order_twice_warns_first_and_files_when_the_seller_insists(
    seller_client, seller_a, catalog
):
    url = reverse("portal:file", args=["return_not_received"])
    data = {"sku": "MUG-1", "order_id": "111-7", "quantity": "1"}
    first = seller_client.post(url, {**data, "submission_key": "k-dup-1"})
    assert first.status_code == 302
    again = seller_client.post(url, {**data, "submission_key": "k-dup-2"})
    assert again.status_code == 200
    original = Dispute.objects.get(seller=seller_a)
    assert list(again.context["duplicates"]) == [original]
    assert b"data-duplicates" in again.content and b'name="file_anyway"' in again.content
    assert Dispute.objects.filter(seller=seller_a).count() == 1
    anyway = seller_client.post(url, {**data, "submission_key": "k-dup-2", "file_anyway": "1"})
    assert anyway.status_code == 302
    assert Dispute.objects.filter(seller=seller_a).count() == 2


def test_a_sort_the_portal_does_not_offer_is_ignored_with_a_message(
    seller_client, seller_a, seller_a_user, catalog
):
    mine = _filed(seller_a, seller_a_user)
    response = seller_client.get(reverse("portal:home"), {"ordering": "priority"})
    assert [d.pk for d in response.context["page"].rows] == [mine.pk]
    assert "The list cannot be sorted by “priority”" in response.content.decode()
