"""The specialist workspace in a real browser: shortcuts, template picker, forms, flashes."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from disputes import services
from disputes.models import Dispute, ResponseTemplate
from disputes.status import Status
from evidence.services import attach_evidence
from tests.factories import PASSWORD, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG, written by hand so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def catalog(seller_a):
    return SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("12.50"))


def _open_dispute(seller, user, **fields) -> Dispute:
    dispute = services.submit_dispute(
        seller=seller,
        submitted_by=user,
        claim_type="warehouse_damaged",
        fields={"sku": "MUG-1", "quantity": 4, **fields},
    )
    services.complete_intake(dispute=dispute)
    dispute.refresh_from_db()
    return dispute


def _due_in(dispute: Dispute, hours: int) -> None:
    Dispute.objects.filter(pk=dispute.pk).update(
        sla_next_deadline_at=timezone.now() + timedelta(hours=hours)
    )


def _sign_in(page, user, *, next_url: str = "") -> None:
    page.goto(f"/login/?next={next_url}" if next_url else "/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _panel(page, title: str):
    """The <details> action panel whose summary reads `title`."""
    return page.locator("details.panel").filter(
        has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(title)}"))
    )


def _open(page, title: str):
    panel = _panel(page, title)
    expect(panel).not_to_have_attribute("open", "")
    panel.locator("summary").click()
    expect(panel).to_have_attribute("open", "")
    return panel


def _status(page):
    return page.locator(".case-head [data-status]")


def test_specialist_takes_the_next_case_and_works_it_to_a_decision(
    page, specialist, seller_a, seller_a_user, catalog
):
    later = _open_dispute(seller_a, seller_a_user)
    urgent = _open_dispute(seller_a, seller_a_user)
    _due_in(later, 48)
    _due_in(urgent, 2)
    evidence = attach_evidence(
        dispute=urgent,
        uploaded_by=seller_a_user,
        upload=SimpleUploadedFile("crushed-box.png", _png(), content_type="image/png"),
        kind="photo",
    )
    ResponseTemplate.objects.create(
        code="thanks",
        language="en",
        name="Thank the seller",
        body="Hello {seller_name}, thank you for the photos on {reference}.",
    )

    _sign_in(page, specialist, next_url="/workspace/")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    page.get_by_role("button", name="Get next case").click()

    expect(page).to_have_url(re.compile(rf"/workspace/cases/{urgent.reference}/$"))
    expect(page.get_by_text(f"{urgent.reference} is yours.")).to_be_visible()
    expect(_status(page)).to_have_text("In review")

    # The thumbnail is served by the evidence view and decodes as an image.
    thumb = page.get_by_role("img", name="crushed-box.png")
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_be_visible()
    loaded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=thumb.element_handle())
    assert thumb.evaluate("img => img.naturalWidth") == 2
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="crushed-box.png").first.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url.endswith("?inline=1")
    assert popup.evaluate("document.images[0].naturalWidth") == 2
    popup.close()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="crushed-box.png", exact=True).last.click()
    download = download_info.value
    assert download.suggested_filename == "crushed-box.png"
    # What was kept (the picture re-encoded), not the bytes that were sent.
    with evidence.file.open("rb") as kept:
        assert Path(download.path()).read_bytes() == kept.read()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workspace_case.png"), full_page=True)

    info = _open(page, "Request information")
    info.get_by_label("Message").fill("Please send a photo of the shipping label.")
    info.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Information requested; the SLA clock is paused.")).to_be_visible()
    expect(_status(page)).to_have_text("Awaiting seller")
    clock = page.locator(".case-head [data-sla]")
    expect(clock).to_have_attribute("data-sla", "paused")
    expect(clock).to_contain_text("Paused")

    urgent.refresh_from_db()
    services.post_seller_message(dispute=urgent, by=seller_a_user, body="Label photo attached.")
    page.reload()
    expect(_status(page)).to_have_text("In review")
    expect(page.locator("#messages")).to_contain_text("Label photo attached.")

    # A case in review opens with the reply panel already unfolded.
    reply = _panel(page, "Reply to the seller")
    expect(reply).to_have_attribute("open", "")
    reply.get_by_label("Start from a template").select_option(label="Thank the seller")
    body = reply.get_by_label("Message")
    expect(body).to_have_value(
        f"Hello {seller_a.name}, thank you for the photos on {urgent.reference}."
    )
    reply.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent to the seller.", exact=True)).to_be_visible()

    decide = _open(page, "Decide")
    decide.get_by_label("Outcome").select_option(label="Approved")
    decide.get_by_label("Reason").select_option("records_confirm_loss")
    decide.get_by_label("Approved quantity").fill("4")
    decide.get_by_role("button", name="Record decision").click()

    expect(page.get_by_text("Decision recorded and sent to the seller.")).to_be_visible()
    expect(_status(page)).to_have_text("Decided")
    expect(page.locator("#decision")).to_contain_text("50.00 USD")
    timeline = page.locator("#timeline li")
    for kind in ("Information requested from the seller", "Reply sent to the seller", "Decided"):
        expect(timeline.filter(has_text=kind).filter(has_text=specialist.username)).to_have_count(1)


def test_the_n_key_takes_the_next_case(page, specialist, seller_a, seller_a_user, catalog):
    dispute = _open_dispute(seller_a, seller_a_user)
    assert (dispute.status, dispute.queue.slug) == (Status.OPEN, "inventory")
    _sign_in(page, specialist, next_url="/workspace/")
    expect(page.get_by_role("heading", name="Your queues")).to_be_visible()
    page.wait_for_load_state("load")  # the shortcut's script runs deferred, after parsing
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/workspace/cases/{dispute.reference}/$"))
    expect(_status(page)).to_have_text("In review")


def test_team_lead_reassigns_and_bulk_closes_duplicates(
    page, lead, specialist, specialist2, seller_a, seller_a_user, catalog
):
    worked = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=worked, assignee=specialist, by=specialist)
    keeper = _open_dispute(seller_a, seller_a_user)
    duplicates = [_open_dispute(seller_a, seller_a_user) for _ in range(2)]

    _sign_in(page, lead, next_url=f"/workspace/cases/{worked.reference}/")
    expect(page.locator("[data-assignee]")).to_have_text("spec")
    assign = _open(page, "Assign or reassign")
    assign.get_by_label("Assign to").select_option("spec2")
    assign.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned.", exact=True)).to_be_visible()
    expect(page.locator("[data-assignee]")).to_have_text("spec2")

    page.goto(f"/workspace/cases/?seller={seller_a.seller_id}")
    expect(page.locator("tr[data-reference]")).to_have_count(4)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workspace_list.png"), full_page=True)
    for dup in duplicates:
        page.get_by_label(f"Select {dup.reference}").check()
    page.get_by_label("With selected:").select_option(label="Close as duplicates of…")
    page.get_by_label("Reference of the case to keep").fill(keeper.reference)
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("2 cases updated.")).to_be_visible()

    page.goto(f"/workspace/cases/?seller={seller_a.seller_id}&status=merged")
    rows = page.locator("tr[data-reference]")
    expect(rows).to_have_count(2)
    for dup in duplicates:
        row = page.locator(f'tr[data-reference="{dup.reference}"]')
        expect(row.locator("[data-status]")).to_have_text("Merged")


def test_a_stale_action_shows_an_error_and_changes_nothing(
    page, specialist, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    _sign_in(page, specialist, next_url=f"/workspace/cases/{dispute.reference}/")
    reply = _panel(page, "Reply to the seller")
    expect(reply).to_have_attribute("open", "")

    # Someone changes the case while the page is open, before or after its panel's form came.
    services.add_internal_note(dispute=dispute, by=specialist, body="Checked the ledger.")
    reply.get_by_label("Message").fill("My careful answer")
    reply.get_by_role("button", name="Send reply").click()

    expect(page.get_by_text("Someone else changed this dispute")).to_be_visible()
    expect(_panel(page, "Reply to the seller").get_by_label("Message")).to_have_value(
        "My careful answer"
    )
    assert not dispute.messages.filter(body="My careful answer").exists()


def test_sellers_cannot_open_the_workspace(page, seller_a_user):
    _sign_in(page, seller_a_user)
    response = page.goto("/workspace/")
    assert response is not None and response.status == 403


def test_applying_filters_without_choosing_a_priority_keeps_every_case(
    page, specialist, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    _sign_in(page, specialist, next_url="/workspace/cases/")
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    page.get_by_role("button", name="Apply filters").click()
    row = page.locator(f'tr[data-reference="{dispute.reference}"]')
    expect(row).to_be_visible(timeout=3_000)


def test_panels_load_when_opened_and_only_those_the_viewer_may_use_are_offered(
    page, specialist, specialist2, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))

    _sign_in(page, specialist, next_url=f"/workspace/cases/{dispute.reference}/")
    # The reply opens by itself; the decision form is not on the page until asked for.
    expect(page.locator("#reply-form textarea")).to_be_visible()
    assert page.locator("#decide-form").count() == 0
    assert not [url for url in fetched if "/panels/decide/" in url]
    page.locator("body").press("d")  # the shortcut opens the panel and focuses its first field
    expect(page.locator("#decide-form")).to_be_visible()
    expect(page.locator("#decide-form select").first).to_be_focused()
    assert len([url for url in fetched if "/panels/decide/" in url]) == 1
    # Closing and opening again does not fetch it twice.
    summary = _panel(page, "Decide").locator("summary")
    summary.click()
    summary.click()
    expect(page.locator("#decide-form")).to_be_visible()
    assert len([url for url in fetched if "/panels/decide/" in url]) == 1

    # Someone else working the case is offered a note, not the assignee's actions.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, specialist2, next_url=f"/workspace/cases/{dispute.reference}/")
    titles = page.locator("#actions details.panel summary").all_inner_texts()
    assert [title.strip() for title in titles] == ["Internal note"]
    page.locator("body").press("d")
    assert page.locator("#decide-form").count() == 0
    _open(page, "Internal note").locator("textarea").fill("Saw the crushed box photo.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Internal note added.")).to_be_visible()


def test_a_panel_no_longer_open_to_the_viewer_says_so(
    page, specialist, specialist2, lead, seller_a, seller_a_user, catalog
):
    dispute = _open_dispute(seller_a, seller_a_user)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    _sign_in(page, specialist, next_url=f"/workspace/cases/{dispute.reference}/")
    expect(page.locator("#reply-form")).to_be_visible()
    # A lead gives the case to someone else while the page is open.
    services.assign_dispute(dispute=dispute, assignee=specialist2, by=lead)
    _open(page, "Escalate to a peer team")
    expect(page.locator("[data-not-offered]")).to_contain_text("not open to you on this case")
